import Link from 'next/link';
import type { AuditDashboardDTO } from '@/lib/dal/audit-dashboard';
import type { AuditFilter } from '@/lib/validation/audit-filter';
import { drillHref } from './drill-down';

const fmt = new Intl.NumberFormat('en-US');

/** The summary numbers on top; each opens the matching events. */
export function StatCards({ data, filter }: { data: AuditDashboardDTO; filter: AuditFilter }) {
  const cards: { id: string; label: string; value: number; href: string | null; tone: string }[] = [
    { id: 'events', label: 'Events', value: data.totals.events, href: drillHref(filter), tone: 'text-slate-900' },
    {
      id: 'denied',
      label: 'Denied attempts',
      value: data.totals.denied,
      href: drillHref(filter, { outcome: 'denied' }),
      tone: 'text-red-700',
    },
    {
      id: 'failures',
      label: 'Failures',
      value: data.totals.failures,
      href: drillHref(filter, { outcome: 'failure' }),
      tone: 'text-orange-700',
    },
    {
      id: 'step-ups',
      label: 'Step-ups',
      value: data.totals.stepUps,
      href: drillHref(filter, { operation: 'auth.step_up' }),
      tone: 'text-indigo-700',
    },
  ];
  return (
    <dl className="mb-4 grid grid-cols-2 gap-3 lg:grid-cols-4">
      {cards.map((c) => (
        <div key={c.id} className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
          <dt className="text-xs font-medium text-slate-600">{c.label}</dt>
          <dd className={`mt-1 text-2xl font-semibold tabular-nums ${c.tone}`} data-testid={`total-${c.id}`}>
            {c.href ? (
              <Link href={c.href} prefetch={false} className="hover:underline">
                {fmt.format(c.value)}
              </Link>
            ) : (
              fmt.format(c.value)
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
