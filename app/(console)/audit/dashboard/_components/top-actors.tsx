import Link from 'next/link';
import { showControlCharacters } from '@/lib/audit/display';
import type { AuditDashboardDTO } from '@/lib/dal/audit-dashboard';
import type { AuditFilter } from '@/lib/validation/audit-filter';
import { isRole } from '@/policies/roles';
import { drillHref } from './drill-down';
import { Panel } from './panel';

const fmt = new Intl.NumberFormat('en-US');
const roleLabel = (role: string) => (role === '' ? 'No actor (system)' : role);

/** The most active accounts in the window; each count opens that actor's events (in that role). */
export function TopActors({ data, filter }: { data: AuditDashboardDTO; filter: AuditFilter }) {
  return (
    <Panel
      id="top-actors"
      wide
      title="Top actors"
      description="The 10 accounts with the most events (a role change shows an account once per role)."
    >
      <table className="min-w-full text-sm">
        <caption className="sr-only">Top actors by number of events, with denied attempts</caption>
        <thead className="text-xs text-slate-600">
          <tr>
            <th scope="col" className="py-1 text-left font-medium">
              Actor
            </th>
            <th scope="col" className="py-1 text-left font-medium">
              Role
            </th>
            <th scope="col" className="py-1 text-right font-medium">
              Events
            </th>
            <th scope="col" className="py-1 text-right font-medium">
              Denied
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {data.topActors.map((a) => {
            const fields = a.actorId && isRole(a.actorRole) ? { actor: a.actorId, role: a.actorRole } : null;
            return (
              <tr key={`${a.actorId}:${a.actorRole}`}>
                <th scope="row" className="py-1.5 text-left font-normal">
                  <span className="block text-slate-900">
                    {a.actorId ? showControlCharacters(a.person?.name ?? 'Unknown account') : 'No actor (system)'}
                  </span>
                  {a.actorId ? <span className="block font-mono text-xs text-slate-500">{showControlCharacters(a.actorId)}</span> : null}
                </th>
                <td className="py-1.5 text-slate-700">{showControlCharacters(roleLabel(a.actorRole))}</td>
                <td className="py-1.5 text-right tabular-nums">
                  {fields ? (
                    <Link href={drillHref(filter, fields)} prefetch={false} className="text-indigo-700 hover:underline">
                      {fmt.format(a.count)}
                    </Link>
                  ) : (
                    fmt.format(a.count)
                  )}
                </td>
                <td className="py-1.5 text-right tabular-nums">
                  {fields && a.denied > 0 ? (
                    <Link
                      href={drillHref(filter, { ...fields, outcome: 'denied' })}
                      prefetch={false}
                      className="text-red-700 hover:underline"
                    >
                      {fmt.format(a.denied)}
                    </Link>
                  ) : (
                    fmt.format(a.denied)
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {data.topActors.length === 0 ? <p className="py-4 text-center text-sm text-slate-500">No events in this window.</p> : null}
    </Panel>
  );
}
