import 'server-only';
import { db } from '@/lib/db';
import type { PolicySubject } from '@/policies/rules';
import { isRole } from '@/policies/roles';

/**
 * Loads the record an operation names, so that defineAction can decide about
 * that exact record (house style 9) and name the rule that decided.
 *
 * unsafe: it reads without an authorization filter, because deciding is what it
 * is for. It returns only the fields the rules look at, never to a client; every
 * write that follows filters with accessibleBy again in its own WHERE.
 */
export async function unsafeLoadSubjectForDecision(type: PolicySubject, id: string): Promise<Record<string, unknown> | null> {
  const client = await db();
  switch (type) {
    case 'User':
      return client.user.findUnique({ where: { id }, select: USER_DECISION_FIELDS });
    case 'Session':
      return client.session.findUnique({
        where: { id },
        select: { id: true, userId: true, revokedAt: true, user: { select: USER_DECISION_FIELDS } },
      });
    case 'RoleState': {
      if (!isRole(id)) return null;
      const row = await client.roleState.findUnique({ where: { role: id }, select: { role: true, suspended: true } });
      return row ?? { role: id, suspended: false };
    }
    case 'Ticket':
      return client.ticket.findUnique({ where: { id }, select: TICKET_DECISION_FIELDS });
    case 'Incident':
      return client.incident.findUnique({ where: { id }, select: { id: true, status: true, severity: true } });
    case 'Alert':
      return client.alert.findUnique({ where: { id }, select: { id: true, status: true, rule: true, severity: true } });
    case 'ApprovalRequest':
      return client.approvalRequest.findUnique({
        where: { id },
        select: { id: true, requesterId: true, beneficiaryId: true, status: true },
      });
    case 'Elevation':
      return client.elevation.findUnique({ where: { id }, select: { id: true, userId: true, status: true, scope: true, role: true } });
    case 'AccessReview':
      return client.accessReview.findUnique({
        where: { id },
        select: { id: true, status: true, kind: true, reviewers: { select: { userId: true } } },
      });
    default:
      return null;
  }
}

/** What the ticket rules look at: assignment, state, and who the requester is. */
export const TICKET_DECISION_FIELDS = {
  id: true,
  assigneeId: true,
  status: true,
  requesterId: true,
  requester: { select: { id: true, role: true, deletedAt: true } },
} as const;

/** What the rules and the confirmation dialogs look at on a user; never secrets. */
export const USER_DECISION_FIELDS = { id: true, role: true, status: true, deletedAt: true } as const;
