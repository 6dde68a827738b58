import { Badge } from '@/components/ui/badge';
import type { ApprovalStatus } from '@/lib/validation/approvals';
import { APPROVAL_STATUS_LABELS, APPROVAL_STATUS_TONES } from './approval-format';

/** A request's status, always with its name and a consistent colour. */
export function ApprovalStatusBadge({ status }: { status: ApprovalStatus }) {
  return <Badge tone={APPROVAL_STATUS_TONES[status] ?? 'slate'}>{APPROVAL_STATUS_LABELS[status] ?? status}</Badge>;
}
