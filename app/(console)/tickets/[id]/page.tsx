import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { requireArea } from '@/lib/authz/areas';
import { getTicket, ticketWorkload } from '@/lib/dal/tickets';
import { RecordIdSchema } from '@/lib/validation/users';
import { AssignControl, UnassignSelfButton } from '../_components/assignment-controls';
import { Composer } from '../_components/composer';
import { Conversation } from '../_components/conversation';
import { RequesterPanel } from '../_components/requester-panel';
import { StatusControl } from '../_components/status-control';
import { ticketLabel } from '../_components/ticket-badges';
import { TicketHeader } from '../_components/ticket-header';

export const metadata: Metadata = { title: 'Ticket' };

/**
 * One ticket: the conversation and composer on the left; status, assignment and
 * the requester's account on the right. Every control is shown from the
 * server's `can` flags and decided again by the action. A ticket the viewer may
 * not read is a 404 (unauthorized means not found).
 */
export default async function TicketPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireArea('tickets');
  const id = RecordIdSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const ticket = await getTicket(viewer, id.data);
  if (!ticket) notFound();
  const isAgent = viewer.role === 'support';
  const agents = ticket.can.assign ? ((await ticketWorkload(viewer))?.agents ?? []) : [];
  const working = ticket.can.setStatus || ticket.can.assign || ticket.can.unassignSelf;
  return (
    <>
      <TicketHeader ticket={ticket} backLabel={isAgent ? 'My tickets' : 'All tickets'} />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Conversation ticket={ticket} />
          {ticket.can.comment ? (
            <Composer ticketId={ticket.id} />
          ) : (
            <p className="rounded-xl bg-slate-50 p-4 text-sm text-slate-600 ring-1 ring-slate-200">
              {ticket.status === 'closed' ? 'This ticket is closed; nothing more can be added.' : 'You cannot add to this conversation.'}
            </p>
          )}
        </div>
        <div className="space-y-6">
          {working ? (
            <section aria-label="Ticket actions" className="space-y-4 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
              {ticket.can.setStatus ? (
                <StatusControl ticketId={ticket.id} status={ticket.status} label={ticketLabel(ticket.number)} />
              ) : null}
              {ticket.can.assign ? <AssignControl ticketId={ticket.id} assigneeId={ticket.assignee?.id ?? null} agents={agents} /> : null}
              {ticket.can.unassignSelf ? <UnassignSelfButton ticketId={ticket.id} /> : null}
            </section>
          ) : null}
          <RequesterPanel ticketId={ticket.id} requester={ticket.requester} can={ticket.can} isAgent={isAgent} mfaReset={ticket.mfaReset} />
        </div>
      </div>
    </>
  );
}
