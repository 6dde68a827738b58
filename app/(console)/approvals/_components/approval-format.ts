import type { BadgeTone } from '@/components/ui/badge';
import type { ApprovalStatus } from '@/lib/validation/approvals';
import { zoneOffsetMs } from '@/lib/validation/audit-filter';

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

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "3 h ago" / "in 20 min": a coarse distance between two instants. Pure. */
export function relativeTime(at: Date, now: Date): string {
  const diff = at.getTime() - now.getTime();
  const abs = Math.abs(diff);
  if (abs < MINUTE) return diff <= 0 ? 'just now' : 'in under a minute';
  const amount =
    abs < HOUR ? `${Math.floor(abs / MINUTE)} min` : abs < 2 * DAY ? `${Math.floor(abs / HOUR)} h` : `${Math.floor(abs / DAY)} d`;
  return diff < 0 ? `${amount} ago` : `in ${amount}`;
}

/** The absolute instant in UTC and, when known and different, in the viewer's zone (the hover text). */
export function absoluteTime(at: Date, tz?: string): string {
  const utc = `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  if (!tz || tz === 'UTC') return utc;
  const local = new Date(at.getTime() + zoneOffsetMs(at, tz)).toISOString().slice(0, 16).replace('T', ' ');
  return `${utc} (${local} ${tz})`;
}
