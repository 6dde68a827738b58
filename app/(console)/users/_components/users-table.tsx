import Link from 'next/link';
import { Badge, RoleBadge, StatusBadge } from '@/components/ui/badge';
import { Time } from '@/components/ui/time';
import type { UserRowDTO } from '@/lib/dal/users';
import type { UserListQuery } from '@/lib/validation/lists';
import { SortableHeader } from './sortable-header';

/** The users table: sortable headers, one row per user, the name linking to the user's page. */
export function UsersTable({ rows, query, filtered }: { rows: UserRowDTO[]; query: UserListQuery; filtered: boolean }) {
  return (
    <table className="min-w-full divide-y divide-slate-200 text-sm">
      <caption className="sr-only">Users</caption>
      <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
        <tr>
          <SortableHeader label="Name" column="name" query={query} />
          <SortableHeader label="Email" column="email" query={query} />
          <SortableHeader label="Role" column="role" query={query} />
          <th scope="col" className="px-4 py-3">
            Status
          </th>
          <SortableHeader label="Last active" column="lastActive" query={query} />
          <SortableHeader label="Created" column="created" query={query} />
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.length === 0 ? (
          <tr>
            <td colSpan={6} className="px-4 py-8 text-center text-slate-500">
              {filtered ? 'No users match these filters.' : 'No users yet.'}
            </td>
          </tr>
        ) : (
          rows.map((u) => (
            <tr key={u.id} data-testid="user-row" data-user-id={u.id}>
              <td className="px-4 py-2.5">
                <div className="flex flex-wrap items-center gap-1.5">
                  <Link href={`/users/${u.id}`} className="font-medium text-indigo-700 hover:underline">
                    {u.name}
                  </Link>
                  {u.isInvited ? <Badge tone="sky">Invited</Badge> : null}
                  {u.isLocked ? <Badge tone="red">Locked</Badge> : null}
                </div>
              </td>
              <td className="px-4 py-2.5 text-slate-700">{u.email}</td>
              <td className="px-4 py-2.5">
                <RoleBadge role={u.role} />
              </td>
              <td className="px-4 py-2.5">
                <StatusBadge status={u.status} />
              </td>
              <td className="whitespace-nowrap px-4 py-2.5 text-slate-600">
                <Time value={u.lastActiveAt} />
              </td>
              <td className="whitespace-nowrap px-4 py-2.5 text-slate-600">
                <Time value={u.createdAt} />
              </td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
