import Link from 'next/link';
import { showControlCharacters } from '@/lib/audit/display';
import type { TicketDetailDTO } from '@/lib/dal/tickets';
import { AgeBadge, PriorityBadge, TagList, TicketStatusBadge, ticketLabel } from './ticket-badges';

/** The ticket's title block: number, subject, status and priority, tags, age and who has it. */
export function TicketHeader({ ticket, backLabel }: { ticket: TicketDetailDTO; backLabel: string }) {
  return (
    <header className="mb-6 border-b border-slate-200 pb-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="font-mono text-sm font-semibold text-indigo-700">{ticketLabel(ticket.number)}</p>
        <Link href="/tickets" className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
          ← {backLabel}
        </Link>
      </div>
      <h1 className="mt-1 break-words text-2xl font-semibold tracking-tight text-slate-900">{showControlCharacters(ticket.subject)}</h1>
      <div className="mt-3 flex flex-wrap items-center gap-x-4 gap-y-2 text-sm text-slate-600">
        <span className="flex gap-1.5">
          <TicketStatusBadge status={ticket.status} />
          <PriorityBadge priority={ticket.priority} />
        </span>
        <span className="flex items-center gap-1.5">
          Age <AgeBadge hours={ticket.ageHours} status={ticket.status} />
        </span>
        <span>
          Assignee:{' '}
          {ticket.assignee ? (
            <span className="font-medium text-slate-900">{showControlCharacters(ticket.assignee.name)}</span>
          ) : (
            <span className="text-slate-500">Unassigned</span>
          )}
        </span>
        <TagList tags={ticket.tags} />
      </div>
    </header>
  );
}
