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
  const evidence = { ...(authz.ticketRef ? { ticketRef: authz.ticketRef } : {}), stepUp: authz.steppedUp };
  if (authz.approval) return recordApprovedExecution(tx, authz, authz.approval, event, evidence);
  if (authz.incidentId) return recordForIncident(tx, authz, authz.incidentId, event, evidence);
  return recordAudit(tx, {
    actor: { id: authz.viewer.userId, role: authz.viewer.role, sessionId: authz.viewer.sessionId },
    // Every catalog operation is also in the audit catalogue (policies/matrix.test.ts).
    operation: authz.op as AuditOperation,
    target: event.target,
    outcome: 'success',
    reason: authz.reason,
    decision: authz.rule,
    details: { ...evidence, ...event.details },
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
  const appended = await recordAudit(tx, {
    actor: { id: authz.viewer.userId, role: authz.viewer.role, sessionId: authz.viewer.sessionId },
    operation: authz.op as AuditOperation,
    target: event.target,
    outcome: 'success',
    reason: authz.reason,
    decision: authz.rule,
    details: { ...evidence, ...event.details, incident: { id: incident.id, number: incident.number } },
  });
  await tx.incidentLink.create({
    data: { incidentId: incident.id, kind: 'event', eventSeq: appended.seq, authorId: authz.viewer.userId, createdAt: now() },
  });
  return appended;
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
  const appended = await recordAudit(tx, {
    actor: { id: authz.viewer.userId, role: authz.viewer.role, sessionId: authz.viewer.sessionId },
    operation: authz.op as AuditOperation,
    target: event.target,
    outcome: 'success',
    reason: authz.reason,
    decision: authz.rule,
    details: {
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
    },
  });
  await tx.approvalRequest.update({ where: { id: approval.id }, data: { executionSeq: appended.seq } });
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
  if (!session || session.user.role !== authz.viewer.role || roleState?.suspended) {
    throw new ActionError('UNAUTHENTICATED', 'Your session has ended. Sign in again to continue.');
  }
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
