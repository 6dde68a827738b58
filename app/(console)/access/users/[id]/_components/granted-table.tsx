import Link from 'next/link';
import { Badge, RoleBadge } from '@/components/ui/badge';
import { ListTable } from '@/components/ui/list-table';
import { RelativeTime } from '@/components/ui/relative-time';
import { TabLinks } from '@/components/ui/tab-links';
import type { UserUsageDTO } from '@/lib/dal/usage';
import { USAGE_DAY_PRESETS } from '@/lib/validation/usage';
import { auditHref, demandsText, RISK_TONES, usageHref } from '../../../_components/usage-format';

const HEADERS = ['Operation', 'Risk', 'Demands', 'Last used', 'Uses', 'Events'];

/** "What they may do": the operations the current role grants, with the last use of each; filters in the URL. */
export function GrantedTable({ usage, unusedOnly, at, tz }: { usage: UserUsageDTO; unusedOnly: boolean; at: Date; tz?: string }) {
  const path = `/access/users/${usage.user.id}`;
  const rows = unusedOnly ? usage.granted.filter((g) => !g.ownAccount && !g.usedInWindow) : usage.granted;
  const presets = [...new Set<number>([...USAGE_DAY_PRESETS, usage.days])].sort((a, b) => a - b);
  return (
    <section aria-labelledby="may-do" className="space-y-3">
      <div>
        <h2 id="may-do" className="text-lg font-semibold text-slate-900">
          What they may do
        </h2>
        <p className="text-sm text-slate-600">
          Every operation the <RoleBadge role={usage.user.role} /> role grants (from the policy matrix), and when this person last did it
          successfully, in any role.
        </p>
      </div>
      <div className="flex flex-wrap items-end justify-between gap-3 border-b border-slate-200">
        <nav aria-label="Show">
          <TabLinks
            tabs={[
              { key: 'all', href: usageHref(path, { days: usage.days }), label: 'All granted', active: !unusedOnly },
              {
                key: 'unused',
                href: usageHref(path, { days: usage.days, unused: true }),
                label: `Unused in ${usage.days} days (${usage.unusedInWindow})`,
                active: unusedOnly,
              },
            ]}
          />
        </nav>
        <nav aria-label="Usage window">
          <TabLinks
            tabs={presets.map((d) => ({
              key: String(d),
              href: usageHref(path, { days: d, unused: unusedOnly }),
              label: `${d} days`,
              active: d === usage.days,
            }))}
          />
        </nav>
      </div>
      <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <ListTable
          caption={unusedOnly ? `Privileges not used in the last ${usage.days} days` : 'Operations granted by the current role'}
          headers={HEADERS}
          empty={unusedOnly ? `Every privilege was used in the last ${usage.days} days.` : 'This role grants no operations.'}
        >
          {rows.map((g) => (
            <tr key={g.op} data-testid="granted-row" data-op={g.op} data-used={g.usedInWindow ? 'yes' : 'no'}>
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
                {g.lastUsedAt ? (
                  <>
                    <RelativeTime stacked value={g.lastUsedAt} now={at} tz={tz} />
                    {g.lastUsedRole && g.lastUsedRole !== usage.user.role ? (
                      <span className="block text-xs text-slate-500">as {g.lastUsedRole}</span>
                    ) : null}
                    {!g.usedInWindow && !g.ownAccount ? <Badge tone="amber">not in {usage.days} days</Badge> : null}
                  </>
                ) : (
                  <Badge tone={g.ownAccount ? 'slate' : 'amber'}>never used</Badge>
                )}
              </td>
              <td className="px-3 py-2 align-top tabular-nums text-slate-700">{g.uses}</td>
              <td className="whitespace-nowrap px-3 py-2 align-top">
                {g.uses ? (
                  <Link href={auditHref({ actor: usage.user.id, operation: g.op })} className="text-indigo-700 hover:underline">
                    Events<span className="sr-only"> of {g.op}</span>
                  </Link>
                ) : (
                  <span className="text-slate-400">—</span>
                )}
              </td>
            </tr>
          ))}
        </ListTable>
      </div>
    </section>
  );
}

/** "What they did but may no longer": operations used (successfully) that the current role does not grant. */
export function UsedNotGrantedTable({ usage, at, tz }: { usage: UserUsageDTO; at: Date; tz?: string }) {
  return (
    <section aria-labelledby="no-longer" className="space-y-3">
      <div>
        <h2 id="no-longer" className="text-lg font-semibold text-slate-900">
          What they did but may no longer
        </h2>
        <p className="text-sm text-slate-600">
          Operations this person carried out under an earlier role or an elevation that their current role does not grant.
        </p>
      </div>
      <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <ListTable
          caption="Operations used that the current role no longer grants"
          headers={['Operation', 'Risk', 'Last used', 'As', 'Uses', 'Events']}
          empty="Nothing: everything they did, their current role still grants."
        >
          {usage.usedNotGranted.map((u) => (
            <tr key={u.op} data-testid="used-not-granted-row" data-op={u.op}>
              <td className="px-3 py-2 align-top">
                <span className="font-mono text-slate-800">{u.op}</span>
                <span className="block text-xs text-slate-500">{u.description}</span>
              </td>
              <td className="px-3 py-2 align-top">
                <Badge tone={RISK_TONES[u.risk]}>{u.risk}</Badge>
              </td>
              <td className="whitespace-nowrap px-3 py-2 align-top text-slate-700">
                <RelativeTime stacked value={u.lastUsedAt} now={at} tz={tz} />
              </td>
              <td className="px-3 py-2 align-top">
                <span className="flex flex-wrap gap-1">
                  {u.roles.map((r) => (
                    <RoleBadge key={r.role} role={r.role} />
                  ))}
                </span>
              </td>
              <td className="px-3 py-2 align-top tabular-nums text-slate-700">{u.uses}</td>
              <td className="whitespace-nowrap px-3 py-2 align-top">
                <Link href={auditHref({ actor: usage.user.id, operation: u.op })} className="text-indigo-700 hover:underline">
                  Events<span className="sr-only"> of {u.op}</span>
                </Link>
              </td>
            </tr>
          ))}
        </ListTable>
      </div>
    </section>
  );
}
