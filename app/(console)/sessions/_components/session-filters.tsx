import { SelectField, TextField } from '@/components/ui/field';
import { SESSION_AGES, type SessionListQuery } from '@/lib/validation/lists';
import { ROLES } from '@/policies/roles';

const AGE_LABELS: Record<(typeof SESSION_AGES)[number], string> = {
  '1h': 'Signed in within the last hour',
  '24h': 'Signed in within the last 24 hours',
  over24h: 'Signed in over 24 hours ago',
};

/** The filter bar: a plain GET form, so every filtered view is a shareable URL. */
export function SessionFilters({ query }: { query: SessionListQuery }) {
  return (
    <form
      method="get"
      role="search"
      aria-label="Filter sessions"
      className="mb-4 grid grid-cols-1 gap-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:grid-cols-5"
    >
      <TextField label="User name or email" name="q" defaultValue={query.q ?? ''} placeholder="e.g. jane@" />
      <SelectField label="Role" name="role" options={ROLES} defaultValue={query.role ?? ''} />
      <label className="block text-xs font-medium text-slate-700">
        Session age
        <select
          name="age"
          defaultValue={query.age ?? ''}
          className="mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
        >
          <option value="">Any</option>
          {SESSION_AGES.map((a) => (
            <option key={a} value={a}>
              {AGE_LABELS[a]}
            </option>
          ))}
        </select>
      </label>
      <TextField label="IP address starts with" name="ip" defaultValue={query.ip ?? ''} placeholder="e.g. 203.0.113." />
      <div className="flex items-end gap-2">
        <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500">
          Apply filters
        </button>
        <a href="/sessions" className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
          Clear
        </a>
      </div>
    </form>
  );
}
