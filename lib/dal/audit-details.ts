import 'server-only';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import type { Tx } from '@/lib/db';
import type { AuditActor } from '@/lib/audit/record';
import type { Authorization } from '@/lib/authz/authorization';

/**
 * The parts of an audit event every authorized mutation records the same way:
 * the actor, the rule that decided, the reason, the ticket reference and the
 * step-up evidence (ARCHITECTURE "Audit trail").
 */
export function auditFrom(authz: Authorization): {
  actor: AuditActor;
  decision: string;
  reason: string | null;
  evidence: { ticketRef?: string; stepUp: boolean };
} {
  return {
    actor: { id: authz.viewer.userId, role: authz.viewer.role, sessionId: authz.viewer.sessionId },
    decision: authz.rule,
    reason: authz.reason,
    evidence: { ...(authz.ticketRef ? { ticketRef: authz.ticketRef } : {}), stepUp: authz.steppedUp },
  };
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
