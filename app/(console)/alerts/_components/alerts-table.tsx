import Link from 'next/link';
import { ListTable } from '@/components/ui/list-table';
import type { ReactNode } from 'react';
import { showControlCharacters } from '@/lib/audit/display';
import type { AlertRowDTO } from '@/lib/dal/alerts';
import { AlertStatusBadge, SeverityBadge } from './alert-badges';
import { RelativeTime } from '@/components/ui/relative-time';

const HEADERS = ['Severity', 'Alert', 'Who', 'Events', 'Raised', 'Status'];

/** The inbox table: one row per alert, its title linking to the alert. Everything stored is shown as text. */
export function AlertsTable({ rows, now, tz, empty }: { rows: AlertRowDTO[]; now: Date; tz?: string; empty: ReactNode }) {
  return (
    <ListTable caption="Alerts" headers={HEADERS} empty={empty}>
      {rows.map((r) => (
        <tr key={r.id} data-testid="alert-row" data-alert-id={r.id} data-rule={r.rule} data-status={r.status}>
          <td className="whitespace-nowrap px-3 py-2.5 align-top">
            <SeverityBadge severity={r.severity} />
          </td>
          <td className="max-w-md px-3 py-2.5 align-top">
            <Link href={`/alerts/${r.id}`} className="font-medium text-indigo-700 hover:underline">
              {showControlCharacters(r.ruleTitle)}
            </Link>
            <div className="line-clamp-2 break-words text-xs text-slate-600">{showControlCharacters(r.summary)}</div>
          </td>
          <td className="whitespace-nowrap px-3 py-2.5 align-top text-slate-700">
            {r.actor ? showControlCharacters(r.actor.name) : <span className="text-slate-400">—</span>}
          </td>
          <td className="px-3 py-2.5 align-top tabular-nums text-slate-700">{r.count}</td>
          <td className="whitespace-nowrap px-3 py-2.5 align-top text-slate-600">
            <RelativeTime stacked value={r.createdAt} now={now} tz={tz} />
          </td>
          <td className="px-3 py-2.5 align-top">
            <AlertStatusBadge status={r.status} />
          </td>
        </tr>
      ))}
    </ListTable>
  );
}
