import Link from 'next/link';
import { ListTable } from '@/components/ui/list-table';
import type { ReactNode } from 'react';
import { RelativeTime } from '@/components/ui/relative-time';
import { showControlCharacters } from '@/lib/audit/display';
import type { IncidentRowDTO } from '@/lib/dal/incidents';
import { IncidentSeverityBadge, IncidentStatusBadge } from './incident-badges';
import { incidentRef } from './incident-format';

const HEADERS = ['Incident', 'Severity', 'Status', 'Owner', 'Alerts', 'Opened'];

/** The register: one row per incident, its reference and title linking to the incident. Stored text is shown as text. */
export function IncidentsTable({ rows, now, tz, empty }: { rows: IncidentRowDTO[]; now: Date; tz?: string; empty: ReactNode }) {
  return (
    <ListTable caption="Incidents" headers={HEADERS} empty={empty}>
      {rows.map((r) => (
        <tr key={r.id} data-testid="incident-row" data-incident-id={r.id} data-status={r.status}>
          <td className="max-w-md px-3 py-2.5 align-top">
            <Link href={`/incidents/${r.id}`} className="font-medium break-words text-indigo-700 hover:underline">
              {incidentRef(r.number)} {showControlCharacters(r.title)}
            </Link>
          </td>
          <td className="whitespace-nowrap px-3 py-2.5 align-top">
            <IncidentSeverityBadge severity={r.severity} />
          </td>
          <td className="whitespace-nowrap px-3 py-2.5 align-top">
            <IncidentStatusBadge status={r.status} />
          </td>
          <td className="whitespace-nowrap px-3 py-2.5 align-top text-slate-700">
            {r.owner ? showControlCharacters(r.owner.name) : <span className="text-slate-400">—</span>}
          </td>
          <td className="px-3 py-2.5 align-top tabular-nums text-slate-700">{r.alerts}</td>
          <td className="whitespace-nowrap px-3 py-2.5 align-top text-slate-600">
            <RelativeTime stacked value={r.openedAt} now={now} tz={tz} />
          </td>
        </tr>
      ))}
    </ListTable>
  );
}
