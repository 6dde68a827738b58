import Link from 'next/link';
import { TabLinks } from '@/components/ui/tab-links';
import { RULES, RULE_IDS } from '@/lib/monitoring/rules';
import { alertsHref, SEVERITIES_DESC, SEVERITY_LABELS, STATUS_TABS, type AlertListParams } from './alert-format';

const controlClass =
  'mt-1 block w-full rounded-md border-0 px-2.5 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600';

/**
 * The inbox's filters, all in the URL (shareable): status tabs as links (they
 * keep the severity and rule), and a GET form for severity and rule (it keeps
 * the status).
 */
export function AlertFilters({ current }: { current: AlertListParams }) {
  const filtered = !!(current.severity || current.rule);
  return (
    <div className="mb-4 space-y-3">
      <nav aria-label="Alert status" className="border-b border-slate-200">
        <TabLinks
          tabs={STATUS_TABS.map((t) => ({
            key: t.status,
            href: alertsHref({ ...current, status: t.status }),
            label: t.label,
            active: current.status === t.status,
          }))}
        />
      </nav>
      <form
        method="get"
        action="/alerts"
        role="search"
        aria-label="Filter alerts"
        className="flex flex-wrap items-end gap-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200"
      >
        {current.status !== 'active' ? <input type="hidden" name="status" value={current.status} /> : null}
        <label className="block min-w-40 text-xs font-medium text-slate-700">
          Severity
          <select name="severity" defaultValue={current.severity ?? ''} className={controlClass}>
            <option value="">Any severity</option>
            {SEVERITIES_DESC.map((s) => (
              <option key={s} value={s}>
                {SEVERITY_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label className="block min-w-64 text-xs font-medium text-slate-700">
          Rule
          <select name="rule" defaultValue={current.rule ?? ''} className={controlClass}>
            <option value="">Any rule</option>
            {RULE_IDS.map((id) => (
              <option key={id} value={id}>
                {RULES[id].title}
              </option>
            ))}
          </select>
        </label>
        <button
          type="submit"
          className="rounded-md bg-white px-3 py-1.5 text-sm font-semibold text-slate-800 shadow-xs ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
        >
          Filter
        </button>
        {filtered ? (
          <Link href={alertsHref({ status: current.status })} className="px-1 py-1.5 text-sm text-indigo-700 hover:underline">
            Clear filters
          </Link>
        ) : null}
      </form>
    </div>
  );
}
