import Link from 'next/link';
import { Badge, RoleBadge } from '@/components/ui/badge';
import { ListTable } from '@/components/ui/list-table';
import { RelativeTime } from '@/components/ui/relative-time';
import { TabLinks } from '@/components/ui/tab-links';
import type { RoleUsageDTO, RoleUsageReportDTO } from '@/lib/dal/usage';
import { USAGE_DAY_PRESETS } from '@/lib/validation/usage';
import { auditHref, demandsText, RISK_TONES, ROLE_LABELS, usageHref } from './usage-format';
import { UsageChart } from './usage-chart';

const HEADERS = ['Operation', 'Risk', 'Demands', 'Last used by the role', 'People in window'];

/**
 * "Usage by role": per console role, its holders, what it grants, and which
 * granted privileges nobody holding it used in the window; a chart of granted
 * vs used above the cards. The window is `?days=` (links keep `q`).
 */
export function UsageByRole({ report, q, at, tz }: { report: RoleUsageReportDTO; q?: string; at: Date; tz?: string }) {
  const presets = [...new Set<number>([...USAGE_DAY_PRESETS, report.days])].sort((a, b) => a - b);
  return (
    <section aria-labelledby="usage-by-role" className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="usage-by-role" className="text-lg font-semibold text-slate-900">
            Usage by role
          </h2>
          <p className="max-w-3xl text-sm text-slate-600">
            What each role grants (from the policy matrix) against what its holders actually did (successful events in the audit trail;
            refused and failed attempts do not count). Operations on one’s own account are listed but never called unused.
          </p>
        </div>
        <nav aria-label="Usage window" className="border-b border-slate-200">
          <TabLinks
            tabs={presets.map((d) => ({
              key: String(d),
              href: usageHref('/access', { days: d, q }),
              label: `${d} days`,
              active: d === report.days,
            }))}
          />
        </nav>
      </div>
      <UsageChart roles={report.roles} days={report.days} />
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        {report.roles.map((r) => (
          <RoleCard key={r.role} role={r} days={report.days} at={at} tz={tz} />
        ))}
      </div>
      <p className="text-xs text-slate-500">
        Counted from the usage rollup through event #{report.watermark.throughSeq}
        {report.watermark.tailEvents ? ` and ${report.watermark.tailEvents} newer events read from the trail` : ''}.
      </p>
    </section>
  );
}

function RoleCard({ role: r, days, at, tz }: { role: RoleUsageDTO; days: number; at: Date; tz?: string }) {
  const unused = new Set<string>(r.unusedInWindow);
  const headingId = `role-usage-${r.role}`;
  return (
    <article
      aria-labelledby={headingId}
      className="rounded-xl bg-white shadow-sm ring-1 ring-slate-200"
      data-testid="role-usage"
      data-role={r.role}
    >
      <header className="flex flex-wrap items-start justify-between gap-2 border-b border-slate-100 px-4 py-3">
        <div>
          <h3 id={headingId} className="flex items-center gap-2 font-semibold text-slate-900">
            {ROLE_LABELS[r.role] ?? r.role} <RoleBadge role={r.role} />
          </h3>
          <p className="text-sm text-slate-600">
            <span className="tabular-nums">{r.holders.total}</span> {r.holders.total === 1 ? 'holder' : 'holders'} (
            <span className="tabular-nums">{r.holders.active}</span> active) · <span className="tabular-nums">{r.usedInWindow}</span> of{' '}
            <span className="tabular-nums">{r.privileges}</span> privileges used in the last {days} days
          </p>
        </div>
        <Link href={auditHref({ role: r.role, outcome: 'success' })} className="text-sm text-indigo-700 hover:underline">
          Their actions in the audit trail
        </Link>
      </header>
      <div className="px-4 py-3">
        <h4 className="text-sm font-medium text-slate-900">Not used by anyone with this role in the last {days} days</h4>
        {r.unusedInWindow.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">Every privilege this role grants was used.</p>
        ) : (
          <ul className="mt-2 space-y-1.5 text-sm" data-testid="role-unused">
            {r.granted
              .filter((g) => unused.has(g.op))
              .map((g) => (
                <li key={g.op} className="flex flex-wrap items-baseline gap-x-2">
                  <span className="font-mono text-slate-800">{g.op}</span>
                  <Badge tone={RISK_TONES[g.risk]}>{g.risk}</Badge>
                  <span className="text-xs text-slate-500">
                    {g.lastUsedAt ? (
                      <>
                        last used <RelativeTime value={g.lastUsedAt} now={at} tz={tz} />
                      </>
                    ) : (
                      'never used'
                    )}
                  </span>
                </li>
              ))}
          </ul>
        )}
      </div>
      <details className="border-t border-slate-100">
        <summary className="cursor-pointer px-4 py-2 text-sm text-slate-700">All {r.granted.length} granted operations</summary>
        <div className="overflow-x-auto">
          <ListTable caption={`Operations granted to the ${r.role} role and their use`} headers={HEADERS} empty="This role grants nothing.">
            {r.granted.map((g) => (
              <tr key={g.op}>
                <td className="px-3 py-2 align-top">
                  <span className="font-mono text-slate-800">{g.op}</span>
                  {g.ownAccount ? <span className="ml-2 text-xs text-slate-500">own account</span> : null}
                  <span className="block text-xs text-slate-500">{g.description}</span>
                </td>
                <td className="px-3 py-2 align-top">
                  <Badge tone={RISK_TONES[g.risk]}>{g.risk}</Badge>
                </td>
                <td className="whitespace-nowrap px-3 py-2 align-top text-xs text-slate-600">{demandsText(g.demands)}</td>
                <td className="whitespace-nowrap px-3 py-2 align-top text-slate-700">
                  {g.lastUsedAt ? <RelativeTime stacked value={g.lastUsedAt} now={at} tz={tz} /> : <Badge tone="amber">never used</Badge>}
                </td>
                <td className="px-3 py-2 align-top tabular-nums text-slate-700">{g.usersInWindow}</td>
              </tr>
            ))}
          </ListTable>
        </div>
      </details>
    </article>
  );
}
