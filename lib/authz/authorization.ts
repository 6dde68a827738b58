import type { SignatureEvidence } from '@/lib/audit/signed-intent';
import type { Viewer } from '@/lib/auth/viewer';
import type { OperationId } from '@/policies/operations';
import type { PolicyAbility } from '@/policies/ability';

/**
 * What defineAction established before a handler runs. DAL writes take it, filter
 * with its ability again in their WHERE, and record its rule, reason and step-up
 * evidence in the audit event of the same transaction.
 */
export interface Authorization {
  viewer: Viewer;
  ability: PolicyAbility;
  op: OperationId;
  /** The id of the rule that allowed the operation (recorded as the audit event's decision). */
  rule: string;
  reason: string | null;
  ticketRef: string | null;
  /** The record the ability was checked on (for "record" and "draft" operations), as loaded or built. */
  target: Record<string, unknown> | null;
  /** Whether a step-up proof was spent for this call. */
  steppedUp: boolean;
  /**
   * How the step-up was made (absent: none, or a fresh sign-in during enrolment)
   * and, for a passkey, the signed intent and assertion the audit event stores (issue 13).
   */
  stepUpProof?: { method: 'passkey' | 'otp'; signature: SignatureEvidence | null };
  /**
   * Set when the operation runs because a second person approved its frozen
   * request (lib/dal/approvals.ts): the viewer is then the requester, rebuilt
   * from the database, and the audit event carries the approval.
   */
  approval?: ApprovalExecution;
  /**
   * The incident this operation is done for (a containment action from the
   * incident page): its audit event joins that incident's timeline, in the same
   * transaction (lib/dal/audit-details.ts).
   */
  incidentId?: string | null;
  /**
   * The access review item this operation decides (a reviewer's "change role" or
   * "suspend" from a campaign): the decision is recorded on the item in the same
   * transaction as the change (lib/dal/audit-details.ts).
   */
  accessReviewItemId?: string | null;
}

/** The approval an execution runs under. */
export interface ApprovalExecution {
  id: string;
  digest: string;
  approverId: string;
  approverRole: string;
  approverSessionId: string;
  requestSeq: number | null;
  decisionSeq: number | null;
}
