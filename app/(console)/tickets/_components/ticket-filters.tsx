import Link from 'next/link';
import { TextField } from '@/components/ui/field';
import { showControlCharacters } from '@/lib/audit/display';
import type { TicketListQueryInput } from '@/lib/validation/tickets';
import { ANY } from './ticket-format';

const control =
  'mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600';

const STATUS_OPTIONS = [
  ['active', 'Active (open or pending)'],
  ['open', 'Open'],
  ['pending', 'Pending'],
  ['resolved', 'Resolved'],
  ['closed', 'Closed'],
] as const;
const PRIORITY_OPTIONS = ['urgent', 'high', 'normal', 'low'] as const;
const SORT_OPTIONS = [
  ['activity', 'Last activity'],
  ['created', 'Newest first'],
  ['priority', 'Priority'],
] as const;

function Select({
  label,
  name,
  value,
  options,
}: {
  label: string;
  name: string;
  value: string;
  options: readonly (readonly [string, string])[];
}) {
  return (
    <label className="block text-xs font-medium text-slate-700">
      {label}
      <select name={name} defaultValue={value} className={control}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * The filter bar: a plain GET form, so every view is a shareable URL. "Any" is
 * sent as `all` (not left out) so that an agent who asks for every status does
 * not fall back to the "My tickets" default on the next page.
 */
export function TicketFilters({
  query,
  agents,
}: {
  query: TicketListQueryInput;
  /** Agents an admin can filter by (from the workload); null for support agents, who only see their own tickets. */
  agents: { id: string; name: string }[] | null;
}) {
  return (
    <form
      method="get"
      role="search"
      aria-label="Filter tickets"
      className="mb-4 grid grid-cols-1 gap-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:grid-cols-3 lg:grid-cols-6"
    >
      <TextField label="Subject or number" name="q" defaultValue={query.q ?? ''} placeholder="e.g. password or 42" />
      <Select label="Status" name="status" value={query.status ?? ANY} options={[[ANY, 'Any status'], ...STATUS_OPTIONS]} />
      <Select
        label="Priority"
        name="priority"
        value={query.priority ?? ''}
        options={[['', 'Any priority'], ...PRIORITY_OPTIONS.map((p) => [p, p] as const)]}
      />
      {agents ? (
        <Select
          label="Assignee"
          name="assignee"
          value={query.assignee ?? ANY}
          options={[
            [ANY, 'Anyone'],
            ['me', 'Me'],
            ['unassigned', 'Unassigned'],
            ...agents.map((a) => [a.id, showControlCharacters(a.name)] as const),
          ]}
        />
      ) : null}
      <TextField label="Tag" name="tag" defaultValue={query.tag ?? ''} placeholder="e.g. billing" pattern="[a-z0-9-]{1,32}" />
      <Select label="Sort by" name="sort" value={query.sort} options={SORT_OPTIONS} />
      <div className="flex items-end gap-2">
        <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500">
          Apply filters
        </button>
        <Link href="/tickets" className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
          Reset
        </Link>
      </div>
    </form>
  );
}
