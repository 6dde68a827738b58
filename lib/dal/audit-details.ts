import 'server-only';
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
