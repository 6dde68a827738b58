import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination } from '@/components/ui/pagination';
import { requireArea } from '@/lib/authz/areas';
import { listUsers } from '@/lib/dal/users';
import { firstValues, UserListQuerySchema } from '@/lib/validation/lists';
import { InviteUserButton } from './_components/invite-user-button';
import { listParams } from './_components/list-params';
import { UserFilters } from './_components/user-filters';
import { UsersTable } from './_components/users-table';

export const metadata: Metadata = { title: 'Users' };

/** Users the viewer may read: filters, order and page all live in the URL. */
export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireArea('users');
  const query = UserListQuerySchema.parse(firstValues(await searchParams));
  const { rows, total, page, pageSize, canInvite } = await listUsers(viewer, query);
  const filtered = Boolean(query.q || query.role || query.status || query.active);
  return (
    <>
      <PageHeader
        title="Users"
        description="Console staff and the member accounts they manage. Open a user to see their factors, sessions and history, and to act on the account."
        actions={canInvite ? <InviteUserButton /> : null}
      />
      <UserFilters query={query} />
      <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <UsersTable rows={rows} query={query} filtered={filtered} />
        <Pagination basePath="/users" params={listParams(query)} page={page} pageSize={pageSize} total={total} />
      </div>
    </>
  );
}
