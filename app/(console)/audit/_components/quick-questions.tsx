import Link from 'next/link';
import { showControlCharacters } from '@/lib/audit/display';
import { auditFilterParams, AUDIT_WINDOW_LABELS, type AuditFilter } from '@/lib/validation/audit-filter';

/** Questions auditors ask most, one click each (each is just a filter link). */
const QUESTIONS: { label: string; filter: Partial<AuditFilter> }[] = [
  { label: 'Who changed roles this week?', filter: { window: '7d', operation: 'user.role_change' } },
  { label: 'Refused attempts today', filter: { window: '24h', outcome: 'denied' } },
  { label: 'Failed sign-ins today', filter: { window: '24h', operation: 'auth.sign_in', outcome: 'failure' } },
  { label: 'Step-ups this week', filter: { window: '7d', operation: 'auth.step_up' } },
  { label: 'Suspensions (30 days)', filter: { window: '30d', operation: 'user.suspend' } },
  { label: 'Who viewed the trail', filter: { window: '7d', operation: 'audit.view' } },
  { label: 'Exports of the trail', filter: { window: '30d', operation: 'audit.export_events' } },
];

export function QuickQuestions() {
  return (
    <section aria-labelledby="quick-questions" className="mb-4">
      <h2 id="quick-questions" className="sr-only">
        Common questions
      </h2>
      <ul className="flex flex-wrap gap-2">
        {QUESTIONS.map((q) => (
          <li key={q.label}>
            <Link
              href={`/audit?${auditFilterParams(q.filter).toString()}`}
              prefetch={false}
              className="inline-block rounded-full bg-white px-3 py-1 text-xs font-medium text-indigo-700 ring-1 ring-indigo-200 hover:bg-indigo-50"
            >
              {q.label}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

const LABELS: Partial<Record<keyof AuditFilter, string>> = {
  actor: 'Actor',
  role: 'Role',
  operation: 'Operation',
  targetType: 'Target type',
  targetId: 'Target id',
  outcome: 'Outcome',
  correlationId: 'Correlation id',
  ip: 'IP',
  q: 'Reason contains',
};

/** The filters in force as removable chips. */
export function ActiveFilters({ filter }: { filter: AuditFilter }) {
  const active = (Object.keys(LABELS) as (keyof AuditFilter)[]).filter((k) => filter[k] !== undefined);
  return (
    <div className="mb-3 flex flex-wrap items-center gap-2 text-xs" data-testid="active-filters">
      <span className="rounded-md bg-slate-100 px-2 py-1 text-slate-700">{AUDIT_WINDOW_LABELS[filter.window]}</span>
      {active.map((k) => (
        <span key={k} className="inline-flex items-center gap-1 rounded-md bg-indigo-50 px-2 py-1 text-indigo-800 ring-1 ring-indigo-200">
          <span className="font-medium">{LABELS[k]}:</span>
          <span className="font-mono">{showControlCharacters(String(filter[k]))}</span>
          <Link
            href={`/audit?${auditFilterParams(filter, { [k]: undefined }).toString()}`}
            prefetch={false}
            aria-label={`Remove filter ${LABELS[k]}`}
            className="ml-1 rounded px-1 text-indigo-600 hover:bg-indigo-100"
          >
            ×
          </Link>
        </span>
      ))}
    </div>
  );
}
