import Link from 'next/link';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { showControlCharacters } from '@/lib/audit/display';
import { ageTone, displayLines, formatAge } from './ticket-format';

const STATUS_TONES: Record<string, BadgeTone> = { open: 'sky', pending: 'amber', resolved: 'green', closed: 'slate' };
const PRIORITY_TONES: Record<string, BadgeTone> = { urgent: 'red', high: 'amber', normal: 'slate', low: 'slate' };

/** A ticket's status, always with its word (colour is never the only signal). */
export function TicketStatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONES[status] ?? 'slate'}>{status}</Badge>;
}

export function PriorityBadge({ priority }: { priority: string }) {
  return <Badge tone={PRIORITY_TONES[priority] ?? 'slate'}>{priority}</Badge>;
}

/** How long ago the ticket was opened; amber over 24 h and red over 72 h while the requester waits. */
export function AgeBadge({ hours, status }: { hours: number; status: string }) {
  const tone = ageTone(hours, status);
  const label = formatAge(hours);
  const late = tone === 'red' ? ', overdue' : tone === 'amber' ? ', over a day old' : '';
  return (
    <span title={`Opened ${label} ago${late}`}>
      <Badge tone={tone}>
        {label}
        <span className="sr-only">{late}</span>
      </Badge>
    </span>
  );
}

/** A ticket's tags, each a link to the list filtered by it (tags are user text: shown through showControlCharacters). */
export function TagList({ tags }: { tags: string[] }) {
  if (tags.length === 0) return <span className="text-slate-400">—</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {tags.map((t) => (
        <Link
          key={t}
          href={`/tickets?${new URLSearchParams({ tag: t, status: 'all', assignee: 'all' }).toString()}`}
          className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700 hover:bg-slate-200"
        >
          #{showControlCharacters(t)}
        </Link>
      ))}
    </span>
  );
}

/** Multi-line user text as plain React text: line breaks kept, control and bidi characters made visible. */
export function PlainText({ text, className = '' }: { text: string; className?: string }) {
  return (
    <div className={`space-y-1 break-words text-sm text-slate-800 ${className}`}>
      {displayLines(text).map((line, i) => (
        <p key={i} className="min-h-[1lh]">
          {line}
        </p>
      ))}
    </div>
  );
}

/** "SUP-42". */
export function ticketLabel(number: number): string {
  return `SUP-${number}`;
}
