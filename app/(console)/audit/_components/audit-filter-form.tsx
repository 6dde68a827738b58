import { AUDIT_OPERATIONS } from '@/lib/audit/operations';
import { AUDIT_OUTCOMES, AUDIT_TARGET_TYPES, type AuditFilter, type ResolvedWindow } from '@/lib/validation/audit-filter';
import { ROLES } from '@/policies/roles';
import { BrowserTimeZoneInput } from './browser-time-zone-input';
import { controlClass, CustomRangeInputs, labelClass, utcLabel, WindowSelect } from './time-window-fields';

/** Operation ids grouped by their prefix (auth, account, user, …) for the select. */
function operationGroups(): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const id of Object.keys(AUDIT_OPERATIONS)) {
    const prefix = id.split('.')[0] ?? id;
    groups.set(prefix, [...(groups.get(prefix) ?? []), id]);
  }
  return [...groups.entries()];
}

/** The audit browser's filter bar: a GET form, so every filter is in the URL (shareable, bookmarkable). */
export function AuditFilterForm({ filter, window }: { filter: AuditFilter; window: ResolvedWindow }) {
  const custom = filter.window === 'custom';
  const advanced = custom || !!(filter.role || filter.targetType || filter.targetId || filter.correlationId || filter.ip);
  return (
    <form
      method="get"
      action="/audit"
      role="search"
      aria-label="Filter audit events"
      className="mb-4 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200"
    >
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-6">
        <WindowSelect filter={filter} />
        <label className={labelClass}>
          Actor (user id or email)
          <input name="actor" defaultValue={filter.actor ?? ''} className={controlClass} autoComplete="off" />
        </label>
        <label className={labelClass}>
          Operation
          <select name="operation" defaultValue={filter.operation ?? ''} className={controlClass}>
            <option value="">Any</option>
            {operationGroups().map(([group, ids]) => (
              <optgroup key={group} label={group}>
                {ids.map((id) => (
                  <option key={id} value={id}>
                    {id}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        <label className={labelClass}>
          Outcome
          <select name="outcome" defaultValue={filter.outcome ?? ''} className={controlClass}>
            <option value="">Any</option>
            {AUDIT_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label className={`${labelClass} lg:col-span-2`}>
          Reason contains (full-text, all words)
          <input name="q" type="search" defaultValue={filter.q ?? ''} className={controlClass} placeholder="e.g. quarterly access review" />
        </label>
      </div>
      <details open={advanced} className="mt-3 group">
        <summary className="cursor-pointer text-xs font-medium text-indigo-700 hover:underline">
          More filters: custom time range, role, target, request, address
        </summary>
        <div className="mt-3 grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <CustomRangeInputs filter={filter} from={window.from} />
          <label className={labelClass}>
            Actor role
            <select name="role" defaultValue={filter.role ?? ''} className={controlClass}>
              <option value="">Any</option>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <label className={labelClass}>
            Target type
            <select name="targetType" defaultValue={filter.targetType ?? ''} className={controlClass}>
              <option value="">Any</option>
              {AUDIT_TARGET_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label className={labelClass}>
            Target id
            <input name="targetId" defaultValue={filter.targetId ?? ''} className={controlClass} autoComplete="off" />
          </label>
          <label className={labelClass}>
            Correlation id
            <input name="correlationId" defaultValue={filter.correlationId ?? ''} className={controlClass} autoComplete="off" />
          </label>
          <label className={labelClass}>
            IP address
            <input name="ip" defaultValue={filter.ip ?? ''} className={controlClass} autoComplete="off" placeholder="e.g. 203.0.113.7" />
          </label>
        </div>
      </details>
      <div className="mt-3 flex flex-wrap items-center justify-between gap-3 border-t border-slate-100 pt-3">
        <p className="text-xs text-slate-600" data-testid="resolved-window">
          <span className="font-medium text-slate-700">Window in UTC: </span>
          {utcLabel(window.from, 'beginning of the trail')} → {utcLabel(window.to, 'now')}
          <span className="text-slate-500"> · times shown in UTC and {filter.tz}</span>
        </p>
        <div className="flex items-center gap-2">
          <BrowserTimeZoneInput fallback={filter.tz} />
          <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500">
            Apply filters
          </button>
          <a href="/audit" className="rounded-md px-3 py-1.5 text-sm text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50">
            Clear
          </a>
        </div>
      </div>
    </form>
  );
}
