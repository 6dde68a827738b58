import { Badge, type BadgeTone } from '@/components/ui/badge';
import type { IncidentStatus } from '@/lib/validation/incidents';
import { INCIDENT_SEVERITY_LABELS, INCIDENT_STATUS_LABELS } from './incident-format';

/** Distinct colours per severity; the name is always written out too (colour is never the only signal). */
const SEVERITY_STYLES: Record<string, string> = {
  critical: 'bg-red-600 text-white ring-red-700/30',
  high: 'bg-orange-100 text-orange-900 ring-orange-600/30',
  medium: 'bg-yellow-50 text-yellow-900 ring-yellow-600/30',
  low: 'bg-slate-100 text-slate-700 ring-slate-500/20',
};

export function IncidentSeverityBadge({ severity }: { severity: string }) {
  return (
    <span
      data-testid="incident-severity"
      data-severity={severity}
      className={`inline-flex items-center rounded-md px-2 py-0.5 text-xs font-semibold ring-1 ring-inset ${
        SEVERITY_STYLES[severity] ?? SEVERITY_STYLES.low
      }`}
    >
      {INCIDENT_SEVERITY_LABELS[severity] ?? severity}
    </span>
  );
}

const STATUS_TONES: Record<IncidentStatus, BadgeTone> = { open: 'red', contained: 'amber', closed: 'green' };

export function IncidentStatusBadge({ status }: { status: IncidentStatus }) {
  return (
    <span data-testid="incident-status" data-status={status}>
      <Badge tone={STATUS_TONES[status] ?? 'slate'}>{INCIDENT_STATUS_LABELS[status] ?? status}</Badge>
    </span>
  );
}
