import Link from 'next/link';
import { SelectField, TextField } from '@/components/ui/field';
import { LAST_ACTIVE_FILTERS, USER_STATUSES, type UserListQuery } from '@/lib/validation/lists';
import { ROLES } from '@/policies/roles';
import { DEFAULT_SORT } from './list-params';

const ACTIVE_LABELS: Record<(typeof LAST_ACTIVE_FILTERS)[number], string> = {
  '24h': 'In the last 24 hours',
  '7d': 'In the last 7 days',
  '30d': 'In the last 30 days',
  over30d: 'Not in the last 30 days',
  never: 'Never',
};

/** The filter bar: a plain GET form, so every filtered view is a shareable URL; the current order is kept. */
export function UserFilters({ query }: { query: UserListQuery }) {
  const keepOrder = query.sort !== DEFAULT_SORT.sort || query.dir !== DEFAULT_SORT.dir;
  return (
    <form
      method="get"
      role="search"
      aria-label="Filter users"
      className="mb-4 grid grid-cols-1 gap-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:grid-cols-5"
    >
      <TextField label="Name or email" name="q" defaultValue={query.q ?? ''} placeholder="e.g. jane@" />
      <SelectField label="Role" name="role" options={ROLES} defaultValue={query.role ?? ''} />
      <SelectField label="Status" name="status" options={USER_STATUSES} defaultValue={query.status ?? ''} />
      <label className="block text-xs font-medium text-slate-700">
        Last active
        <select
          name="active"
          defaultValue={query.active ?? ''}
          className="mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
        >
          <option value="">Any time</option>
          {LAST_ACTIVE_FILTERS.map((a) => (
            <option key={a} value={a}>
              {ACTIVE_LABELS[a]}
            </option>
          ))}
        </select>
      </label>
      {keepOrder ? (
        <>
          <input type="hidden" name="sort" value={query.sort} />
          <input type="hidden" name="dir" value={query.dir} />
        </>
      ) : null}
      <div className="flex items-end gap-2">
        <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500">
          Apply filters
        </button>
        <Link href="/users" className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
          Clear
        </Link>
      </div>
    </form>
  );
}
