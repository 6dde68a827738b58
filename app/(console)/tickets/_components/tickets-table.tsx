import type { ReactNode } from 'react';
import Link from 'next/link';
import { ListTable } from '@/components/ui/list-table';
import { Time } from '@/components/ui/time';
import { showControlCharacters } from '@/lib/audit/display';
import type { TicketRowDTO } from '@/lib/dal/tickets';
import { AgeBadge, PriorityBadge, TagList, TicketStatusBadge, ticketLabel } from './ticket-badges';

const HEADERS = ['Ticket', 'Subject', 'Requester', 'Status', 'Priority', 'Tags', 'Assignee', 'Age', 'Last activity'];

/** The tickets table: one row per ticket, the number linking to the ticket. */
export function TicketsTable({ rows, empty }: { rows: TicketRowDTO[]; empty: ReactNode }) {
  return (
    <ListTable caption="Tickets" headers={HEADERS} empty={empty}>
      {rows.map((t) => (
        <tr key={t.id} data-testid="ticket-row" data-ticket-id={t.id}>
          <td className="whitespace-nowrap px-3 py-2.5">
            <Link href={`/tickets/${t.id}`} className="font-medium text-indigo-700 hover:underline">
              {ticketLabel(t.number)}
            </Link>
          </td>
          <td className="max-w-xs truncate px-3 py-2.5 text-slate-900" title={showControlCharacters(t.subject)}>
            {showControlCharacters(t.subject)}
          </td>
          <td className="whitespace-nowrap px-3 py-2.5 text-slate-700">{showControlCharacters(t.requesterName)}</td>
          <td className="px-3 py-2.5">
            <TicketStatusBadge status={t.status} />
          </td>
          <td className="px-3 py-2.5">
            <PriorityBadge priority={t.priority} />
          </td>
          <td className="px-3 py-2.5">
            <TagList tags={t.tags} />
          </td>
          <td className="px-3 py-2.5 text-slate-700">
            {t.assignee ? showControlCharacters(t.assignee.name) : <span className="text-slate-400">Unassigned</span>}
          </td>
          <td className="whitespace-nowrap px-3 py-2.5">
            <AgeBadge hours={t.ageHours} status={t.status} />
          </td>
          <td className="whitespace-nowrap px-3 py-2.5 text-slate-600">
            <Time value={t.lastActivityAt} />
          </td>
        </tr>
      ))}
    </ListTable>
  );
}
