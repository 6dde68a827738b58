import 'server-only';
import type { Prisma } from '@/generated/sqlite/client';
import type { Viewer } from '@/lib/auth/viewer';
import { abilityFor, decide, scopedWhere, type PolicyAbility } from '@/lib/authz/ability';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { db } from '@/lib/db';
import type { UserListQuery } from '@/lib/validation/lists';
import { PRIVILEGED_ROLES } from '@/policies/rules';

/** What the viewer may do to one user, computed on the server from the same rules as the actions (house style 12). */
export interface UserCanDTO {
  changeRole: boolean;
  grantPrivilegedRole: boolean;
  suspend: boolean;
  reactivate: boolean;
  disable: boolean;
  delete: boolean;
  resetMfa: boolean;
  unlock: boolean;
  revokeSessions: boolean;
}

export interface UserRowDTO {
  id: string;
  name: string;
  email: string;
  role: string;
  status: string;
  /** Invited and not accepted yet: an open invitation and no password. */
  isInvited: boolean;
  isLocked: boolean;
  lastActiveAt: Date | null;
  createdAt: Date;
  can: UserCanDTO;
}

export const USER_PAGE_SIZE = 25;

const ROW_SELECT = {
  id: true,
  name: true,
  email: true,
  role: true,
  status: true,
  deletedAt: true,
  passwordHash: true,
  lockedAt: true,
  lockedUntil: true,
  lastActiveAt: true,
  createdAt: true,
  _count: { select: { invitations: { where: { usedAt: null, revokedAt: null } } } },
} as const;

type Row = Prisma.UserGetPayload<{ select: typeof ROW_SELECT }>;

/**
 * The "can" flags of one user row. The rule decides on the record; the state
 * decides whether the operation makes sense now (no "suspend" on a suspended user).
 */
export function userCan(
  ability: PolicyAbility,
  row: Pick<Row, 'id' | 'role' | 'status' | 'deletedAt' | 'lockedAt' | 'lockedUntil'>,
): UserCanDTO {
  const on = (action: Parameters<typeof decide>[1]) => decide(ability, action, 'User', row).allowed;
  const locked = !!row.lockedAt || (!!row.lockedUntil && row.lockedUntil > now());
  return {
    changeRole: on('change_role'),
    grantPrivilegedRole: on('grant_privileged_role'),
    suspend: on('suspend') && row.status === 'active',
    reactivate: on('reactivate') && row.status !== 'active',
    disable: on('disable') && row.status !== 'disabled',
    delete: on('delete'),
    resetMfa: on('reset_mfa'),
    unlock: on('unlock') && locked,
    revokeSessions: on('revoke_sessions'),
  };
}

function toRowDTO(ability: PolicyAbility, row: Row): UserRowDTO {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    status: row.status,
    // Members are managed accounts without a console password; only an open invitation makes one "invited".
    isInvited: row.passwordHash === null && row._count.invitations > 0,
    isLocked: !!row.lockedAt || (!!row.lockedUntil && row.lockedUntil > now()),
    lastActiveAt: row.lastActiveAt,
    createdAt: row.createdAt,
    can: userCan(ability, row),
  };
}

const DAY = 24 * 60 * 60 * 1000;

function lastActiveFilter(active: UserListQuery['active']): Prisma.UserWhereInput {
  const ago = (ms: number) => new Date(now().getTime() - ms);
  switch (active) {
    case '24h':
      return { lastActiveAt: { gte: ago(DAY) } };
    case '7d':
      return { lastActiveAt: { gte: ago(7 * DAY) } };
    case '30d':
      return { lastActiveAt: { gte: ago(30 * DAY) } };
    case 'over30d':
      return { lastActiveAt: { lt: ago(30 * DAY) } };
    case 'never':
      return { lastActiveAt: null };
    default:
      return {};
  }
}

const SORT_COLUMN = { name: 'name', email: 'email', role: 'role', lastActive: 'lastActiveAt', created: 'createdAt' } as const;

/**
 * Users the viewer may read, filtered, sorted and paginated. Authorization is
 * part of the WHERE (accessibleBy); every sort has an index and a unique
 * tie-breaker, so pages are stable and stay fast at 100k users (bench/users-list.ts).
 */
export async function listUsers(viewer: Viewer, query: UserListQuery) {
  const ability = abilityFor(viewer);
  const client = await db();
  const filter: Prisma.UserWhereInput = {
    deletedAt: null,
    ...(query.role ? { role: query.role } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...lastActiveFilter(query.active),
    ...(query.q ? { OR: [{ email: { contains: query.q.toLowerCase() } }, { name: { contains: query.q } }] } : {}),
  };
  const where = scopedWhere(ability, 'read', 'User', filter);
  const column = SORT_COLUMN[query.sort];
  const [total, rows] = await Promise.all([
    client.user.count({ where }),
    client.user.findMany({
      where,
      orderBy: [{ [column]: query.dir } as Prisma.UserOrderByWithRelationInput, { id: 'asc' }],
      skip: (query.page - 1) * USER_PAGE_SIZE,
      take: USER_PAGE_SIZE,
      select: ROW_SELECT,
    }),
  ]);
  return {
    rows: rows.map((r) => toRowDTO(ability, r)),
    total,
    page: query.page,
    pageSize: USER_PAGE_SIZE,
    canInvite: ability.can('create', 'User'),
  };
}

export interface UserDetailDTO extends UserRowDTO {
  factors: { totp: boolean; passkeys: { name: string; createdAt: Date; lastUsedAt: Date | null }[]; recoveryCodesLeft: number };
  failedLoginCount: number;
  lockedUntil: Date | null;
  sessions: { id: string; ip: string | null; userAgent: string | null; createdAt: Date; lastSeenAt: Date; canRevoke: boolean }[];
  recentEvents: {
    seq: number;
    ts: Date;
    operation: string;
    outcome: string;
    actorId: string | null;
    actorRole: string | null;
    reasonCode: string | null;
  }[];
  /** Whether the target's role is admin or superadmin (role changes then need two-person approval). */
  isPrivileged: boolean;
}

/**
 * One user as the Users area shows them: profile, role, status, which factors
 * are enrolled (never a secret), live sessions and recent audit events about
 * them that the viewer may read. Unauthorized or missing: NOT_FOUND.
 */
export async function getUserDetail(viewer: Viewer, id: string): Promise<UserDetailDTO> {
  const ability = abilityFor(viewer);
  const client = await db();
  const row = await client.user.findFirst({
    where: scopedWhere(ability, 'read', 'User', { id, deletedAt: null }),
    select: { ...ROW_SELECT, totpEnabledAt: true, failedLoginCount: true },
  });
  if (!row) throw new ActionError('NOT_FOUND', 'That user does not exist or is no longer available.');
  const at = now();
  const [passkeys, recoveryCodesLeft, sessions, recentEvents] = await Promise.all([
    client.webAuthnCredential.findMany({
      where: { userId: id },
      select: { name: true, createdAt: true, lastUsedAt: true },
      orderBy: { createdAt: 'asc' },
    }),
    client.recoveryCode.count({ where: { userId: id, usedAt: null } }),
    client.session.findMany({
      where: scopedWhere(ability, 'read', 'Session', { userId: id, revokedAt: null, expiresAt: { gt: at } }),
      select: {
        id: true,
        ip: true,
        userAgent: true,
        createdAt: true,
        lastSeenAt: true,
        userId: true,
        user: { select: { id: true, role: true } },
      },
      orderBy: { lastSeenAt: 'desc' },
      take: 50,
    }),
    client.auditEvent.findMany({
      where: scopedWhere(ability, 'read', 'AuditEvent', { targetType: 'User', targetId: id }),
      select: { seq: true, ts: true, operation: true, outcome: true, actorId: true, actorRole: true, reasonCode: true },
      orderBy: { seq: 'desc' },
      take: 20,
    }),
  ]);
  return {
    ...toRowDTO(ability, row),
    factors: { totp: !!row.totpEnabledAt, passkeys, recoveryCodesLeft },
    failedLoginCount: row.failedLoginCount,
    lockedUntil: row.lockedUntil,
    sessions: sessions.map(({ user, userId, ...s }) => ({
      ...s,
      canRevoke: decide(ability, 'revoke', 'Session', { ...s, userId, user }).allowed,
    })),
    recentEvents,
    isPrivileged: (PRIVILEGED_ROLES as readonly string[]).includes(row.role),
  };
}

/** Counts by role and status for the overview page (only users the viewer may read). */
export async function countUsersByRole(viewer: Viewer) {
  const ability = abilityFor(viewer);
  const client = await db();
  const groups = await client.user.groupBy({
    by: ['role', 'status'],
    where: scopedWhere(ability, 'read', 'User', { deletedAt: null }),
    _count: { _all: true },
  });
  return groups.map((g) => ({ role: g.role, status: g.status, count: g._count._all }));
}
