import { showControlCharacters } from '@/lib/audit/display';
import type { IncidentStatus } from '@/lib/validation/incidents';

export type IncidentStatusFilter = IncidentStatus | 'active' | 'all';

/** The list's status tabs, in order; "Active" (open or contained) is the default. */
export const INCIDENT_STATUS_TABS: { status: IncidentStatusFilter; label: string }[] = [
  { status: 'active', label: 'Active' },
  { status: 'open', label: 'Open' },
  { status: 'contained', label: 'Contained' },
  { status: 'closed', label: 'Closed' },
  { status: 'all', label: 'All' },
];

export const INCIDENT_STATUS_LABELS: Record<IncidentStatus, string> = {
  open: 'Open',
  contained: 'Contained',
  closed: 'Closed',
};

export const INCIDENT_SEVERITY_LABELS: Record<string, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

/** "INC-12". */
export function incidentRef(n: number): string {
  return `INC-${n}`;
}

/** The URL parameters of a list view (the default status left out). */
export function incidentListParams(status: IncidentStatusFilter): Record<string, string | undefined> {
  return { status: status === 'active' ? undefined : status };
}

export function incidentsHref(status: IncidentStatusFilter): string {
  return status === 'active' ? '/incidents' : `/incidents?status=${status}`;
}

/** "1 session", "3 sessions". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export const UNREACHABLE = 'The console could not be reached. Check your connection and try again. Nothing was changed.';

/** A failure as the operator reads it: the message and, when there is one, the correlation id. */
export function failureText(result: { message: string; correlationId?: string }): string {
  return result.correlationId ? `${result.message} (Reference: ${result.correlationId})` : result.message;
}

/** Text with its line breaks kept (for pre-wrap) and every other control character made visible. */
export function multiline(text: string): string {
  return text
    .split('\n')
    .map((line) => showControlCharacters(line))
    .join('\n');
}
