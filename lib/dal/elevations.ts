import 'server-only';
import { randomUUID } from 'node:crypto';
import { lockAuditChain } from '@/lib/audit/append';
import { recordAuditWith } from '@/lib/audit/record';
import type { Viewer } from '@/lib/auth/viewer';
import type { Authorization } from '@/lib/authz/authorization';
import { abilityFor, decide, scopedWhere } from '@/lib/authz/ability';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { settingIn } from '@/lib/config/settings';
import { db, type Db, type Tx } from '@/lib/db';
import type { ApprovalSummary } from '@/lib/approvals/digest';
import type { z } from 'zod';
import type { BreakGlassSchema, ElevationRequestSchema } from '@/lib/validation/elevation';
import { decideCell, scopesFor } from '@/policies/matrix';
import { OPERATIONS, type OperationDefinition, type OperationId } from '@/policies/operations';
import { ELEVATION_TARGETS } from '@/policies/rules';
import type { ConsoleRole, Role } from '@/policies/roles';
import { assertActorStillLive, recordAuthorized } from './audit-details';

/**
 * Time-bound elevation (just-in-time access, issue 10). A console user asks to
 * hold a higher role — or one operation of it — for a bounded time, with a
 * reason; a second person approves (the two-person machinery of
 * lib/dal/approvals.ts), and the elevation starts when the approval executes.
 * It is never "switched off" by a job: every request re-reads it (getViewer)
 * and ignores it from its expiry on, so the elevated session loses the rights
 * on its next request on every instance. The sweep here only records the end.
 *
 * Break-glass: a superadmin, in an emergency, lets their own two-person
 * operations run without waiting for an approver, for a bounded time. It starts
 * at once, raises a critical alert (lib/monitoring/rules.ts) and opens a
 * mandatory access review of the holder, decided by the other superadmins and
 * signed off by an auditor.
 */

type ParsedRequest = z.output<typeof ElevationRequestSchema>;
type ParsedBreakGlass = z.output<typeof BreakGlassSchema>;

const MINUTE = 60_000;
/** Break-glass reviews are due this long after the break-glass began. */
export const BREAK_GLASS_REVIEW_DUE_MS = 3 * 24 * 60 * MINUTE;

/** The record the policy decides a request on (the same for requester, approver and execution). */
export function elevationRequestDraft(input: ParsedRequest): Record<string, unknown> {
  return { userId: input.userId, baseRole: input.baseRole, role: input.role, scope: input.scope };
}

export function breakGlassDraft(input: Pick<ParsedBreakGlass, 'userId'>): Record<string, unknown> {
  return { userId: input.userId, baseRole: 'superadmin', role: 'superadmin', scope: 'break_glass' };
}

/** The operations a role may be lent one by one: granted to `role` somewhere, and to `base` nowhere. */
export function lendableOperations(base: ConsoleRole, role: ConsoleRole): OperationDefinition[] {
  return (Object.values(OPERATIONS) as OperationDefinition[]).filter((op) => {
    if (op.audience !== 'viewer' || !op.ability || op.id.startsWith('elevation.')) return false;
    const scopes = scopesFor(op);
    const gives = (r: ConsoleRole) => scopes.some((s) => decideCell(op, s, r).decision !== 'deny');
    return gives(role) && !gives(base);
  });
}

/** The roles `base` may ask to hold (policies/rules.ts ELEVATION_TARGETS). */
export function elevationTargets(base: Role): readonly ConsoleRole[] {
  return ((ELEVATION_TARGETS as Partial<Record<Role, readonly ConsoleRole[]>>)[base] ?? []) as readonly ConsoleRole[];
}

async function maxMinutes(tx: Tx | Db): Promise<number> {
  return Math.floor((await settingIn(tx, 'elevation.max_duration')) / MINUTE);
}

function describeElevation(input: { scope: string; role: string; operation?: string | null }): string {
  if (input.scope === 'operation' && input.operation) return `${input.operation} as ${input.role}`;
  if (input.scope === 'break_glass') return 'break-glass (two-person operations without an approver)';
  return `the ${input.role} role`;
}

async function baseline(tx: Tx, userId: string) {
  const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, role: true, status: true, deletedAt: true } });
  const active = await tx.elevation.findFirst({
    where: { userId, status: 'active', expiresAt: { gt: now() } },
    select: { id: true },
  });
  return {
    user: user ? { id: user.id, role: user.role, status: user.status, deleted: user.deletedAt !== null } : null,
    activeElevation: active?.id ?? null,
  };
}

/** Checks what the rules cannot see (the operation is really lent, the duration is within the maximum). */
async function assertRequestSound(tx: Tx, input: ParsedRequest) {
  if (!elevationTargets(input.baseRole).includes(input.role)) {
    throw new ActionError('VALIDATION', `Your role cannot ask to hold ${input.role}.`);
  }
  if (input.scope === 'operation') {
    const lendable = lendableOperations(input.baseRole, input.role).map((o) => o.id);
    if (!input.operation || !lendable.includes(input.operation)) {
      throw new ActionError('VALIDATION', `Choose an operation the ${input.role} role has and yours does not.`);
    }
  }
  const max = await maxMinutes(tx);
  if (input.minutes > max) throw new ActionError('VALIDATION', `Ask for at most ${max} minutes (the configured maximum).`);
}

/** Approvals: what the request is frozen against, and what the approver sees. */
export async function freezeElevationRequest(
  tx: Tx,
  _authz: Authorization,
  input: ParsedRequest,
): Promise<{ baseline: unknown; summary: ApprovalSummary }> {
  await assertRequestSound(tx, input);
  const state = await baseline(tx, input.userId);
  const user = await tx.user.findUnique({ where: { id: input.userId }, select: { name: true, email: true } });
  if (!state.user || !user) throw new ActionError('NOT_FOUND', 'That user does not exist.');
  if (state.activeElevation) throw new ActionError('CONFLICT', 'You already hold an elevation. End it before asking for another.');
  return {
    baseline: state,
    summary: {
      title: `Let ${user.name} use ${describeElevation(input)} for ${input.minutes} minutes`,
      changes: [
        { label: 'Who', before: `${user.name} <${user.email}>`, after: `${user.name} <${user.email}>` },
        { label: input.scope === 'operation' ? 'Operation' : 'Role', before: input.baseRole, after: describeElevation(input) },
        { label: 'Ends', before: '—', after: `${input.minutes} minutes after approval, by itself` },
      ],
    },
  };
}

export async function currentElevationBaseline(tx: Tx, input: ParsedRequest) {
  return baseline(tx, input.userId);
}

/** Runs an approved request (as the requester): the elevation starts now and ends by itself. */
export async function startApprovedElevation(authz: Authorization, input: ParsedRequest) {
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    await assertRequestSound(tx, input);
    if (input.userId !== authz.viewer.userId) throw new ActionError('FORBIDDEN', 'An elevation is only ever for the person who asked.');
    const state = await baseline(tx, input.userId);
    if (state.activeElevation) throw new ActionError('CONFLICT', 'You already hold an elevation. End it before asking for another.');
    const at = now();
    const expiresAt = new Date(at.getTime() + input.minutes * MINUTE);
    const elevation = await tx.elevation.create({
      data: {
        userId: input.userId,
        baseRole: input.baseRole,
        role: input.role,
        scope: input.scope,
        operation: input.scope === 'operation' ? (input.operation ?? null) : null,
        reason: authz.reason ?? '',
        ticketRef: authz.ticketRef,
        status: 'active',
        startsAt: at,
        expiresAt,
        approvalId: authz.approval?.id ?? null,
        approverId: authz.approval?.approverId ?? null,
      },
    });
    const event = await recordAuthorized(tx, authz, {
      target: { type: 'Elevation', id: elevation.id },
      details: {
        userId: input.userId,
        baseRole: input.baseRole,
        role: input.role,
        scope: input.scope,
        ...(input.operation ? { operation: input.operation } : {}),
        minutes: input.minutes,
        startsAt: at.toISOString(),
        expiresAt: expiresAt.toISOString(),
      },
    });
    await tx.elevation.update({ where: { id: elevation.id }, data: { startSeq: event.seq } });
    return { id: elevation.id, expiresAt: expiresAt.toISOString() };
  });
}

/**
 * Break-glass: starts at once for the superadmin themselves, and in the same
 * transaction opens the mandatory review (reviewers: every other active
 * superadmin; an auditor signs it off). The critical alert is raised from the
 * event by the monitoring rule `elevation.break_glass`.
 */
export async function breakGlass(authz: Authorization, input: ParsedBreakGlass) {
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    if (input.userId !== authz.viewer.userId) throw new ActionError('FORBIDDEN', 'Break-glass is only ever for yourself.');
    const max = await maxMinutes(tx);
    if (input.minutes > max) throw new ActionError('VALIDATION', `At most ${max} minutes (the configured maximum).`);
    const state = await baseline(tx, input.userId);
    if (state.activeElevation) throw new ActionError('CONFLICT', 'You already hold an elevation. End it first.');
    const at = now();
    const expiresAt = new Date(at.getTime() + input.minutes * MINUTE);
    const holder = await tx.user.findUniqueOrThrow({
      where: { id: input.userId },
      select: { id: true, name: true, role: true, status: true },
    });
    const reviewers = await tx.user.findMany({
      where: { role: 'superadmin', status: 'active', deletedAt: null, id: { not: holder.id } },
      select: { id: true },
      orderBy: { createdAt: 'asc' },
      take: 10,
    });
    const last = await tx.accessReview.findFirst({ orderBy: { number: 'desc' }, select: { number: true } });
    const number = (last?.number ?? 0) + 1;
    const review = await tx.accessReview.create({
      data: {
        number,
        title: `Break-glass by ${holder.name}`,
        kind: 'break_glass',
        status: 'open',
        scope: JSON.stringify({ roles: [], userIds: [holder.id] }),
        usageDays: 7,
        dueAt: new Date(at.getTime() + BREAK_GLASS_REVIEW_DUE_MS),
        createdById: holder.id,
        createdAt: at,
        updatedAt: at,
        reviewers: { create: reviewers.map((r) => ({ userId: r.id })) },
        items: { create: [{ userId: holder.id, roleAtStart: holder.role, statusAtStart: holder.status }] },
      },
    });
    const elevation = await tx.elevation.create({
      data: {
        userId: holder.id,
        baseRole: holder.role,
        role: 'superadmin',
        scope: 'break_glass',
        reason: authz.reason ?? '',
        ticketRef: authz.ticketRef,
        status: 'active',
        startsAt: at,
        expiresAt,
        reviewId: review.id,
      },
    });
    const event = await recordAuthorized(tx, authz, {
      target: { type: 'Elevation', id: elevation.id },
      details: {
        userId: holder.id,
        minutes: input.minutes,
        startsAt: at.toISOString(),
        expiresAt: expiresAt.toISOString(),
        review: { id: review.id, number, reviewers: reviewers.map((r) => r.id) },
      },
    });
    await tx.elevation.update({ where: { id: elevation.id }, data: { startSeq: event.seq } });
    await tx.accessReview.update({ where: { id: review.id }, data: { startSeq: event.seq } });
    return { id: elevation.id, expiresAt: expiresAt.toISOString(), reviewId: review.id, reviewNumber: number };
  });
}

/** Ends an elevation early: its holder, or a superadmin. */
export async function endElevation(authz: Authorization, id: string) {
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const row = await tx.elevation.findFirst({
      where: scopedWhere(authz.ability, 'end', 'Elevation', { id }),
      select: { id: true, userId: true, role: true, scope: true, expiresAt: true },
    });
    if (!row) throw new ActionError('CONFLICT', 'That elevation has already ended.');
    const at = now();
    const endReason = row.userId === authz.viewer.userId ? 'ended_by_holder' : 'revoked';
    const ended = await tx.elevation.updateMany({
      where: { id, status: 'active' },
      data: { status: 'ended', endedAt: at, endReason, endedById: authz.viewer.userId },
    });
    if (ended.count !== 1) throw new ActionError('CONFLICT', 'That elevation has already ended.');
    const event = await recordAuthorized(tx, authz, {
      target: { type: 'Elevation', id },
      details: { userId: row.userId, role: row.role, scope: row.scope, endReason, expiresAt: row.expiresAt.toISOString() },
    });
    await tx.elevation.update({ where: { id }, data: { endSeq: event.seq } });
    return { endedAt: at.toISOString() };
  });
}

/**
 * Records the end of every elevation past its expiry (and of those whose holder
 * no longer has the role they were granted on), one `elevation.expire` event
 * each. The rights stopped at the expiry already; this makes the record true.
 * Safe on several instances: each row moves active → expired once.
 */
export async function expireDueElevations(client?: Db): Promise<number> {
  const c = client ?? (await db());
  const at = now();
  const due = await c.elevation.findMany({
    where: { status: 'active', expiresAt: { lte: at } },
    select: { id: true },
    orderBy: { expiresAt: 'asc' },
    take: 200,
  });
  const stale = await c.elevation.findMany({
    where: { status: 'active', expiresAt: { gt: at } },
    select: { id: true, baseRole: true, user: { select: { role: true, status: true, deletedAt: true } } },
    take: 200,
  });
  const changed = stale.filter((e) => e.user.role !== e.baseRole || e.user.status !== 'active' || e.user.deletedAt);
  let count = 0;
  const ctx = { correlationId: `job-${randomUUID()}`, ip: null, userAgent: null };
  for (const { id, reason } of [
    ...due.map((e) => ({ id: e.id, reason: 'expired' })),
    ...changed.map((e) => ({ id: e.id, reason: 'holder_changed' })),
  ]) {
    await c.$transaction(async (tx) => {
      await lockAuditChain(tx);
      const row = await tx.elevation.findUnique({
        where: { id },
        select: { userId: true, role: true, scope: true, expiresAt: true, status: true },
      });
      if (!row || row.status !== 'active') return;
      const endedAt = reason === 'expired' ? row.expiresAt : now();
      await tx.elevation.update({
        where: { id },
        data: { status: reason === 'expired' ? 'expired' : 'ended', endedAt, endReason: reason },
      });
      const event = await recordAuditWith(
        tx,
        {
          actor: null,
          operation: 'elevation.expire',
          target: { type: 'Elevation', id },
          outcome: 'success',
          reasonCode: reason,
          details: { userId: row.userId, role: row.role, scope: row.scope, expiresAt: row.expiresAt.toISOString() },
          decision: 'governance.elevation_expiry',
        },
        ctx,
      );
      await tx.elevation.update({ where: { id }, data: { endSeq: event.seq } });
      count += 1;
    });
  }
  return count;
}

// ----- Reading -----

export interface ElevationRowDTO {
  id: string;
  user: { id: string; name: string; email: string };
  baseRole: string;
  role: string;
  scope: 'role' | 'operation' | 'break_glass';
  operation: string | null;
  reason: string;
  ticketRef: string | null;
  status: 'active' | 'ended' | 'expired';
  /** Active in the record but past its expiry: no longer in force. */
  inForce: boolean;
  startsAt: string;
  expiresAt: string;
  endedAt: string | null;
  endReason: string | null;
  approvalId: string | null;
  approver: string | null;
  reviewId: string | null;
  startSeq: number | null;
  endSeq: number | null;
  canEnd: boolean;
}

const ROW_SELECT = {
  id: true,
  userId: true,
  baseRole: true,
  role: true,
  scope: true,
  operation: true,
  reason: true,
  ticketRef: true,
  status: true,
  startsAt: true,
  expiresAt: true,
  endedAt: true,
  endReason: true,
  approvalId: true,
  approverId: true,
  reviewId: true,
  startSeq: true,
  endSeq: true,
  user: { select: { id: true, name: true, email: true } },
} as const;

type Row = NonNullable<Awaited<ReturnType<Tx['elevation']['findFirst']>>> & { user: { id: string; name: string; email: string } };

async function toDTOs(client: Db, viewer: Viewer, rows: Row[]): Promise<ElevationRowDTO[]> {
  const ability = abilityFor(viewer);
  const approverIds = [...new Set(rows.map((r) => r.approverId).filter((x): x is string => !!x))];
  const approvers = approverIds.length
    ? await client.user.findMany({ where: { id: { in: approverIds } }, select: { id: true, name: true } })
    : [];
  const names = new Map(approvers.map((a) => [a.id, a.name]));
  const at = now();
  return rows.map((r) => {
    const inForce = r.status === 'active' && r.expiresAt > at && r.startsAt <= at;
    return {
      id: r.id,
      user: r.user,
      baseRole: r.baseRole,
      role: r.role,
      scope: r.scope as ElevationRowDTO['scope'],
      operation: r.operation,
      reason: r.reason,
      ticketRef: r.ticketRef,
      status: r.status as ElevationRowDTO['status'],
      inForce,
      startsAt: r.startsAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
      endedAt: r.endedAt?.toISOString() ?? null,
      endReason: r.endReason,
      approvalId: r.approvalId,
      approver: r.approverId ? (names.get(r.approverId) ?? r.approverId) : null,
      reviewId: r.reviewId,
      startSeq: r.startSeq,
      endSeq: r.endSeq,
      canEnd: inForce && decide(ability, 'end', 'Elevation', { id: r.id, userId: r.userId, status: r.status }).allowed,
    };
  });
}

export const ELEVATION_PAGE_SIZE = 25;

/** The elevations the viewer may read, newest first. */
export async function listElevations(
  viewer: Viewer,
  filter: { status: 'active' | 'all' | 'break_glass' | 'mine'; page: number },
): Promise<{ rows: ElevationRowDTO[]; total: number; page: number; pageCount: number }> {
  const client = await db();
  const at = now();
  const where =
    filter.status === 'active'
      ? { status: 'active', expiresAt: { gt: at } }
      : filter.status === 'break_glass'
        ? { scope: 'break_glass' }
        : filter.status === 'mine'
          ? { userId: viewer.userId }
          : {};
  const scoped = scopedWhere(abilityFor(viewer), 'read', 'Elevation', where);
  const total = await client.elevation.count({ where: scoped });
  const pageCount = Math.max(1, Math.ceil(total / ELEVATION_PAGE_SIZE));
  const page = Math.min(filter.page, pageCount);
  const rows = await client.elevation.findMany({
    where: scoped,
    select: ROW_SELECT,
    orderBy: [{ startsAt: 'desc' }, { id: 'desc' }],
    skip: (page - 1) * ELEVATION_PAGE_SIZE,
    take: ELEVATION_PAGE_SIZE,
  });
  return { rows: await toDTOs(client, viewer, rows as Row[]), total, page, pageCount };
}

/** Every elevation one user held (for the per-user access page), newest first. */
export async function elevationsOf(viewer: Viewer, userId: string, take = 100): Promise<ElevationRowDTO[]> {
  const client = await db();
  const rows = await client.elevation.findMany({
    where: scopedWhere(abilityFor(viewer), 'read', 'Elevation', { userId }),
    select: ROW_SELECT,
    orderBy: [{ startsAt: 'desc' }, { id: 'desc' }],
    take,
  });
  return toDTOs(client, viewer, rows as Row[]);
}

export interface ElevationOverviewDTO {
  current: ElevationRowDTO | null;
  pending: { id: string; title: string; createdAt: string; expiresAt: string }[];
  /** Roles the viewer may ask to hold, with the operations each could lend one by one. */
  targets: { role: ConsoleRole; operations: { id: OperationId; description: string }[] }[];
  maxMinutes: number;
  canBreakGlass: boolean;
  baseRole: ConsoleRole;
}

/** What the Elevation page shows the viewer about their own access. */
export async function elevationOverview(viewer: Viewer): Promise<ElevationOverviewDTO> {
  const client = await db();
  const at = now();
  const baseRole = viewer.baseRole ?? viewer.role;
  const current = await client.elevation.findFirst({
    where: { userId: viewer.userId, status: 'active', startsAt: { lte: at }, expiresAt: { gt: at } },
    select: ROW_SELECT,
    orderBy: { startsAt: 'desc' },
  });
  const pending = await client.approvalRequest.findMany({
    where: { requesterId: viewer.userId, operation: 'elevation.request', status: { in: ['pending', 'approved'] }, expiresAt: { gt: at } },
    select: { id: true, summary: true, createdAt: true, expiresAt: true },
    orderBy: { createdAt: 'desc' },
    take: 10,
  });
  const baseAbility = abilityFor({ userId: viewer.userId, role: baseRole, elevation: null });
  const targets = elevationTargets(baseRole)
    .filter((role) => decide(baseAbility, 'request', 'Elevation', { userId: viewer.userId, baseRole, role, scope: 'role' }).allowed)
    .map((role) => ({
      role,
      operations: lendableOperations(baseRole, role).map((o) => ({ id: o.id as OperationId, description: o.description })),
    }));
  const canBreakGlass = decide(baseAbility, 'break_glass', 'Elevation', breakGlassDraft({ userId: viewer.userId })).allowed;
  return {
    current: current ? (await toDTOs(client, viewer, [current as Row]))[0]! : null,
    pending: pending.map((p) => ({
      id: p.id,
      title: titleOf(p.summary),
      createdAt: p.createdAt.toISOString(),
      expiresAt: p.expiresAt.toISOString(),
    })),
    targets,
    maxMinutes: await maxMinutes(client),
    canBreakGlass,
    baseRole,
  };
}

function titleOf(summary: string): string {
  try {
    const parsed = JSON.parse(summary) as { title?: unknown };
    return typeof parsed.title === 'string' ? parsed.title : 'Elevation request';
  } catch {
    return 'Elevation request';
  }
}
