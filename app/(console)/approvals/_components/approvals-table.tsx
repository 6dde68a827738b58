import type { ReactNode } from 'react';
import Link from 'next/link';
import { ListTable } from '@/components/ui/list-table';
import { RoleBadge } from '@/components/ui/badge';
import { showControlCharacters } from '@/lib/audit/display';
import type { ApprovalRowDTO } from '@/lib/dal/approvals';
import { ApprovalStatusBadge } from './approval-status-badge';
import { RelativeTime } from '@/components/ui/relative-time';

const HEADERS = ['Request', 'Requested by', 'Reason', 'Age', 'Expires', 'Status'];

/** The inbox table: one row per request, its title linking to the request. */
export function ApprovalsTable({ rows, now, tz, empty }: { rows: ApprovalRowDTO[]; now: Date; tz?: string; empty: ReactNode }) {
  return (
    <ListTable caption="Approval requests" headers={HEADERS} empty={empty}>
      {rows.map((r) => (
        <tr key={r.id} data-testid="approval-row" data-approval-id={r.id} data-can-decide={r.canDecide || undefined}>
          <td className="px-3 py-2.5">
            <Link href={`/approvals/${r.id}`} className="font-medium text-indigo-700 hover:underline">
              {showControlCharacters(r.title)}
            </Link>
            <div className="text-xs text-slate-500">{r.operationLabel}</div>
            {r.canDecide ? <div className="text-xs font-medium text-amber-800">You can decide this</div> : null}
          </td>
          <td className="whitespace-nowrap px-3 py-2.5 text-slate-700">
            {showControlCharacters(r.requester.name)} <RoleBadge role={r.requester.role} />
          </td>
          <td className="max-w-xs px-3 py-2.5 text-slate-700">
            {r.reason ? <span className="line-clamp-2 break-words">{showControlCharacters(r.reason)}</span> : null}
            {r.ticketRef ? <span className="block font-mono text-xs text-slate-500">{r.ticketRef}</span> : null}
            {!r.reason && !r.ticketRef ? <span className="text-slate-400">—</span> : null}
          </td>
          <td className="whitespace-nowrap px-3 py-2.5 text-slate-600">
            <RelativeTime value={r.createdAt} now={now} tz={tz} />
          </td>
          <td className="whitespace-nowrap px-3 py-2.5 text-slate-600">
            {r.status === 'pending' ? <RelativeTime value={r.expiresAt} now={now} tz={tz} /> : <span className="text-slate-400">—</span>}
          </td>
          <td className="px-3 py-2.5">
            <ApprovalStatusBadge status={r.status} />
          </td>
        </tr>
      ))}
    </ListTable>
  );
}
