import 'server-only';
import type { Prisma } from '@/generated/sqlite/client';
import { lockAuditChain } from '@/lib/audit/append';
import type { Viewer } from '@/lib/auth/viewer';
import { abilityFor, decide, scopedWhere } from '@/lib/authz/ability';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { db } from '@/lib/db';
import type { SessionListQuery } from '@/lib/validation/lists';
import { assertActorStillLive, recordAuthorized } from './audit-details';

/** A live session as the Sessions area shows it to an administrator. */
export interface SessionRowDTO {
  id: string;
  user: { id: string; name: string; email: string; role: string };
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  amr: string;
  isCurrent: boolean;
  canRevoke: boolean;
}

export const SESSION_PAGE_SIZE = 25;
const HOUR = 60 * 60 * 1000;

function ageFilter(age: SessionListQuery['age']): Prisma.SessionWhereInput {
  const ago = (ms: number) => new Date(now().getTime() - ms);
  if (age === '1h') return { createdAt: { gte: ago(HOUR) } };
  if (age === '24h') return { createdAt: { gte: ago(24 * HOUR) } };
  if (age === 'over24h') return { createdAt: { lt: ago(24 * HOUR) } };
  return {};
}

/**
 * Live sessions across users that the viewer may read (accessibleBy in the
 * WHERE: an admin sees sessions of the roles it manages, and its own), most
 * recently active first, with filters by user, role, age and IP.
 */
export async function listSessions(viewer: Viewer, query: SessionListQuery) {
  const ability = abilityFor(viewer);
  const client = await db();
  const userFilter: Prisma.UserWhereInput = {
    ...(query.role ? { role: query.role } : {}),
    ...(query.q ? { OR: [{ email: { contains: query.q.toLowerCase() } }, { name: { contains: query.q } }] } : {}),
  };
  const filter: Prisma.SessionWhereInput = {
    revokedAt: null,
    expiresAt: { gt: now() },
    ...ageFilter(query.age),
    ...(query.ip ? { ip: { startsWith: query.ip } } : {}),
    ...(Object.keys(userFilter).length > 0 ? { user: { is: userFilter } } : {}),
  };
  const where = scopedWhere(ability, 'read', 'Session', filter);
  const [total, rows] = await Promise.all([
    client.session.count({ where }),
    client.session.findMany({
      where,
      orderBy: [{ lastSeenAt: 'desc' }, { id: 'asc' }],
      skip: (query.page - 1) * SESSION_PAGE_SIZE,
      take: SESSION_PAGE_SIZE,
      select: {
        id: true,
        userId: true,
        ip: true,
        userAgent: true,
        createdAt: true,
        lastSeenAt: true,
        expiresAt: true,
        amr: true,
        user: { select: { id: true, name: true, email: true, role: true } },
      },
    }),
  ]);
  return {
    rows: rows.map(({ userId, ...r }): SessionRowDTO => ({
      ...r,
      isCurrent: r.id === viewer.sessionId,
      canRevoke: decide(ability, 'revoke', 'Session', { ...r, userId }).allowed,
    })),
    total,
    page: query.page,
    pageSize: SESSION_PAGE_SIZE,
  };
}

/**
 * Ends one session of another user. The session's owner is refused on their
 * very next request or in-flight action: every request re-reads the row.
 */
export async function revokeUserSession(authz: Authorization, id: string): Promise<void> {
  const client = await db();
  await client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const session = await tx.session.findFirst({
      where: scopedWhere(authz.ability, 'revoke', 'Session', { id, revokedAt: null }),
      select: { id: true, userId: true },
    });
    if (!session) throw new ActionError('NOT_FOUND', 'That session does not exist or has already ended.');
    await tx.session.update({ where: { id }, data: { revokedAt: now(), revokedReason: 'revoked_by_admin' } });
    await recordAuthorized(tx, authz, { target: { type: 'Session', id }, details: { userId: session.userId } });
  });
}
