import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination } from '@/components/ui/pagination';
import { requireArea } from '@/lib/authz/areas';
import { listTickets, ticketWorkload } from '@/lib/dal/tickets';
import { firstValues } from '@/lib/validation/lists';
import { TicketListQuerySchema } from '@/lib/validation/tickets';
import { applyListDefaults, ticketListParams } from './_components/ticket-format';
import { TicketFilters } from './_components/ticket-filters';
import { TicketsTable } from './_components/tickets-table';
import { WorkloadPanel } from './_components/workload-panel';

export const metadata: Metadata = { title: 'Tickets' };

/**
 * The support desk's list. A support agent gets "My tickets" (their active
 * tickets unless the URL asks for more; the policy never shows them anyone
 * else's); admins get "All tickets" with the workload per agent on top.
 */
export default async function TicketsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireArea('tickets');
  const raw = firstValues(await searchParams);
  const isAgent = viewer.role === 'support';
  const query = applyListDefaults(raw, TicketListQuerySchema.parse(raw), isAgent);
  const [{ rows, total, pageSize }, workload] = await Promise.all([listTickets(viewer, query), ticketWorkload(viewer)]);
  const isDefaultView = isAgent && query.status === 'active' && query.assignee === 'me' && !query.priority && !query.tag && !query.q;
  const filtered = !isDefaultView && Boolean(query.status || query.priority || query.assignee || query.tag || query.q);
  return (
    <>
      <PageHeader
        title={isAgent ? 'My tickets' : 'All tickets'}
        description={
          isAgent
            ? 'Tickets assigned to you. Open one to reply, add internal notes and help the requester with their account.'
            : 'Every support ticket. Assign tickets from the unassigned queue and keep an eye on each agent’s load.'
        }
      />
      {workload ? <WorkloadPanel workload={workload} /> : null}
      <TicketFilters query={query} agents={workload ? workload.agents : null} />
      <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <TicketsTable rows={rows} empty={<EmptyState isAgent={isAgent} filtered={filtered} />} />
        <Pagination basePath="/tickets" params={ticketListParams(query)} page={query.page} pageSize={pageSize} total={total} />
      </div>
    </>
  );
}

function EmptyState({ isAgent, filtered }: { isAgent: boolean; filtered: boolean }) {
  if (filtered) {
    return (
      <>
        No tickets match these filters.{' '}
        <Link href="/tickets" className="text-indigo-700 hover:underline">
          Reset the filters
        </Link>
        .
      </>
    );
  }
  if (isAgent) {
    return (
      <>
        Nothing waiting on you: no open or pending tickets are assigned to you.{' '}
        <Link href="/tickets?status=all" className="text-indigo-700 hover:underline">
          Show resolved and closed ones too
        </Link>
        , or ask an admin to assign you tickets from the queue.
      </>
    );
  }
  return <>No tickets yet. Tickets appear here when members ask for help.</>;
}
