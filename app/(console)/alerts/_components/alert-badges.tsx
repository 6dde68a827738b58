import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { Severity } from '@/lib/monitoring/rules';
import type { AlertStatus } from '@/lib/validation/alerts';
import { ALERT_STATUS_LABELS, SEVERITY_LABELS } from './alert-format';

/** Distinct colours per severity; the name is always written out too (colour is never the only signal). */
const SEVERITY_STYLES: Record<Severity, string> = {
  critical: 'bg-red-600 text-white ring-red-700/30',
  high: 'bg-orange-100 text-orange-900 ring-orange-600/30',
  medium: 'bg-yellow-50 text-yellow-900 ring-yellow-600/30',
  low: 'bg-slate-100 text-slate-700 ring-slate-500/20',
};

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span
      data-testid="alert-severity"
      data-severity={severity}
      className={`inline-flex items-center rounded-md px-2 py-0.5 text-xs font-semibold ring-1 ring-inset ${
        SEVERITY_STYLES[severity] ?? SEVERITY_STYLES.low
      }`}
    >
      {SEVERITY_LABELS[severity] ?? severity}
    </span>
  );
}

const STATUS_TONES: Record<AlertStatus, BadgeTone> = { open: 'red', acknowledged: 'amber', resolved: 'green' };

export function AlertStatusBadge({ status }: { status: AlertStatus }) {
  return <Badge tone={STATUS_TONES[status] ?? 'slate'}>{ALERT_STATUS_LABELS[status] ?? status}</Badge>;
}
