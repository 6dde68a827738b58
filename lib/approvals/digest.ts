/**
 * The digest that freezes a two-person request: the operation, its exact input
 * and the state of what it changes, each in RFC 8785 canonical JSON. The
 * approver approves this digest; execution recomputes it from the stored
 * request, so a request whose stored input or baseline was edited (even in the
 * database) no longer matches what was approved and does not run. Pure.
 */
import { createHash } from 'node:crypto';
import { canonicalize } from '@/lib/audit/canonical-json';

const DOMAIN = 'warden.approval.v1';

export function approvalDigest(operation: string, input: unknown, baseline: unknown): string {
  return createHash('sha256')
    .update(DOMAIN)
    .update('\0')
    .update(operation)
    .update('\0')
    .update(canonicalize(input ?? {}))
    .update('\0')
    .update(canonicalize(baseline ?? {}))
    .digest('hex');
}

/** One line of the frozen diff an approver is shown. */
export interface ApprovalChange {
  label: string;
  /** For configuration keys: the sensitivity tier. */
  tier?: string;
  before: string;
  after: string;
}

/** What an approver sees: a title and the exact changes. */
export interface ApprovalSummary {
  title: string;
  changes: ApprovalChange[];
}
