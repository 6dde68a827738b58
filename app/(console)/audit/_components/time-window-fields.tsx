import { AUDIT_WINDOW_LABELS, AUDIT_WINDOWS, utcToZonedLocal, type AuditFilter } from '@/lib/validation/audit-filter';

/** Shared by the audit browser's filter bar and the dashboard's window picker (one look, one set of names). */
export const controlClass =
  'mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600';
export const labelClass = 'block text-xs font-medium text-slate-700';

/** A window end in UTC for the "Window in UTC" note, or the words for an open end. */
export function utcLabel(d: Date | null, open: string) {
  return d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : open;
}

/** The preset select (`window`). */
export function WindowSelect({ filter }: { filter: AuditFilter }) {
  return (
    <label className={labelClass}>
      Time window
      <select name="window" defaultValue={filter.window} className={controlClass}>
        {AUDIT_WINDOWS.map((w) => (
          <option key={w} value={w}>
            {AUDIT_WINDOW_LABELS[w]}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The custom range (`from`, `to`) as wall-clock times in the viewer's zone; `from` is prefilled from the resolved window. */
export function CustomRangeInputs({ filter, from }: { filter: AuditFilter; from: Date | null }) {
  const custom = filter.window === 'custom';
  return (
    <>
      <label className={labelClass}>
        From (your time, custom range)
        <input
          type="datetime-local"
          name="from"
          defaultValue={filter.from ?? (custom && from ? utcToZonedLocal(from, filter.tz) : '')}
          className={controlClass}
        />
      </label>
      <label className={labelClass}>
        To (your time, custom range)
        <input type="datetime-local" name="to" defaultValue={filter.to ?? ''} className={controlClass} />
      </label>
    </>
  );
}
