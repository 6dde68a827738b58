import type { AuditFilter } from '@/lib/validation/audit-filter';
import { BrowserTimeZoneInput } from '../../_components/browser-time-zone-input';
import { CustomRangeInputs, utcLabel, WindowSelect } from '../../_components/time-window-fields';

/** The time window of every panel: a GET form, so the dashboard is a shareable link. */
export function WindowPicker({ filter, from, to }: { filter: AuditFilter; from: Date | null; to: Date | null }) {
  return (
    <form
      method="get"
      action="/audit/dashboard"
      aria-label="Time window"
      className="mb-4 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200"
    >
      <div className="grid grid-cols-1 items-end gap-3 sm:grid-cols-2 lg:grid-cols-5">
        <WindowSelect filter={filter} />
        <CustomRangeInputs filter={filter} from={from} />
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
