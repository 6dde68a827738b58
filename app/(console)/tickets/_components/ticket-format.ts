import { showControlCharacters } from '@/lib/audit/display';
import type { BadgeTone } from '@/components/ui/badge';
import type { TicketListQueryInput } from '@/lib/validation/tickets';

/** Statuses in which the requester is still waiting on us: the only ones whose age is an SLA signal. */
const WAITING = new Set(['open', 'pending']);

/** "<1 h", "3 h", "2 d": the age of a ticket, hours under two days, whole days after. */
export function formatAge(hours: number): string {
  if (hours < 1) return '<1 h';
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/** SLA-ish colour of the age: amber over 24 h, red over 72 h, only while the ticket is open or pending. */
export function ageTone(hours: number, status: string): BadgeTone {
  if (!WAITING.has(status)) return 'slate';
  if (hours > 72) return 'red';
  if (hours > 24) return 'amber';
  return 'slate';
}

/**
 * A multi-line user text (a ticket body or comment) as display lines: split on
 * line breaks so the text keeps its shape, each line passed through
 * showControlCharacters (SECURITY.md T35/T37), so a bidi override, a zero-width
 * character or a lone carriage return is shown, not obeyed.
 */
export function displayLines(text: string): string[] {
  return text.split(/\r?\n/).map(showControlCharacters);
}

/** Raw search params as the tickets list reads them (first values). */
export type RawParams = Record<string, string>;

/** Explicit "any" for a filter whose absence means a default ("My tickets"): kept in URLs so paging keeps it. */
export const ANY = 'all';

/**
 * The filters the list applies, with the support agent's "My tickets" defaults:
 * with no `status` or `assignee` in the URL an agent sees their active tickets
 * (open or pending, assigned to them); `all` in the URL means no filter. Admins
 * get no defaults. `parsed` is TicketListQuerySchema's output for `raw`.
 */
export function applyListDefaults(raw: RawParams, parsed: TicketListQueryInput, isAgent: boolean): TicketListQueryInput {
  const status = raw.status === undefined && isAgent ? ('active' as const) : parsed.status;
  const assignee = raw.assignee === ANY ? undefined : raw.assignee === undefined && isAgent ? 'me' : parsed.assignee;
  return { ...parsed, status, assignee };
}

/** The list's filters as URL parameters (not the page); an absent filter is written as `all` so a default never comes back. */
export function ticketListParams(query: TicketListQueryInput): Record<string, string | undefined> {
  return {
    status: query.status ?? ANY,
    priority: query.priority,
    assignee: query.assignee ?? ANY,
    tag: query.tag,
    q: query.q,
    sort: query.sort === 'activity' ? undefined : query.sort,
  };
}
