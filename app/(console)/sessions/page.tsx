import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination } from '@/components/ui/pagination';
import { requireArea } from '@/lib/authz/areas';
import { listSessions } from '@/lib/dal/session-admin';
import { firstValues, SessionListQuerySchema } from '@/lib/validation/lists';
import { SessionFilters } from './_components/session-filters';
import { SessionTable } from './_components/session-table';

export const metadata: Metadata = { title: 'Sessions' };

/** Live sessions of the users the viewer manages, filterable by URL, each endable with a reason. */
export default async function SessionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireArea('sessions-admin');
  const query = SessionListQuerySchema.parse(firstValues(await searchParams));
  const { rows, total, page, pageSize } = await listSessions(viewer, query);
  const filtered = Boolean(query.q || query.role || query.age || query.ip);
  return (
    <>
      <PageHeader
        title="Sessions"
        description="Every signed-in browser of the accounts you manage. Ending a session signs that browser out on its next request; the user can sign in again unless you also suspend the account."
      />
      <SessionFilters query={query} />
      <div className="overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <SessionTable rows={rows} filtered={filtered} />
        <Pagination
          basePath="/sessions"
          params={{ q: query.q, role: query.role, age: query.age, ip: query.ip }}
          page={page}
          pageSize={pageSize}
          total={total}
        />
      </div>
    </>
  );
}
