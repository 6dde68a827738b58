import 'server-only';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import type { Tx } from '@/lib/db';
import type { AuditOperation } from '@/lib/audit/append';
import { recordAudit } from '@/lib/audit/record';
import type { Authorization } from '@/lib/authz/authorization';

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
 * The acting session must still be live when the change is made, not only when
 * the request began: a session revoked (or a user suspended) a moment ago can
 * no longer finish an action that was already in flight.
 */
export async function assertActorStillLive(tx: Tx, authz: Authorization) {
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
