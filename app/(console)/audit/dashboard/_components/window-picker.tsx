import { AUDIT_WINDOW_LABELS, AUDIT_WINDOWS, utcToZonedLocal, type AuditFilter } from '@/lib/validation/audit-filter';
import { BrowserTimeZoneInput } from '../../_components/browser-time-zone-input';

const control =
  'mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600';
const labelClass = 'block text-xs font-medium text-slate-700';

function utcLabel(d: Date | null, open: string) {
  return d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : open;
}

/** The time window of every panel: a GET form, so the dashboard is a shareable link. */
export function WindowPicker({ filter, from, to }: { filter: AuditFilter; from: Date | null; to: Date | null }) {
  const custom = filter.window === 'custom';
  return (
    <form
      method="get"
      action="/audit/dashboard"
      aria-label="Time window"
      className="mb-4 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200"
    >
      <div className="grid grid-cols-1 items-end gap-3 sm:grid-cols-2 lg:grid-cols-5">
        <label className={labelClass}>
          Time window
          <select name="window" defaultValue={filter.window} className={control}>
            {AUDIT_WINDOWS.map((w) => (
              <option key={w} value={w}>
                {AUDIT_WINDOW_LABELS[w]}
              </option>
            ))}
          </select>
        </label>
        <label className={labelClass}>
          From (your time, custom range)
          <input
            type="datetime-local"
            name="from"
            defaultValue={filter.from ?? (custom && from ? utcToZonedLocal(from, filter.tz) : '')}
            className={control}
          />
        </label>
        <label className={labelClass}>
          To (your time, custom range)
          <input type="datetime-local" name="to" defaultValue={filter.to ?? ''} className={control} />
        </label>
        <div className="flex gap-2">
          <BrowserTimeZoneInput fallback={filter.tz} />
          <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500">
            Apply
          </button>
        </div>
        <p className="text-xs text-slate-600" data-testid="resolved-window">
          <span className="font-medium text-slate-700">Window in UTC: </span>
          {utcLabel(from, 'beginning of the trail')} → {utcLabel(to, 'now')}
          <span className="block text-slate-500">Your time zone: {filter.tz}</span>
        </p>
      </div>
    </form>
  );
}
