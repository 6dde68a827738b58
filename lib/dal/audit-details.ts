import 'server-only';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import type { Tx } from '@/lib/db';
import type { AuditOperation } from '@/lib/audit/append';
import { recordAudit } from '@/lib/audit/record';
import type { ApprovalExecution, Authorization } from '@/lib/authz/authorization';
import { decideOn } from '@/policies/ability';

/**
 * Appends the success event of an authorized operation in the caller's
 * transaction, the same way for every one: the operation defineAction authorized,
 * the actor, the rule that decided, the reason, and the ticket reference and
 * step-up evidence in `details` (ARCHITECTURE "Audit trail").
 */
export function recordAuthorized(
  tx: Tx,
  authz: Authorization,
  event: { target: { type: string; id: string } | null; details?: Record<string, unknown> },
) {
  const evidence = {
    ...(authz.ticketRef ? { ticketRef: authz.ticketRef } : {}),
    ...stepUpDetails(authz),
    ...elevationEvidence(authz),
  };
  if (authz.accessReviewItemId && authz.incidentId) {
    throw new ActionError(
      'CONFLICT',
      'A change is recorded for an incident or for an access review, not both at once. Nothing was changed.',
    );
  }
  if (authz.approval) return recordApprovedExecution(tx, authz, authz.approval, event, evidence);
  if (authz.incidentId) return recordForIncident(tx, authz, authz.incidentId, event, evidence);
  if (authz.accessReviewItemId) return recordForAccessReview(tx, authz, authz.accessReviewItemId, event, evidence);
  return appendSuccess(tx, authz, event.target, { ...evidence, ...event.details });
}

/**
 * The success event of the operation `authz` authorized, as every path records
 * it: the actor, the rule that decided and the reason. Every catalog operation is
 * also in the audit catalogue (policies/matrix.test.ts).
 */
function appendSuccess(tx: Tx, authz: Authorization, target: { type: string; id: string } | null, details: Record<string, unknown>) {
  return recordAudit(tx, {
    actor: { id: authz.viewer.userId, role: authz.viewer.role, sessionId: authz.viewer.sessionId },
    operation: authz.op as AuditOperation,
    target,
    outcome: 'success',
    reason: authz.reason,
    decision: authz.rule,
    details,
  });
}

/**
 * The event of an operation done for an incident: it joins the incident's
 * timeline in the same transaction. The incident must be open (or contained)
 * and the actor allowed to work on it; otherwise nothing is done.
 */
async function recordForIncident(
  tx: Tx,
  authz: Authorization,
  incidentId: string,
  event: { target: { type: string; id: string } | null; details?: Record<string, unknown> },
  evidence: Record<string, unknown>,
) {
  const incident = await tx.incident.findUnique({
    where: { id: incidentId },
    select: { id: true, status: true, severity: true, number: true },
  });
  if (!incident || incident.status === 'closed') {
    throw new ActionError(
      'CONFLICT',
      'That incident is closed or does not exist, so this cannot be recorded against it. Nothing was changed.',
    );
  }
  if (!decideOn(authz.ability, 'update', 'Incident', incident).allowed) {
    throw new ActionError('FORBIDDEN', 'Your role cannot work on incidents. Nothing was changed.');
  }
  const appended = await appendSuccess(tx, authz, event.target, {
    ...evidence,
    ...event.details,
    incident: { id: incident.id, number: incident.number },
  });
  await tx.incidentLink.create({
    data: { incidentId: incident.id, kind: 'event', eventSeq: appended.seq, authorId: authz.viewer.userId, createdAt: now() },
  });
  return appended;
}

/**
 * The operations a reviewer may apply from an access review campaign, and the
 * decision each records on the campaign item.
 */
const REVIEW_DECISION_OF: Partial<Record<string, 'change_role' | 'suspend'>> = {
  'user.suspend': 'suspend',
  'user.role_change': 'change_role',
  'user.role_grant_privileged': 'change_role',
};

interface ReviewItemContext {
  ref: { id: string; number: number; itemId: string };
  decision: 'change_role' | 'suspend';
}

/**
 * Checks, in the operation's transaction, that it may be recorded as a decision
 * on this access review item: an operation a review applies, a campaign still
 * open that the actor reviews, an item still pending, about the very user the
 * operation changes, and not the actor's own access. Anything else refuses the
 * whole operation (nothing is changed; FORBIDDEN is audited as a denial).
 */
async function reviewItemFor(
  tx: Tx,
  authz: Authorization,
  itemId: string,
  target: { type: string; id: string } | null,
  opts: { approvalId?: string } = {},
): Promise<ReviewItemContext> {
  const decision = REVIEW_DECISION_OF[authz.op];
  if (!decision) {
    throw new ActionError('FORBIDDEN', 'This operation cannot be recorded as an access review decision. Nothing was changed.');
  }
  const item = await tx.accessReviewItem.findUnique({
    where: { id: itemId },
    select: {
      id: true,
      userId: true,
      decision: true,
      approvalId: true,
      review: { select: { id: true, number: true, status: true, kind: true, reviewers: { select: { userId: true } } } },
    },
  });
  if (!item) throw new ActionError('NOT_FOUND', 'That access review item does not exist. Nothing was changed.');
  if (item.review.status !== 'open') {
    throw new ActionError('CONFLICT', 'That access review is closed, so no more decisions can be recorded in it. Nothing was changed.');
  }
  if (!decideOn(authz.ability, 'decide', 'AccessReview', item.review).allowed) {
    throw new ActionError('FORBIDDEN', 'You are not a reviewer of this access review. Nothing was changed.');
  }
  if (item.userId === authz.viewer.userId) {
    throw new ActionError('FORBIDDEN', 'You cannot review your own access: another reviewer must decide it. Nothing was changed.');
  }
  if (!target || target.type !== 'User' || target.id !== item.userId) {
    throw new ActionError('FORBIDDEN', 'That access review item is about someone else. Nothing was changed.');
  }
  if (item.decision !== 'pending') {
    throw new ActionError('CONFLICT', 'This person’s access has already been decided in this review. Nothing was changed.');
  }
  if (opts.approvalId !== undefined && item.approvalId !== opts.approvalId) {
    throw new ActionError('CONFLICT', 'This request is no longer the one the access review is waiting for. Nothing was changed.');
  }
  return { ref: { id: item.review.id, number: item.review.number, itemId: item.id }, decision };
}

/** Records the decision on the item (only if it is still pending: a race rolls the change back). */
async function markReviewItemDecided(
  tx: Tx,
  authz: Authorization,
  review: ReviewItemContext,
  target: { type: string; id: string } | null,
  seq: number,
) {
  const user = target ? await tx.user.findUnique({ where: { id: target.id }, select: { role: true } }) : null;
  const at = now();
  const updated = await tx.accessReviewItem.updateMany({
    where: { id: review.ref.itemId, decision: 'pending' },
    data: {
      decision: review.decision,
      newRole: review.decision === 'change_role' ? (user?.role ?? null) : null,
      reason: authz.reason,
      decidedById: authz.viewer.userId,
      decidedAt: at,
      decisionSeq: seq,
      appliedSeq: seq,
    },
  });
  if (updated.count !== 1) {
    throw new ActionError('CONFLICT', 'Someone decided this person’s access a moment ago. Nothing was changed.');
  }
  await tx.accessReview.update({ where: { id: review.ref.id }, data: { updatedAt: at } });
}

/**
 * The event of a change a reviewer applies from an access review campaign
 * (suspend, change role): the item records the decision, with this event's seq,
 * in the same transaction, and the event names the campaign and item.
 */
async function recordForAccessReview(
  tx: Tx,
  authz: Authorization,
  itemId: string,
  event: { target: { type: string; id: string } | null; details?: Record<string, unknown> },
  evidence: Record<string, unknown>,
) {
  const review = await reviewItemFor(tx, authz, itemId, event.target);
  const appended = await appendSuccess(tx, authz, event.target, { ...evidence, ...event.details, accessReview: review.ref });
  await markReviewItemDecided(tx, authz, review, event.target, appended.seq);
  return appended;
}

/**
 * A reviewer's change of role that needs a second person (user.role_grant_privileged)
 * became an approval request: the item is linked to it (it shows "awaiting
 * approval") and is decided when the approved request runs. Same checks as a
 * direct decision; an item already waiting on a live request is refused.
 */
export async function linkAccessReviewApproval(tx: Tx, authz: Authorization, target: { type: string; id: string }, approvalId: string) {
  if (!authz.accessReviewItemId) return;
  if (authz.incidentId) {
    throw new ActionError(
      'CONFLICT',
      'A change is recorded for an incident or for an access review, not both at once. Nothing was changed.',
    );
  }
  const review = await reviewItemFor(tx, authz, authz.accessReviewItemId, target);
  const item = await tx.accessReviewItem.findUniqueOrThrow({ where: { id: review.ref.itemId }, select: { approvalId: true } });
  if (item.approvalId) {
    const waiting = await tx.approvalRequest.findFirst({
      where: { id: item.approvalId, status: { in: ['pending', 'approved'] } },
      select: { id: true },
    });
    if (waiting) {
      throw new ActionError('CONFLICT', 'A change for this person is already waiting for approval. Nothing was changed.');
    }
  }
  await tx.accessReviewItem.update({ where: { id: review.ref.itemId }, data: { approvalId } });
}

/**
 * The event of an operation that runs because its request was approved. In the
 * same transaction as the change, the request moves approved → executed: a
 * second execution (two approvals racing, a retry) finds it no longer approved
 * and rolls back, so the change happens once.
 */
async function recordApprovedExecution(
  tx: Tx,
  authz: Authorization,
  approval: ApprovalExecution,
  event: { target: { type: string; id: string } | null; details?: Record<string, unknown> },
  evidence: Record<string, unknown>,
) {
  const at = now();
  const claimed = await tx.approvalRequest.updateMany({
    where: { id: approval.id, status: 'approved', digest: approval.digest },
    data: { status: 'executed', executedAt: at },
  });
  if (claimed.count !== 1) throw new ActionError('CONFLICT', 'This request has already been carried out or is no longer approved.');
  // A reviewer's change of role that needed a second person: the campaign item
  // linked to this request records the decision with the change.
  const review = authz.accessReviewItemId
    ? await reviewItemFor(tx, authz, authz.accessReviewItemId, event.target, { approvalId: approval.id })
    : null;
  const appended = await appendSuccess(tx, authz, event.target, {
    ...evidence,
    ...event.details,
    approval: {
      id: approval.id,
      digest: approval.digest,
      approverId: approval.approverId,
      approverRole: approval.approverRole,
      approverSessionId: approval.approverSessionId,
      requestSeq: approval.requestSeq,
      decisionSeq: approval.decisionSeq,
    },
    ...(review ? { accessReview: review.ref } : {}),
  });
  await tx.approvalRequest.update({ where: { id: approval.id }, data: { executionSeq: appended.seq } });
  if (review) await markReviewItemDecided(tx, authz, review, event.target, appended.seq);
  return appended;
}

/**
 * The acting session must still be live when the change is made, not only when
 * the request began: a session revoked (or a user suspended) a moment ago can
 * no longer finish an action that was already in flight. For an approved
 * request, the requester must still be an active holder of the same role (their
 * session may have ended since they asked), and the approver's session must be live.
 */
export async function assertActorStillLive(tx: Tx, authz: Authorization) {
  if (authz.approval) return assertApprovalStillLive(tx, authz, authz.approval);
  const session = await tx.session.findFirst({
    where: {
      id: authz.viewer.sessionId,
      userId: authz.viewer.userId,
      revokedAt: null,
      expiresAt: { gt: now() },
      user: { status: 'active', deletedAt: null },
    },
    select: { user: { select: { role: true } } },
  });
  const roleState = session ? await tx.roleState.findUnique({ where: { role: session.user.role }, select: { suspended: true } }) : null;
  if (!session || session.user.role !== (authz.viewer.baseRole ?? authz.viewer.role) || roleState?.suspended) {
    throw new ActionError('UNAUTHENTICATED', 'Your session has ended. Sign in again to continue.');
  }
  const elevation = authz.viewer.elevation;
  if (elevation) {
    const live = await tx.elevation.findFirst({
      where: { id: elevation.id, userId: authz.viewer.userId, status: 'active', expiresAt: { gt: now() } },
      select: { id: true },
    });
    if (!live) {
      throw new ActionError(
        'FORBIDDEN',
        'Your temporary elevation has ended, so this was not done. Reload the page to see what you may do now.',
      );
    }
  }
}

/**
 * What an event says about its step-up: whether one was spent, by passkey or by
 * authenticator code, and for a passkey the signed intent and the assertion
 * (issue 13; lib/audit/signed-intent.ts), which an auditor re-checks offline.
 */
export function stepUpDetails(authz: Authorization): Record<string, unknown> {
  const proof = authz.stepUpProof;
  return {
    stepUp: authz.steppedUp,
    ...(proof ? { stepUpMethod: proof.method } : {}),
    ...(proof?.signature ? { signature: proof.signature } : {}),
  };
}

/**
 * What an event says about the elevation its actor acted under: which one, the
 * role lent and the role held, and for break-glass that no approver was waited for.
 */
function elevationEvidence(authz: Authorization): Record<string, unknown> {
  const elevation = authz.viewer.elevation;
  if (!elevation) return {};
  return {
    elevation: {
      id: elevation.id,
      scope: elevation.scope,
      role: elevation.role,
      baseRole: authz.viewer.baseRole ?? authz.viewer.role,
      ...(elevation.operation ? { operation: elevation.operation } : {}),
      expiresAt: elevation.expiresAt.toISOString(),
    },
  };
}

async function assertApprovalStillLive(tx: Tx, authz: Authorization, approval: ApprovalExecution) {
  const requester = await tx.user.findFirst({
    where: { id: authz.viewer.userId, status: 'active', deletedAt: null, role: authz.viewer.role },
    select: { id: true },
  });
  const approver = await tx.session.findFirst({
    where: {
      id: approval.approverSessionId,
      userId: approval.approverId,
      revokedAt: null,
      expiresAt: { gt: now() },
      user: { status: 'active', deletedAt: null, role: approval.approverRole },
    },
    select: { id: true },
  });
  const suspended = await tx.roleState.findMany({
    where: { role: { in: [authz.viewer.role, approval.approverRole] }, suspended: true },
    select: { role: true },
  });
  if (!approver) throw new ActionError('UNAUTHENTICATED', 'Your session has ended. Sign in again to continue.');
  if (!requester || suspended.length > 0) {
    throw new ActionError(
      'FORBIDDEN',
      'The person who asked for this may no longer do it (their account or role changed). Nothing was changed.',
    );
  }
}
