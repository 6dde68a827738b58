import 'server-only';
import { randomUUID } from 'node:crypto';
import { lockAuditChain } from '@/lib/audit/append';
import { recordAudit, recordAuditWith } from '@/lib/audit/record';
import type { Viewer } from '@/lib/auth/viewer';
import { approvableFor } from '@/lib/approvals/approvable';
import { approvalDigest, type ApprovalSummary } from '@/lib/approvals/digest';
import { abilityFor, decide, InvalidPrincipalError, scopedWhere } from '@/lib/authz/ability';
import type { Authorization } from '@/lib/authz/authorization';
import { checkAbility } from '@/lib/authz/check-ability';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { setting } from '@/lib/config/settings';
import { db, type Tx } from '@/lib/db';
import { logFor } from '@/lib/log';
import { requestContext } from '@/lib/request/context';
import { hasSufficientReason } from '@/lib/validation/reason';
import type { ApprovalStatus } from '@/lib/validation/approvals';
import { operation, OPERATIONS, type OperationDefinition, type OperationId } from '@/policies/operations';
import { isConsoleRole } from '@/policies/roles';
import { assertActorStillLive, linkAccessReviewApproval, stepUpDetails } from './audit-details';

/**
 * Two-person approval (issue 8; ARCHITECTURE "reason/approval check"). A call
 * of a two-person operation that passes every other check (rule, reason, the
 * requester's step-up) becomes a request: the exact operation, input and the
 * state of its target are frozen with their digest. Someone else — never the
 * requester, never the person it benefits — who is allowed the operation's
 * approver ability on that same record approves that digest with a step-up of
 * their own; the operation then runs once, as the requester, after the policy
 * is checked again. Requests expire (approvals.expiry, default 24 h). Every
 * step is an audit event targeting the request, and the execution's event
 * carries the approval, so the trail links request → decision → change.
 */

const FROZEN_STATES = ['pending', 'approved'] as const;

function plainInput(input: unknown): unknown {
  // Optional fields the schema left undefined are not part of the frozen input.
  return JSON.parse(JSON.stringify(input ?? {}));
}

/** Freezes a two-person operation as a pending request (called by defineAction). */
export async function requestApproval(authz: Authorization, input: unknown): Promise<{ id: string; expiresAt: Date }> {
  const approvable = approvableFor(authz.op);
  if (!approvable) throw new Error(`${authz.op} is two-person but has no entry in lib/approvals/approvable.ts`);
  const frozenInput = plainInput(input);
  const lifetime = await setting('approvals.expiry');
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const { baseline, summary } = await approvable.freeze(tx, authz, input);
    const digest = approvalDigest(authz.op, frozenInput, baseline);
    const duplicate = await tx.approvalRequest.findFirst({
      where: { digest, requesterId: authz.viewer.userId, status: 'pending', expiresAt: { gt: now() } },
      select: { id: true },
    });
    if (duplicate) throw new ActionError('CONFLICT', 'You already asked for exactly this; it is waiting in the approvals inbox.');
    const at = now();
    const expiresAt = new Date(at.getTime() + lifetime);
    const target = approvable.targetRef(input);
    const beneficiaryId = approvable.beneficiary(input);
    const request = await tx.approvalRequest.create({
      data: {
        operation: authz.op,
        input: JSON.stringify(frozenInput),
        baseline: JSON.stringify(baseline),
        digest,
        summary: JSON.stringify(summary),
        requesterId: authz.viewer.userId,
        requesterRole: authz.viewer.role,
        requesterSessionId: authz.viewer.sessionId,
        beneficiaryId,
        targetType: target.type,
        targetId: target.id,
        reason: authz.reason,
        ticketRef: authz.ticketRef,
        createdAt: at,
        expiresAt,
      },
      select: { id: true },
    });
    await approvable.link?.(tx, input, request.id);
    // From an access review campaign: the item waits for this request (lib/dal/audit-details.ts).
    await linkAccessReviewApproval(tx, authz, target, request.id);
    const event = await recordAudit(tx, {
      actor: { id: authz.viewer.userId, role: authz.viewer.role, sessionId: authz.viewer.sessionId },
      operation: 'approval.request',
      target: { type: 'ApprovalRequest', id: request.id },
      outcome: 'success',
      reason: authz.reason,
      decision: authz.rule,
      details: {
        operation: authz.op,
        digest,
        target,
        beneficiaryId,
        expiresAt: expiresAt.toISOString(),
        ...stepUpDetails(authz),
        ...(authz.ticketRef ? { ticketRef: authz.ticketRef } : {}),
      },
    });
    await tx.approvalRequest.update({ where: { id: request.id }, data: { requestSeq: event.seq } });
    return { id: request.id, expiresAt };
  });
}

type RequestRow = Awaited<ReturnType<typeof loadRequest>>;

async function loadRequest(tx: Tx, where: Record<string, unknown>) {
  return tx.approvalRequest.findFirst({ where });
}

/** Ends a request that can no longer run, with its event, in the caller's transaction. */
async function endRequest(
  tx: Tx,
  request: NonNullable<RequestRow>,
  status: 'expired' | 'voided' | 'failed',
  operationId: 'approval.expire' | 'approval.void' | 'approval.execute',
  reasonCode: string,
  actor: { id: string; role: string; sessionId: string | null } | null,
  from: readonly string[] = FROZEN_STATES,
) {
  const ended = await tx.approvalRequest.updateMany({
    where: { id: request.id, status: { in: [...from] } },
    data: { status, failureReason: reasonCode, ...(status === 'expired' || status === 'voided' ? { decidedAt: now() } : {}) },
  });
  if (ended.count !== 1) return false;
  const input = safeJson(request.input);
  await approvableFor(request.operation)?.close?.(tx, input, 'ended');
  await recordAudit(tx, {
    actor,
    operation: operationId,
    target: { type: 'ApprovalRequest', id: request.id },
    outcome: status === 'failed' ? 'failure' : 'success',
    reasonCode,
    details: { operation: request.operation, digest: request.digest, requesterId: request.requesterId, status },
  });
  return true;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Whether the stored request still matches its own digest (no one edited it in the database). */
function intact(request: NonNullable<RequestRow>): boolean {
  const input = safeJson(request.input);
  const baseline = safeJson(request.baseline);
  return input !== null && baseline !== null && approvalDigest(request.operation, input, baseline) === request.digest;
}

function sameJson(a: unknown, b: unknown) {
  return JSON.stringify(a) === JSON.stringify(b);
}

export type ApprovalOutcome = { status: 'executed'; result: unknown } | { status: 'failed'; message: string };

/**
 * Approves a request (the approver's step-up was checked by defineAction for
 * this request id and digest) and runs it. Refused, with nothing changed: a
 * digest other than the stored one, the requester or beneficiary approving,
 * an approver whose role may not do the operation on that record. Ended, with
 * its event: an expired request, a tampered one, one whose target changed.
 */
export async function approveRequest(authz: Authorization, input: { id: string; digest: string }): Promise<ApprovalOutcome> {
  const client = await db();
  const actor = { id: authz.viewer.userId, role: authz.viewer.role, sessionId: authz.viewer.sessionId };
  const decided = await client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const request = await loadRequest(tx, scopedWhere(authz.ability, 'approve', 'ApprovalRequest', { id: input.id }));
    if (!request) throw new ActionError('NOT_FOUND', 'That request does not exist, is not waiting for a decision, or is yours.');
    if (request.digest !== input.digest) {
      throw new ActionError('CONFLICT', 'This is not the request you reviewed (its content differs). Open it again; nothing was approved.');
    }
    if (request.requesterId === authz.viewer.userId) throw new ActionError('FORBIDDEN', 'You cannot approve your own request.');
    if (authz.viewer.elevation) throw new ActionError('FORBIDDEN', ELEVATED_APPROVER);
    if (request.beneficiaryId === authz.viewer.userId)
      throw new ActionError('FORBIDDEN', 'You cannot approve a request about your own account.');
    if (request.expiresAt.getTime() <= now().getTime()) {
      await endRequest(tx, request, 'expired', 'approval.expire', 'expired', actor);
      return { ended: 'This request expired before it was approved. Ask for it again if it is still needed.' };
    }
    if (!intact(request)) {
      await endRequest(tx, request, 'voided', 'approval.void', 'digest_mismatch', actor);
      return { ended: 'This request was altered after it was made, so it has been voided. Nothing was changed.' };
    }
    const approvable = approvableFor(request.operation);
    const def = OPERATIONS[request.operation as OperationId] as OperationDefinition | undefined;
    if (!approvable || !def || def.approval !== 'two-person' || !def.approverAbility) {
      throw new ActionError('CONFLICT', 'This kind of request can no longer be approved. Nothing was changed.');
    }
    const parsed = approvable.spec.input.safeParse(safeJson(request.input));
    if (!parsed.success) {
      await endRequest(tx, request, 'voided', 'approval.void', 'input_invalid', actor);
      return { ended: 'This request no longer describes a valid change, so it has been voided. Nothing was changed.' };
    }
    if (!(await approverAllowed(def, approvable.spec, parsed.data, authz))) {
      throw new ActionError('FORBIDDEN', 'Your role may not approve this change. Nothing was changed.');
    }
    const current = await approvable.currentBaseline(tx, parsed.data);
    if (!sameJson(current, safeJson(request.baseline))) {
      await endRequest(tx, request, 'voided', 'approval.void', 'target_changed', actor);
      return {
        ended: 'What this request would change has changed since it was made, so it has been voided. Ask again if it is still needed.',
      };
    }
    const at = now();
    const moved = await tx.approvalRequest.updateMany({
      where: { id: request.id, status: 'pending' },
      data: {
        status: 'approved',
        approverId: authz.viewer.userId,
        approverSessionId: authz.viewer.sessionId,
        decidedAt: at,
        decisionNote: authz.reason,
      },
    });
    if (moved.count !== 1) throw new ActionError('CONFLICT', 'Someone else decided this request a moment ago.');
    const event = await recordAudit(tx, {
      actor,
      operation: 'approval.approve',
      target: { type: 'ApprovalRequest', id: request.id },
      outcome: 'success',
      reason: authz.reason,
      decision: authz.rule,
      details: {
        operation: request.operation,
        digest: request.digest,
        requesterId: request.requesterId,
        ...stepUpDetails(authz),
        ...(authz.ticketRef ? { ticketRef: authz.ticketRef } : {}),
      },
    });
    await tx.approvalRequest.update({ where: { id: request.id }, data: { decisionSeq: event.seq } });
    return { approved: { ...request, decisionSeq: event.seq } };
  });
  if ('ended' in decided) throw new ActionError('CONFLICT', decided.ended!);
  return executeApproved(decided.approved, authz);
}

/** Whether the approver's own role allows the operation's approver ability on the record (before and after). */
async function approverAllowed(
  def: OperationDefinition,
  spec: NonNullable<ReturnType<typeof approvableFor>>['spec'],
  input: unknown,
  authz: Authorization,
): Promise<boolean> {
  const [action, type] = def.approverAbility!;
  const checked = await checkAbility({ ...def, ability: [action, type] }, spec, input, authz.viewer, authz.ability);
  return checked.outcome === 'allowed';
}

/**
 * Runs an approved request as its requester: the requester is rebuilt from the
 * database (still active, same role, role not suspended), the policy is checked
 * again on the record as it is now, and the operation runs in its own
 * transaction, which moves the request approved → executed (so it runs once).
 * If it cannot run, the request is marked failed, with its event.
 */
async function executeApproved(
  request: NonNullable<RequestRow> & { decisionSeq: number },
  approverAuthz: Authorization,
): Promise<ApprovalOutcome> {
  const approver = approverAuthz.viewer;
  const approvable = approvableFor(request.operation)!;
  const op = operation(request.operation as OperationId);
  const fail = async (reasonCode: string, message: string): Promise<ApprovalOutcome> => {
    const client = await db();
    await client.$transaction(async (tx) => {
      await lockAuditChain(tx);
      const fresh = await loadRequest(tx, { id: request.id });
      if (fresh) {
        await endRequest(
          tx,
          fresh,
          'failed',
          'approval.execute',
          reasonCode,
          { id: approver.userId, role: approver.role, sessionId: approver.sessionId },
          ['approved'],
        );
      }
    });
    return { status: 'failed', message };
  };

  const client = await db();
  const user = await client.user.findUnique({
    where: { id: request.requesterId },
    select: { id: true, email: true, name: true, role: true, status: true, deletedAt: true },
  });
  const roleSuspended = user
    ? ((await client.roleState.findUnique({ where: { role: user.role }, select: { suspended: true } }))?.suspended ?? false)
    : true;
  if (
    !user ||
    user.status !== 'active' ||
    user.deletedAt ||
    roleSuspended ||
    !isConsoleRole(user.role) ||
    user.role !== request.requesterRole
  ) {
    return fail(
      'requester_inactive',
      'Approved, but the person who asked can no longer do this (their account or role changed), so nothing was changed.',
    );
  }
  const viewer: Viewer = {
    userId: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    sessionId: request.requesterSessionId,
    authTime: request.createdAt,
    amr: 'approval',
    mfaEnrolled: true,
  };
  let ability;
  try {
    ability = abilityFor(viewer);
  } catch (error) {
    if (error instanceof InvalidPrincipalError)
      return fail('requester_inactive', 'Approved, but the person who asked can no longer do this, so nothing was changed.');
    throw error;
  }
  const parsed = approvable.spec.input.safeParse(safeJson(request.input));
  if (!parsed.success)
    return fail('input_invalid', 'Approved, but the request no longer describes a valid change, so nothing was changed.');
  const checked = await checkAbility(op, approvable.spec, parsed.data, viewer, ability);
  if (checked.outcome !== 'allowed') {
    return fail('policy_changed', 'Approved, but the policy no longer allows the person who asked to do this, so nothing was changed.');
  }
  if (op.reason === 'required' && !hasSufficientReason({ reason: request.reason, ticketRef: request.ticketRef })) {
    return fail('reason_missing', 'Approved, but the request carries no reason, so nothing was changed.');
  }
  const authz: Authorization = {
    viewer,
    ability,
    op: request.operation as OperationId,
    rule: checked.rule,
    reason: request.reason,
    ticketRef: request.ticketRef,
    target: checked.record,
    steppedUp: true,
    // A reviewer's decision from an access review campaign is recorded when the change runs.
    accessReviewItemId: accessReviewItemOf(parsed.data),
    approval: {
      id: request.id,
      digest: request.digest,
      approverId: approver.userId,
      approverRole: approver.role,
      approverSessionId: approver.sessionId,
      requestSeq: request.requestSeq,
      decisionSeq: request.decisionSeq,
    },
  };
  try {
    const result = await approvable.execute(authz, parsed.data);
    return { status: 'executed', result };
  } catch (error) {
    if (error instanceof ActionError) {
      if (error.code === 'UNAUTHENTICATED') throw error;
      return fail(`execution_${error.code.toLowerCase()}`, `Approved, but it could not be carried out: ${error.message}`);
    }
    const { correlationId } = await requestContext();
    logFor(correlationId).error(
      { op: request.operation, approvalId: request.id, err: error instanceof Error ? error.message : String(error) },
      'approved request failed',
    );
    return fail('execution_internal', `Approved, but it could not be carried out. Quote this id: ${correlationId}`);
  }
}

/** Rejects a request, with the approver's reason; nothing else changes. */
export async function rejectRequest(authz: Authorization, id: string): Promise<void> {
  await decideWithoutRunning(authz, id, 'reject');
}

/** The requester withdraws their request; a config change set goes back to their drafts. */
export async function cancelRequest(authz: Authorization, id: string): Promise<void> {
  await decideWithoutRunning(authz, id, 'cancel');
}

async function decideWithoutRunning(authz: Authorization, id: string, action: 'reject' | 'cancel') {
  const client = await db();
  const actor = { id: authz.viewer.userId, role: authz.viewer.role, sessionId: authz.viewer.sessionId };
  const ended = await client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const request = await loadRequest(tx, scopedWhere(authz.ability, action, 'ApprovalRequest', { id }));
    if (!request) throw new ActionError('NOT_FOUND', 'That request does not exist or is no longer waiting for a decision.');
    if (request.expiresAt.getTime() <= now().getTime()) {
      await endRequest(tx, request, 'expired', 'approval.expire', 'expired', actor);
      return 'This request had already expired.';
    }
    if (action === 'reject' && request.beneficiaryId === authz.viewer.userId) {
      throw new ActionError('FORBIDDEN', 'You cannot decide a request about your own account.');
    }
    const status = action === 'reject' ? 'rejected' : 'cancelled';
    const moved = await tx.approvalRequest.updateMany({
      where: { id, status: 'pending' },
      data: {
        status,
        decidedAt: now(),
        decisionNote: authz.reason,
        ...(action === 'reject' ? { approverId: authz.viewer.userId, approverSessionId: authz.viewer.sessionId } : {}),
      },
    });
    if (moved.count !== 1) throw new ActionError('CONFLICT', 'Someone decided this request a moment ago.');
    await approvableFor(request.operation)?.close?.(tx, safeJson(request.input), action === 'cancel' ? 'cancelled' : 'ended');
    const event = await recordAudit(tx, {
      actor,
      operation: action === 'reject' ? 'approval.reject' : 'approval.cancel',
      target: { type: 'ApprovalRequest', id },
      outcome: 'success',
      reason: authz.reason,
      decision: authz.rule,
      details: {
        operation: request.operation,
        digest: request.digest,
        requesterId: request.requesterId,
        ...stepUpDetails(authz),
        ...(authz.ticketRef ? { ticketRef: authz.ticketRef } : {}),
      },
    });
    await tx.approvalRequest.update({ where: { id }, data: { decisionSeq: event.seq } });
    return null;
  });
  if (ended) throw new ActionError('CONFLICT', ended);
}

/**
 * Expires every pending request past its time, each with its own event (actor:
 * system). Run by the scheduler (lib/approvals/expiry-scheduler.ts); approving
 * or rejecting an expired request also ends it first.
 */
export async function expireDueApprovals(limit = 100): Promise<number> {
  const client = await db();
  const due = await client.approvalRequest.findMany({
    where: { status: 'pending', expiresAt: { lte: now() } },
    select: { id: true },
    orderBy: { expiresAt: 'asc' },
    take: limit,
  });
  let expired = 0;
  const ctx = { correlationId: `job-${randomUUID()}`, ip: null, userAgent: 'warden approvals expiry' };
  for (const { id } of due) {
    await client.$transaction(async (tx) => {
      await lockAuditChain(tx);
      const request = await loadRequest(tx, { id, status: 'pending', expiresAt: { lte: now() } });
      if (!request) return;
      const moved = await tx.approvalRequest.updateMany({
        where: { id, status: 'pending' },
        data: { status: 'expired', decidedAt: now(), failureReason: 'expired' },
      });
      if (moved.count !== 1) return;
      await approvableFor(request.operation)?.close?.(tx, safeJson(request.input), 'ended');
      await recordAuditWith(
        tx,
        {
          actor: null,
          operation: 'approval.expire',
          target: { type: 'ApprovalRequest', id },
          outcome: 'success',
          reasonCode: 'expired',
          details: { operation: request.operation, digest: request.digest, requesterId: request.requesterId, status: 'expired' },
        },
        ctx,
      );
      expired += 1;
    });
  }
  return expired;
}

export interface ApprovalRowDTO {
  id: string;
  operation: string;
  operationLabel: string;
  title: string;
  requester: { id: string; name: string; role: string };
  reason: string | null;
  ticketRef: string | null;
  /** The stored status, with a pending request past its time shown as expired. */
  status: ApprovalStatus;
  createdAt: Date;
  expiresAt: Date;
  decidedAt: Date | null;
  /** Whether the viewer may approve or reject it now. */
  canDecide: boolean;
}

export interface ApprovalDetailDTO extends ApprovalRowDTO {
  digest: string;
  summary: ApprovalSummary;
  target: { type: string; id: string };
  beneficiaryId: string | null;
  approver: { id: string; name: string } | null;
  decisionNote: string | null;
  executedAt: Date | null;
  failureReason: string | null;
  requestSeq: number | null;
  decisionSeq: number | null;
  executionSeq: number | null;
  canCancel: boolean;
  /** Why the viewer cannot decide it, in words (null when they can, or it is not pending). */
  whyNot: string | null;
  /** Whether the stored request still matches its digest. */
  intact: boolean;
  /** For a configuration change set: the digest of its items, as the requester reviewed it. */
  changeSetDigest: string | null;
}

/** Approvals are given by people acting in their own role, never on borrowed rights (no chains of elevations). */
const ELEVATED_APPROVER = 'You hold a temporary elevation: approvals are decided by people acting in their own role. Nothing was approved.';

function effectiveStatus(r: { status: string; expiresAt: Date }): ApprovalStatus {
  return r.status === 'pending' && r.expiresAt.getTime() <= now().getTime() ? 'expired' : (r.status as ApprovalStatus);
}

function summaryOf(text: string): ApprovalSummary {
  const s = safeJson(text) as ApprovalSummary | null;
  return s && typeof s.title === 'string' && Array.isArray(s.changes) ? s : { title: 'Request', changes: [] };
}

/** Whether the viewer may decide this pending request: the rule, not theirs, not about them. */
function mayDecide(
  viewer: Viewer,
  ability: ReturnType<typeof abilityFor>,
  r: { requesterId: string; beneficiaryId: string | null; status: string; expiresAt: Date; operation: string },
) {
  if (effectiveStatus(r) !== 'pending') return { ok: false, why: null };
  if (r.requesterId === viewer.userId) return { ok: false, why: 'This is your own request: someone else must approve it.' };
  if (r.beneficiaryId === viewer.userId) return { ok: false, why: 'This request is about your own account: someone else must decide it.' };
  if (viewer.elevation) return { ok: false, why: ELEVATED_APPROVER };
  if (!decide(ability, 'approve', 'ApprovalRequest', { requesterId: r.requesterId, status: r.status }).allowed) {
    return { ok: false, why: 'Your role cannot decide approval requests.' };
  }
  const def = OPERATIONS[r.operation as OperationId] as OperationDefinition | undefined;
  if (!def?.approverAbility) return { ok: false, why: 'This kind of request can no longer be approved.' };
  return { ok: true, why: null };
}

const LIST_SELECT = {
  id: true,
  operation: true,
  summary: true,
  requesterId: true,
  requesterRole: true,
  beneficiaryId: true,
  reason: true,
  ticketRef: true,
  status: true,
  createdAt: true,
  expiresAt: true,
  decidedAt: true,
} as const;

/** The requests the viewer may read, newest first, filtered by status ("pending" = still decidable). */
export async function listApprovals(
  viewer: Viewer,
  filter: { status: ApprovalStatus | 'all'; page: number },
  pageSize = 25,
): Promise<{ rows: ApprovalRowDTO[]; total: number; page: number; pageCount: number }> {
  const ability = abilityFor(viewer);
  const client = await db();
  const at = now();
  const status =
    filter.status === 'all'
      ? {}
      : filter.status === 'pending'
        ? { status: 'pending', expiresAt: { gt: at } }
        : filter.status === 'expired'
          ? { OR: [{ status: 'expired' }, { status: 'pending', expiresAt: { lte: at } }] }
          : { status: filter.status };
  const where = scopedWhere(ability, 'read', 'ApprovalRequest', status);
  const total = await client.approvalRequest.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(filter.page, pageCount);
  const rows = await client.approvalRequest.findMany({
    where,
    orderBy: [{ createdAt: filter.status === 'pending' ? 'asc' : 'desc' }, { id: 'asc' }],
    skip: (page - 1) * pageSize,
    take: pageSize,
    select: LIST_SELECT,
  });
  const people = await client.user.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.requesterId))] } },
    select: { id: true, name: true },
  });
  const name = new Map(people.map((p) => [p.id, p.name]));
  return {
    total,
    page,
    pageCount,
    rows: rows.map((r) => ({
      id: r.id,
      operation: r.operation,
      operationLabel: (OPERATIONS[r.operation as OperationId] as OperationDefinition | undefined)?.description ?? r.operation,
      title: summaryOf(r.summary).title,
      requester: { id: r.requesterId, name: name.get(r.requesterId) ?? 'a former user', role: r.requesterRole },
      reason: r.reason,
      ticketRef: r.ticketRef,
      status: effectiveStatus(r),
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      decidedAt: r.decidedAt,
      canDecide: mayDecide(viewer, ability, r).ok,
    })),
  };
}

/** How many pending requests the viewer could decide now (the navigation badge). */
export async function pendingApprovalCount(viewer: Viewer): Promise<number> {
  const ability = abilityFor(viewer);
  const client = await db();
  return client.approvalRequest.count({
    where: scopedWhere(ability, 'approve', 'ApprovalRequest', {
      status: 'pending',
      expiresAt: { gt: now() },
      OR: [{ beneficiaryId: null }, { beneficiaryId: { not: viewer.userId } }],
    }),
  });
}

/** One request the viewer may read, with its frozen diff and what they may do with it. */
export async function getApproval(viewer: Viewer, id: string): Promise<ApprovalDetailDTO | null> {
  const ability = abilityFor(viewer);
  const client = await db();
  const r = await client.approvalRequest.findFirst({ where: scopedWhere(ability, 'read', 'ApprovalRequest', { id }) });
  if (!r) return null;
  const people = await client.user.findMany({
    where: { id: { in: [r.requesterId, ...(r.approverId ? [r.approverId] : [])] } },
    select: { id: true, name: true },
  });
  const name = new Map(people.map((p) => [p.id, p.name]));
  const decision = mayDecide(viewer, ability, r);
  return {
    id: r.id,
    operation: r.operation,
    operationLabel: (OPERATIONS[r.operation as OperationId] as OperationDefinition | undefined)?.description ?? r.operation,
    title: summaryOf(r.summary).title,
    requester: { id: r.requesterId, name: name.get(r.requesterId) ?? 'a former user', role: r.requesterRole },
    reason: r.reason,
    ticketRef: r.ticketRef,
    status: effectiveStatus(r),
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    decidedAt: r.decidedAt,
    canDecide: decision.ok,
    whyNot: decision.why,
    digest: r.digest,
    summary: summaryOf(r.summary),
    target: { type: r.targetType, id: r.targetId },
    beneficiaryId: r.beneficiaryId,
    approver: r.approverId ? { id: r.approverId, name: name.get(r.approverId) ?? 'a former user' } : null,
    decisionNote: r.decisionNote,
    executedAt: r.executedAt,
    failureReason: r.failureReason,
    requestSeq: r.requestSeq,
    decisionSeq: r.decisionSeq,
    executionSeq: r.executionSeq,
    canCancel:
      effectiveStatus(r) === 'pending' &&
      decide(ability, 'cancel', 'ApprovalRequest', { requesterId: r.requesterId, status: r.status }).allowed,
    intact: intact(r),
    changeSetDigest: changeSetDigestOf(r.input),
  };
}

/** The change-set digest inside a frozen configuration request's input, if there is one. */
function changeSetDigestOf(input: string): string | null {
  const parsed = safeJson(input) as { digest?: unknown } | null;
  return parsed && typeof parsed.digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(parsed.digest) ? parsed.digest : null;
}

/** The access review item a frozen input names (optional `accessReviewItemId`), if any. */
function accessReviewItemOf(input: unknown): string | null {
  if (typeof input !== 'object' || input === null) return null;
  const id = (input as { accessReviewItemId?: unknown }).accessReviewItemId;
  return typeof id === 'string' && id.length > 0 ? id : null;
}
