import { AUDIT_OPERATIONS } from '@/lib/audit/operations';
import { auditFilterParams, type AuditFilter } from '@/lib/validation/audit-filter';
import { USAGE_DAYS } from '@/lib/validation/usage';
import type { OperationId } from '@/policies/operations';
import { evidenceEventsOf, type OperationDemands } from '@/policies/usage';

/** The usage report's links keep the window (default left out) and the other params given. */
export function usageHref(path: string, params: { days?: number; q?: string; unused?: boolean }): string {
  const q = new URLSearchParams();
  if (params.days && params.days !== USAGE_DAYS.default) q.set('days', String(params.days));
  if (params.q) q.set('q', params.q);
  if (params.unused) q.set('unused', '1');
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * The audit browser over all time, filtered. A catalog operation becomes the
 * event id its successes are recorded under (ending one's own session:
 * session.revoke); anything that is no audit event id is left out.
 */
export function auditHref(filter: {
  actor?: string;
  role?: AuditFilter['role'];
  operation?: string;
  outcome?: AuditFilter['outcome'];
}): string {
  const event = filter.operation ? (evidenceEventsOf(filter.operation as OperationId).at(-1) ?? filter.operation) : undefined;
  const operation = event && event in AUDIT_OPERATIONS ? (event as AuditFilter['operation']) : undefined;
  return `/audit?${auditFilterParams({ window: 'all', actor: filter.actor, role: filter.role, operation, outcome: filter.outcome }).toString()}`;
}

/** "step-up · approval · reason required": what an operation demands beyond the role. */
export function demandsText(d: OperationDemands): string {
  const parts = [d.approval ? 'second approver' : null, d.stepUp ? 'step-up' : null, d.reason === 'required' ? 'reason' : null].filter(
    Boolean,
  );
  return parts.length ? parts.join(' · ') : '—';
}

export const ROLE_LABELS: Record<string, string> = {
  superadmin: 'Superadmins',
  admin: 'Admins',
  auditor: 'Auditors',
  support: 'Support agents',
};

export const RISK_TONES = { low: 'slate', high: 'amber', critical: 'red' } as const;
