import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { ReviewDecision } from '@/lib/validation/access-reviews';
import { DECISION_LABELS } from './review-format';

/** A campaign's status: open (indigo), overdue (red), closed (slate). */
export function ReviewStatusBadge({ status, overdue = false }: { status: string; overdue?: boolean }) {
  if (status === 'open' && overdue) return <Badge tone="red">Open · overdue</Badge>;
  return <Badge tone={status === 'open' ? 'indigo' : 'slate'}>{status === 'open' ? 'Open' : 'Closed'}</Badge>;
}

const DECISION_TONES: Record<ReviewDecision, BadgeTone> = { pending: 'amber', keep: 'green', change_role: 'violet', suspend: 'red' };

export function DecisionBadge({ decision }: { decision: ReviewDecision }) {
  return <Badge tone={DECISION_TONES[decision] ?? 'slate'}>{DECISION_LABELS[decision] ?? decision}</Badge>;
}

/** Decided of total as a bar with its numbers (the numbers are the accessible text). */
export function CoverageBar({ decided, total, label }: { decided: number; total: number; label: string }) {
  const pct = total === 0 ? 100 : Math.round((decided / total) * 100);
  return (
    <div className="min-w-32">
      <div
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={decided}
        aria-valuetext={`${decided} of ${total} decided`}
        className="h-2 w-full overflow-hidden rounded-full bg-slate-200"
      >
        <div className="h-full rounded-full bg-indigo-600" style={{ width: `${pct}%` }} />
      </div>
      <p className="mt-1 text-xs tabular-nums text-slate-600" data-testid="coverage">
        {decided}/{total} decided
      </p>
    </div>
  );
}
