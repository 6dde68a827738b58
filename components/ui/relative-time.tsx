import { zoneOffsetMs } from '@/lib/validation/audit-filter';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "3 h ago" / "in 20 min": a coarse distance between two instants. Pure. */
export function relativeTime(at: Date, now: Date): string {
  const diff = at.getTime() - now.getTime();
  const abs = Math.abs(diff);
  if (abs < MINUTE) return diff <= 0 ? 'just now' : 'in under a minute';
  const amount =
    abs < HOUR ? `${Math.floor(abs / MINUTE)} min` : abs < 2 * DAY ? `${Math.floor(abs / HOUR)} h` : `${Math.floor(abs / DAY)} d`;
  return diff < 0 ? `${amount} ago` : `in ${amount}`;
}

/** The absolute instant in UTC and, when known and different, in the viewer's zone (the hover text). */
export function absoluteTime(at: Date, tz?: string): string {
  const utc = `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  if (!tz || tz === 'UTC') return utc;
  const local = new Date(at.getTime() + zoneOffsetMs(at, tz)).toISOString().slice(0, 16).replace('T', ' ');
  return `${utc} (${local} ${tz})`;
}

/**
 * A relative time ("3 h ago") with the absolute instant (UTC, and the viewer's
 * zone when known) on hover — or underneath, when `stacked`.
 */
export function RelativeTime({ value, now, tz, stacked = false }: { value: Date; now: Date; tz?: string; stacked?: boolean }) {
  const absolute = absoluteTime(value, tz);
  return (
    <time dateTime={value.toISOString()} title={absolute} className={stacked ? 'block tabular-nums' : 'tabular-nums'}>
      {stacked ? <span>{relativeTime(value, now)}</span> : relativeTime(value, now)}
      {stacked ? <span className="block text-xs text-slate-500">{absolute}</span> : null}
    </time>
  );
}
