import Link from 'next/link';
import type { ExplorerView } from '@/lib/validation/policy-explorer';
import { EXPLORER_DECISIONS, EXPLORER_RISKS } from '@/policies/explorer';
import { MATRIX_PRINCIPALS, type MatrixDecision, type MatrixPrincipal } from '@/policies/matrix';
import type { Risk } from '@/policies/operations';
import { explorerHref } from './explorer-href';

const field =
  'mt-1 block w-full rounded-md border-0 px-2.5 py-1.5 text-sm text-slate-900 ring-1 ring-slate-300 focus:ring-2 focus:ring-indigo-600';

/** The explorer's filters: a GET form, so every filter lives in the URL. */
export function ExplorerFilters({
  view,
  principal,
  q,
  decision,
  risk,
}: {
  view: ExplorerView;
  principal: MatrixPrincipal | 'all';
  q?: string;
  decision?: MatrixDecision;
  risk?: Risk;
}) {
  return (
    <form
      method="get"
      action="/roles/matrix"
      role="search"
      aria-label="Filter the decision matrix"
      className="mb-6 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200"
    >
      {view !== 'matrix' ? <input type="hidden" name="view" value={view} /> : null}
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5">
        <label className="block text-sm font-medium text-slate-700">
          {view === 'role' ? 'Role' : 'Caller'}
          <select name="principal" defaultValue={principal} className={field}>
            {view === 'role' ? null : <option value="all">All callers</option>}
            {MATRIX_PRINCIPALS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm font-medium text-slate-700 lg:col-span-2">
          Operation (id or description)
          <input
            type="search"
            name="q"
            defaultValue={q ?? ''}
            maxLength={100}
            placeholder="e.g. user.suspend or configuration"
            className={field}
          />
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Decision
          <select name="decision" defaultValue={decision ?? ''} className={field}>
            <option value="">Any decision</option>
            {EXPLORER_DECISIONS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Risk
          <select name="risk" defaultValue={risk ?? ''} className={field}>
            <option value="">Any risk</option>
            {EXPLORER_RISKS.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="mt-3 flex items-center gap-3">
        <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500">
          Apply filters
        </button>
        <Link
          href={explorerHref({ view, principal: view === 'role' ? principal : 'all' })}
          className="text-sm text-indigo-700 hover:underline"
        >
          Clear
        </Link>
      </div>
    </form>
  );
}
