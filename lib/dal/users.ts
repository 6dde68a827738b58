import 'server-only';
import type { Viewer } from '@/lib/auth/viewer';
import { assertArea } from '@/lib/authz/areas';
import { db } from '@/lib/db';
import type { UserListQuery } from '@/lib/validation/lists';

export interface UserRowDTO {
  id: string;
  name: string;
  email: string;
  role: string;
  status: string;
  lastActiveAt: Date | null;
  createdAt: Date;
}

export const USER_PAGE_SIZE = 25;

/** Users for the Users area, filtered and paginated. Deleted accounts are not listed. */
export async function listUsers(viewer: Viewer, query: UserListQuery) {
  assertArea(viewer, 'users');
  const client = await db();
  const where = {
    deletedAt: null,
    ...(query.role ? { role: query.role } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.q ? { OR: [{ email: { contains: query.q.toLowerCase() } }, { name: { contains: query.q } }] } : {}),
  };
  const [total, rows] = await Promise.all([
    client.user.count({ where }),
    client.user.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      skip: (query.page - 1) * USER_PAGE_SIZE,
      take: USER_PAGE_SIZE,
      select: { id: true, name: true, email: true, role: true, status: true, lastActiveAt: true, createdAt: true },
    }),
  ]);
  return { rows: rows satisfies UserRowDTO[], total, page: query.page, pageSize: USER_PAGE_SIZE };
}

/** Counts by role and status for the overview page. */
export async function countUsersByRole(viewer: Viewer) {
  assertArea(viewer, 'users');
  const client = await db();
  const groups = await client.user.groupBy({ by: ['role', 'status'], where: { deletedAt: null }, _count: { _all: true } });
  return groups.map((g) => ({ role: g.role, status: g.status, count: g._count._all }));
}
