import type { BadgeTone } from '@/components/ui/badge';
import type { ApprovalStatus } from '@/lib/validation/approvals';

/** How each status reads on screen (the stored name, capitalised) and its colour. */
export const APPROVAL_STATUS_LABELS: Record<ApprovalStatus, string> = {
  pending: 'Pending',
  approved: 'Approved',
  executed: 'Executed',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  expired: 'Expired',
  voided: 'Voided',
  failed: 'Failed',
};

export const APPROVAL_STATUS_TONES: Record<ApprovalStatus, BadgeTone> = {
  pending: 'amber',
  approved: 'indigo',
  executed: 'green',
  rejected: 'red',
  cancelled: 'slate',
  expired: 'slate',
  voided: 'red',
  failed: 'red',
};
