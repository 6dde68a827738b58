import 'server-only';
import { recordAudit } from '@/lib/audit/record';
import { addUsage, rollupWatermark, type UsageCell } from '@/lib/audit/rollup';
import type { Viewer } from '@/lib/auth/viewer';
import { abilityFor, decide } from '@/lib/authz/ability';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { db, dbHandle, type Db, type Tx } from '@/lib/db';
import { usageDays } from '@/lib/validation/usage';
import { OPERATIONS, type OperationDefinition, type OperationId, type Risk } from '@/policies/operations';
import { CONSOLE_ROLES, type ConsoleRole } from '@/policies/roles';
import {
  grantedOperations,
  operationsEvidencedBy,
  privileges,
  unusedSince,
  evidenceEventsOf,
  USAGE_ROLES,
  type GrantedOperation,
  type OperationDemands,
} from '@/policies/usage';

/**
 * The usage report (issue 10): for a person, each operation their role grants
 * and when they last used it; per role, the granted operations nobody holding
 * it used in the last N days. Superadmins and auditors only (the `analyze`
 * ability on AuditEvent, like the activity dashboards): anyone else gets
 * NOT_FOUND.
 *
 * "Granted" comes from the decision matrix (policies/usage.ts); "used" from the
 * audit trail: a SUCCESSFUL event by the person with the operation's id (or the
 * id it is recorded under). Denied and failed attempts are never a use. Events
 * count under the role the actor held when they acted (`actorRole`).
 *
 * How it stays exact and fast on millions of events:
 * - AuditUsageRollup holds, per (actor, operation, role), the count, first and
 *   last use of exactly the events with seq <= throughSeq (lib/audit/rollup.ts).
 * - Everything above the watermark (the "tail": what the rollup job has not
 *   counted yet, normally seconds of activity) is read from AuditEvent — for one
 *   person by the (actorId, seq) index, for the roles by seq range — and folded
 *   in the same way the job would fold it.
 * - The watermark is read before and after; if a refresh committed meanwhile the
 *   read is repeated, and after a few tries it runs in one snapshot transaction
 *   (as the activity dashboards do), so rollup and tail never overlap or miss.
 */

const PAGE = 5000;
const IN_CHUNK = 500;
const OPTIMISTIC_TRIES = 3;
const DAY = 86_400_000;

export interface UsageWatermarkDTO {
  /** The rollups cover seq 1..throughSeq. */
  throughSeq: number;
  /** Successful events above the watermark read from the trail for this report. */
  tailEvents: number;
}

export interface GrantedUsageDTO {
  op: OperationId;
  description: string;
  risk: Risk;
  demands: OperationDemands;
  ownAccount: boolean;
  scopes: string[];
  /** Last successful use by this person, in any role; null: never. */
  lastUsedAt: Date | null;
  /** The role they held at that last use. */
  lastUsedRole: string | null;
  /** Successful uses, all time, in any role. */
  uses: number;
  /** Used at or after the window start. */
  usedInWindow: boolean;
}

export interface UsedNotGrantedDTO {
  op: OperationId;
  description: string;
  risk: Risk;
  lastUsedAt: Date;
  /** The role they held at the last use. */
  role: string;
  uses: number;
  /** Every role they used it in. */
  roles: { role: string; lastUsedAt: Date; uses: number }[];
}

export interface UserUsageDTO {
  user: { id: string; name: string; email: string; role: string; status: string; lastActiveAt: Date | null; deleted: boolean };
  days: number;
  since: Date;
  /** Everything the current role grants (own-account housekeeping marked), in catalog order. */
  granted: GrantedUsageDTO[];
  /** Operations they used (successfully) that their current role no longer grants. */
  usedNotGranted: UsedNotGrantedDTO[];
  /** Granted privileges (own-account operations left out) not used in the window. */
  unusedInWindow: number;
  watermark: UsageWatermarkDTO;
}

/** The compact evidence an access review shows next to each person (JSON-able; dates as Date). */
export interface UsageEvidence {
  role: string;
  days: number;
  /** Granted privileges (own-account housekeeping left out), so granted = usedInWindow + unused.length. */
  granted: number;
  usedInWindow: number;
  /** The privileges not used in the window, in catalog order. */
  unused: OperationId[];
  lastActiveAt: Date | null;
  /** Last use of each granted privilege (null: never). */
  perOp: { op: OperationId; lastUsedAt: Date | null }[];
}

export interface RoleOperationUsageDTO {
  op: OperationId;
  description: string;
  risk: Risk;
  demands: OperationDemands;
  ownAccount: boolean;
  /** Last successful use by anyone while holding this role; null: never. */
  lastUsedAt: Date | null;
  /** Distinct people who used it while holding this role in the window. */
  usersInWindow: number;
}

export interface RoleUsageDTO {
  role: ConsoleRole;
  /** Accounts holding the role now (not deleted), and how many of them are active. */
  holders: { total: number; active: number };
  granted: RoleOperationUsageDTO[];
  /** How many privileges (own-account housekeeping left out) the role grants, and how many of them were used in the window. */
  privileges: number;
  usedInWindow: number;
  /** Granted privileges nobody holding the role used in the window, in catalog order. */
  unusedInWindow: OperationId[];
}

export interface RoleUsageReportDTO {
  days: number;
  since: Date;
  roles: RoleUsageDTO[];
  watermark: UsageWatermarkDTO;
}

/** Reading usage needs the unconditional `analyze` ability on AuditEvent (superadmins, auditors). */
function assertMayAnalyze(viewer: Viewer): string {
  const decision = decide(abilityFor(viewer), 'analyze', 'AuditEvent', {});
  if (!decision.allowed) throw new ActionError('NOT_FOUND', 'Not found.');
  return decision.rule;
}

/** Whether the viewer may read the usage report (for pages that show or hide it). */
export function mayReadUsage(viewer: Viewer): boolean {
  return decide(abilityFor(viewer), 'analyze', 'AuditEvent', {}).allowed;
}

const windowStart = (days: number) => new Date(now().getTime() - days * DAY);

/**
 * Runs `work` with the watermark so that the rollup rows it reads and the tail
 * above the watermark describe the same events: optimistic first (watermark
 * unchanged across the read), then in one snapshot transaction.
 */
async function consistently<T>(client: Db, work: (reader: Tx, throughSeq: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; attempt <= OPTIMISTIC_TRIES; attempt += 1) {
    const before = await rollupWatermark(client);
    const result = await work(client, before.throughSeq);
    const after = await rollupWatermark(client);
    if (after.throughSeq === before.throughSeq) return result;
  }
  const { provider } = await dbHandle();
  return client.$transaction(
    async (tx) => work(tx, (await rollupWatermark(tx)).throughSeq),
    // The PostgreSQL client is typed as the SQLite one (lib/db/client), whose only level is Serializable.
    provider === 'postgres' ? ({ isolationLevel: 'RepeatableRead' } as unknown as { isolationLevel: 'Serializable' }) : undefined,
  );
}

// ----- One person -----------------------------------------------------------

/** The person's usage cells (rollup rows + the tail above the watermark), keyed by (operation, role). */
async function actorCells(reader: Tx, userId: string, throughSeq: number): Promise<{ cells: UsageCell[]; tail: number }> {
  const cells = new Map<string, UsageCell>();
  const rows = await reader.auditUsageRollup.findMany({
    where: { actorId: userId },
    select: { actorId: true, operation: true, actorRole: true, count: true, firstTs: true, lastTs: true, lastSeq: true },
  });
  for (const r of rows) cells.set(`${r.actorId}\u0000${r.operation}\u0000${r.actorRole}`, { ...r });
  let cursor = throughSeq;
  let tail = 0;
  for (;;) {
    const events = await reader.auditEvent.findMany({
      where: { actorId: userId, seq: { gt: cursor } },
      orderBy: { seq: 'asc' },
      take: PAGE,
      select: { seq: true, ts: true, operation: true, outcome: true, actorRole: true },
    });
    for (const e of events) {
      if (e.outcome !== 'success' || !e.actorRole) continue;
      tail += 1;
      addUsage(cells, userId, e.operation, e.actorRole, e.ts, e.seq);
    }
    if (events.length < PAGE) break;
    cursor = events[events.length - 1]!.seq;
  }
  return { cells: [...cells.values()], tail };
}

interface OpUse {
  lastUsedAt: Date;
  lastSeq: number;
  lastRole: string;
  uses: number;
  byRole: Map<string, { lastUsedAt: Date; lastSeq: number; uses: number }>;
}

/** Folds cells into per-catalog-operation use (an event id may evidence more than one operation). */
function perOperation(cells: UsageCell[]): Map<OperationId, OpUse> {
  const out = new Map<OperationId, OpUse>();
  for (const c of cells) {
    for (const op of operationsEvidencedBy(c.operation)) {
      const use = out.get(op) ?? { lastUsedAt: c.lastTs, lastSeq: -1, lastRole: c.actorRole, uses: 0, byRole: new Map() };
      use.uses += c.count;
      if (c.lastSeq > use.lastSeq) Object.assign(use, { lastSeq: c.lastSeq, lastUsedAt: c.lastTs, lastRole: c.actorRole });
      const role = use.byRole.get(c.actorRole) ?? { lastUsedAt: c.lastTs, lastSeq: -1, uses: 0 };
      role.uses += c.count;
      if (c.lastSeq > role.lastSeq) Object.assign(role, { lastSeq: c.lastSeq, lastUsedAt: c.lastTs });
      use.byRole.set(c.actorRole, role);
      out.set(op, use);
    }
  }
  return out;
}

const USER_SELECT = { id: true, name: true, email: true, role: true, status: true, lastActiveAt: true, deletedAt: true } as const;

async function computeUserUsage(client: Db, userId: string, days: number) {
  const user = await client.user.findUnique({ where: { id: userId }, select: USER_SELECT });
  if (!user) return null;
  const since = windowStart(days);
  const { cells, tail, throughSeq } = await consistently(client, async (reader, through) => ({
    ...(await actorCells(reader, userId, through)),
    throughSeq: through,
  }));
  const uses = perOperation(cells);
  const granted = grantedOperations(user.role);
  const grantedIds = new Set<string>(granted.map((g) => g.op));
  const last = new Map<string, Date | null>(granted.map((g) => [g.op, uses.get(g.op)?.lastUsedAt ?? null]));
  const unused = unusedSince(granted, last, since);
  return { user, since, granted, uses, grantedIds, last, unused, watermark: { throughSeq, tailEvents: tail } };
}

function grantedUsage(g: GrantedOperation, use: OpUse | undefined, since: Date): GrantedUsageDTO {
  return {
    op: g.op,
    description: g.description,
    risk: g.risk,
    demands: g.demands,
    ownAccount: g.ownAccount,
    scopes: g.scopes,
    lastUsedAt: use?.lastUsedAt ?? null,
    lastUsedRole: use?.lastRole ?? null,
    uses: use?.uses ?? 0,
    usedInWindow: !!use && use.lastUsedAt.getTime() >= since.getTime(),
  };
}

/** One person's granted operations with their last use, and what they used that their role no longer grants. */
export async function userUsage(viewer: Viewer, userId: string, options: { days?: number } = {}): Promise<UserUsageDTO> {
  assertMayAnalyze(viewer);
  const days = usageDays(options.days);
  const client = await db();
  const computed = await computeUserUsage(client, userId, days);
  if (!computed) throw new ActionError('NOT_FOUND', 'Not found.');
  const { user, since, granted, uses, grantedIds, unused, watermark } = computed;
  const usedNotGranted: UsedNotGrantedDTO[] = [];
  for (const [op, use] of uses) {
    if (grantedIds.has(op)) continue;
    const def = OPERATIONS[op] as OperationDefinition;
    usedNotGranted.push({
      op,
      description: def.description,
      risk: def.risk,
      lastUsedAt: use.lastUsedAt,
      role: use.lastRole,
      uses: use.uses,
      roles: [...use.byRole]
        .map(([role, r]) => ({ role, lastUsedAt: r.lastUsedAt, uses: r.uses }))
        .sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime() || a.role.localeCompare(b.role)),
    });
  }
  usedNotGranted.sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime() || a.op.localeCompare(b.op));
  return {
    user: {
      id: user.id,
      name: user.name,
      email: user.email,
      role: user.role,
      status: user.status,
      lastActiveAt: user.lastActiveAt,
      deleted: user.deletedAt !== null,
    },
    days,
    since,
    granted: granted.map((g) => grantedUsage(g, uses.get(g.op), since)),
    usedNotGranted,
    unusedInWindow: unused.length,
    watermark,
  };
}

/**
 * The same facts without the viewer check, compacted, for the access review
 * campaigns (lib/dal/access-reviews.ts authorizes its own reads). Throws
 * NOT_FOUND for an unknown user id.
 */
export async function userUsageEvidence(client: Db, userId: string, days: number): Promise<UsageEvidence> {
  const window = usageDays(days);
  const computed = await computeUserUsage(client, userId, window);
  if (!computed) throw new ActionError('NOT_FOUND', 'Not found.');
  const { user, granted, last, unused } = computed;
  const privs = privileges(granted);
  return {
    role: user.role,
    days: window,
    granted: privs.length,
    usedInWindow: privs.length - unused.length,
    unused,
    lastActiveAt: user.lastActiveAt,
    perOp: privs.map((g) => ({ op: g.op, lastUsedAt: last.get(g.op) ?? null })),
  };
}

// ----- Per role ---------------------------------------------------------------

const key = (role: string, op: string) => `${role}\u0000${op}`;

/** Per console role: holders, granted operations with their last use by anyone holding the role, and what went unused. */
export async function roleUsage(viewer: Viewer, options: { days?: number } = {}): Promise<RoleUsageReportDTO> {
  assertMayAnalyze(viewer);
  const days = usageDays(options.days);
  const since = windowStart(days);
  const client = await db();
  const roles = [...USAGE_ROLES] as string[];

  const holderRows = await client.user.groupBy({
    by: ['role', 'status'],
    where: { deletedAt: null, role: { in: roles } },
    _count: { _all: true },
  });

  const { lastTs, windowUsers, tailEvents, throughSeq } = await consistently(client, async (reader, through) => {
    // Last use per (role, event id), and how many people used it in the window.
    const lastRows = await reader.auditUsageRollup.groupBy({
      by: ['actorRole', 'operation'],
      where: { actorRole: { in: roles } },
      _max: { lastTs: true },
    });
    const windowRows = await reader.auditUsageRollup.groupBy({
      by: ['actorRole', 'operation'],
      where: { actorRole: { in: roles }, lastTs: { gte: since } },
      _count: { _all: true },
    });
    const lastByEvent = new Map<string, Date>();
    for (const r of lastRows) if (r._max.lastTs) lastByEvent.set(key(r.actorRole, r.operation), r._max.lastTs);
    const countByEvent = new Map<string, number>();
    for (const r of windowRows) countByEvent.set(key(r.actorRole, r.operation), r._count._all);

    // The tail: successful events above the watermark, by seq range.
    const tail = new Map<string, UsageCell>();
    let cursor = through;
    let tailCount = 0;
    for (;;) {
      const events = await reader.auditEvent.findMany({
        where: { seq: { gt: cursor } },
        orderBy: { seq: 'asc' },
        take: PAGE,
        select: { seq: true, ts: true, operation: true, outcome: true, actorRole: true, actorId: true },
      });
      for (const e of events) {
        if (e.outcome !== 'success' || !e.actorId || !e.actorRole || !roles.includes(e.actorRole)) continue;
        tailCount += 1;
        addUsage(tail, e.actorId, e.operation, e.actorRole, e.ts, e.seq);
      }
      if (events.length < PAGE) break;
      cursor = events[events.length - 1]!.seq;
    }

    // People per (role, catalog operation) in the window: an operation evidenced by
    // several event ids, and anyone in the tail, is counted from the actual people
    // (read from the rollup for just those), so nobody is counted twice.
    const multi = new Set<string>();
    for (const def of Object.values(OPERATIONS) as OperationDefinition[]) {
      const events = evidenceEventsOf(def.id as OperationId);
      if (events.length > 1) for (const e of events) multi.add(e);
    }
    const tailActors = [...new Set([...tail.values()].map((c) => c.actorId))];
    const known: { actorId: string; operation: string; actorRole: string }[] = [];
    if (multi.size) {
      known.push(
        ...(await reader.auditUsageRollup.findMany({
          where: { operation: { in: [...multi] }, actorRole: { in: roles }, lastTs: { gte: since } },
          select: { actorId: true, operation: true, actorRole: true },
        })),
      );
    }
    for (let i = 0; i < tailActors.length; i += IN_CHUNK) {
      known.push(
        ...(await reader.auditUsageRollup.findMany({
          where: { actorId: { in: tailActors.slice(i, i + IN_CHUNK) }, actorRole: { in: roles }, lastTs: { gte: since } },
          select: { actorId: true, operation: true, actorRole: true },
        })),
      );
    }
    const people = new Map<string, Set<string>>();
    const addPerson = (role: string, eventOp: string, actorId: string) => {
      for (const op of operationsEvidencedBy(eventOp)) {
        const k = key(role, op);
        const set = people.get(k) ?? new Set<string>();
        set.add(actorId);
        people.set(k, set);
      }
    };
    for (const r of known) addPerson(r.actorRole, r.operation, r.actorId);
    for (const c of tail.values()) if (c.lastTs.getTime() >= since.getTime()) addPerson(c.actorRole, c.operation, c.actorId);

    const last = new Map<string, Date>();
    const users = new Map<string, number>();
    const tailByEvent = new Map<string, Date>();
    for (const c of tail.values()) {
      const k = key(c.actorRole, c.operation);
      const prev = tailByEvent.get(k);
      if (!prev || c.lastTs > prev) tailByEvent.set(k, c.lastTs);
    }
    for (const role of roles) {
      for (const g of grantedOperations(role)) {
        const events = evidenceEventsOf(g.op);
        let latest: Date | null = null;
        for (const e of events) {
          for (const d of [lastByEvent.get(key(role, e)), tailByEvent.get(key(role, e))]) if (d && (!latest || d > latest)) latest = d;
        }
        if (latest) last.set(key(role, g.op), latest);
        const k = key(role, g.op);
        if (events.length > 1) {
          users.set(k, people.get(k)?.size ?? 0);
        } else {
          // Rollup count for everyone, plus the tail's people the rollup does not already hold in the window.
          const fromRollup = countByEvent.get(key(role, events[0]!)) ?? 0;
          const knownSet = new Set(known.filter((r) => r.actorRole === role && r.operation === events[0]).map((r) => r.actorId));
          let added = 0;
          for (const actorId of people.get(k) ?? []) if (!knownSet.has(actorId)) added += 1;
          users.set(k, fromRollup + added);
        }
      }
    }
    return { lastTs: last, windowUsers: users, tailEvents: tailCount, throughSeq: through };
  });

  const report: RoleUsageDTO[] = USAGE_ROLES.map((role) => {
    const total = holderRows.filter((h) => h.role === role).reduce((a, h) => a + h._count._all, 0);
    const active = holderRows.filter((h) => h.role === role && h.status === 'active').reduce((a, h) => a + h._count._all, 0);
    const granted = grantedOperations(role);
    const rows: RoleOperationUsageDTO[] = granted.map((g) => ({
      op: g.op,
      description: g.description,
      risk: g.risk,
      demands: g.demands,
      ownAccount: g.ownAccount,
      lastUsedAt: lastTs.get(key(role, g.op)) ?? null,
      usersInWindow: windowUsers.get(key(role, g.op)) ?? 0,
    }));
    const last = new Map<string, Date | null>(rows.map((r) => [r.op, r.usersInWindow > 0 ? r.lastUsedAt : null]));
    const unused = unusedSince(granted, last, since);
    const privs = privileges(granted).length;
    return {
      role,
      holders: { total, active },
      granted: rows,
      privileges: privs,
      usedInWindow: privs - unused.length,
      unusedInWindow: unused,
    };
  });
  return { days, since, roles: report, watermark: { throughSeq, tailEvents } };
}

/**
 * Records that the viewer opened the usage report (audit of the auditors, like
 * the browser and the dashboards): an `audit.view` with the view and window,
 * on the person for the per-person page. Fail closed: pages call it before
 * showing anything, and if it cannot be written the page fails.
 */
export async function recordUsageView(viewer: Viewer, what: { view: 'usage_by_role' | 'usage_user'; days: number; userId?: string }) {
  const rule = assertMayAnalyze(viewer);
  const client = await db();
  await client.$transaction((tx) =>
    recordAudit(tx, {
      actor: { id: viewer.userId, role: viewer.role, sessionId: viewer.sessionId },
      operation: 'audit.view',
      target: what.userId ? { type: 'User', id: what.userId } : { type: 'AuditTrail', id: 'usage' },
      outcome: 'success',
      decision: rule,
      details: { view: what.view, days: what.days },
    }),
  );
}

// ----- The per-person page's other facts -----------------------------------------

export interface UserReviewItemDTO {
  itemId: string;
  review: { id: string; number: number; title: string; kind: string; status: string };
  roleAtStart: string;
  decision: string;
  newRole: string | null;
  reason: string | null;
  reviewer: { id: string; name: string } | null;
  decidedAt: Date | null;
  startedAt: Date;
}

/** The access review items about one person, newest campaign first (usage readers only). */
export async function userReviewItems(viewer: Viewer, userId: string, take = 100): Promise<UserReviewItemDTO[]> {
  assertMayAnalyze(viewer);
  const client = await db();
  const items = await client.accessReviewItem.findMany({
    where: { userId },
    select: {
      id: true,
      roleAtStart: true,
      decision: true,
      newRole: true,
      reason: true,
      decidedById: true,
      decidedAt: true,
      review: { select: { id: true, number: true, title: true, kind: true, status: true, createdAt: true } },
    },
    orderBy: [{ review: { createdAt: 'desc' } }, { id: 'desc' }],
    take,
  });
  const ability = abilityFor(viewer);
  const visible = items.filter((i) => decide(ability, 'read', 'AccessReview', { id: i.review.id, status: i.review.status }).allowed);
  const reviewerIds = [...new Set(visible.map((i) => i.decidedById).filter((x): x is string => !!x))];
  const reviewers = reviewerIds.length
    ? await client.user.findMany({ where: { id: { in: reviewerIds } }, select: { id: true, name: true } })
    : [];
  const names = new Map(reviewers.map((r) => [r.id, r.name]));
  return visible.map((i) => ({
    itemId: i.id,
    review: { id: i.review.id, number: i.review.number, title: i.review.title, kind: i.review.kind, status: i.review.status },
    roleAtStart: i.roleAtStart,
    decision: i.decision,
    newRole: i.newRole,
    reason: i.reason,
    reviewer: i.decidedById ? { id: i.decidedById, name: names.get(i.decidedById) ?? i.decidedById } : null,
    decidedAt: i.decidedAt,
    startedAt: i.review.createdAt,
  }));
}

export interface UsageUserHitDTO {
  id: string;
  name: string;
  email: string;
  role: string;
  status: string;
  lastActiveAt: Date | null;
}

/** The user finder of /access: console users whose name or email contains `q` (up to 20). */
export async function findUsageUsers(viewer: Viewer, q: string): Promise<UsageUserHitDTO[]> {
  assertMayAnalyze(viewer);
  const text = q.trim();
  if (!text) return [];
  const client = await db();
  return client.user.findMany({
    where: {
      deletedAt: null,
      role: { in: [...CONSOLE_ROLES] },
      OR: [{ email: { contains: text.toLowerCase() } }, { name: { contains: text } }],
    },
    select: { id: true, name: true, email: true, role: true, status: true, lastActiveAt: true },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    take: 20,
  });
}
