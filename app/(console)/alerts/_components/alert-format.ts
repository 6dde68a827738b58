import type { Severity } from '@/lib/monitoring/rules';
import { ALERT_SEVERITIES, type AlertStatus } from '@/lib/validation/alerts';

export type AlertStatusFilter = AlertStatus | 'active' | 'all';

/** The list's status tabs, in order; "Active" (open or acknowledged) is the default. */
export const STATUS_TABS: { status: AlertStatusFilter; label: string }[] = [
  { status: 'active', label: 'Active' },
  { status: 'open', label: 'Open' },
  { status: 'acknowledged', label: 'Acknowledged' },
  { status: 'resolved', label: 'Resolved' },
  { status: 'all', label: 'All' },
];

export const ALERT_STATUS_LABELS: Record<AlertStatus, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};

export const SEVERITY_LABELS: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

/** Severities from the most to the least urgent (for the select). */
export const SEVERITIES_DESC = [...ALERT_SEVERITIES].reverse() as Severity[];

export interface AlertListParams {
  status: AlertStatusFilter;
  severity?: string;
  rule?: string;
}

/** The URL parameters for a list view (defaults left out, so the URLs stay short and shareable). */
export function alertListParams(p: AlertListParams): Record<string, string | undefined> {
  return {
    status: p.status === 'active' ? undefined : p.status,
    severity: p.severity || undefined,
    rule: p.rule || undefined,
  };
}

export function alertsHref(p: AlertListParams): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(alertListParams(p))) if (v) q.set(k, v);
  const query = q.toString();
  return query ? `/alerts?${query}` : '/alerts';
}
