import type { Metadata } from 'next';
import { RoleBadge, StatusBadge } from '@/components/ui/badge';
import { SelectField, TextField } from '@/components/ui/field';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination } from '@/components/ui/pagination';
import { Time } from '@/components/ui/time';
import { requireArea } from '@/lib/authz/areas';
import { listUsers } from '@/lib/dal/users';
import { firstValues, USER_STATUSES, UserListQuerySchema } from '@/lib/validation/lists';
import { ROLES } from '@/policies/roles';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireArea('users');
  const query = UserListQuerySchema.parse(firstValues(await searchParams));
  const { rows, total, page, pageSize } = await listUsers(viewer, query);
  return (
    <>
      <PageHeader title="Users" description="Console staff and the member accounts they manage." />
      <form
        method="get"
        role="search"
        aria-label="Filter users"
        className="mb-4 grid grid-cols-1 gap-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:grid-cols-4"
      >
        <TextField label="Name or email" name="q" defaultValue={query.q ?? ''} placeholder="e.g. jane@" />
        <SelectField label="Role" name="role" options={ROLES} defaultValue={query.role ?? ''} />
        <SelectField label="Status" name="status" options={USER_STATUSES} defaultValue={query.status ?? ''} />
        <div className="flex items-end gap-2">
          <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500">
            Apply filters
          </button>
          <a href="/users" className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
            Clear
          </a>
        </div>
      </form>
      <div className="overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">Users</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="px-4 py-3">
                Name
              </th>
              <th scope="col" className="px-4 py-3">
                Email
              </th>
              <th scope="col" className="px-4 py-3">
                Role
              </th>
              <th scope="col" className="px-4 py-3">
                Status
              </th>
              <th scope="col" className="px-4 py-3">
                Last active
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.length === 0 ? (
              <tr>
                <td colSpan={5} className="px-4 py-8 text-center text-slate-500">
                  No users match these filters.
                </td>
              </tr>
            ) : (
              rows.map((u) => (
                <tr key={u.id} data-testid="user-row">
                  <td className="px-4 py-2.5 font-medium">{u.name}</td>
                  <td className="px-4 py-2.5 text-slate-700">{u.email}</td>
                  <td className="px-4 py-2.5">
                    <RoleBadge role={u.role} />
                  </td>
                  <td className="px-4 py-2.5">
                    <StatusBadge status={u.status} />
                  </td>
                  <td className="px-4 py-2.5 text-slate-600">
                    <Time value={u.lastActiveAt} />
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
        <Pagination
          basePath="/users"
          params={{ q: query.q, role: query.role, status: query.status }}
          page={page}
          pageSize={pageSize}
          total={total}
        />
      </div>
    </>
  );
}
