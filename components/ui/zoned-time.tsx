import { zoneOffsetMs } from '@/lib/validation/audit-filter';

function wallClock(at: Date, tz: string): string {
  return new Date(at.getTime() + zoneOffsetMs(at, tz)).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * A timestamp in UTC (the trail's own time) and, when the viewer's time zone is
 * known and differs, the same instant in that zone underneath.
 */
export function ZonedTime({ value, tz, compact = false }: { value: Date; tz?: string; compact?: boolean }) {
  const iso = value.toISOString();
  const utc = compact ? iso.slice(0, 16).replace('T', ' ') : iso.slice(0, 19).replace('T', ' ');
  const local = tz && tz !== 'UTC' ? wallClock(value, tz) : null;
  return (
    <time dateTime={iso} title={iso} className="block tabular-nums">
      <span>{utc} UTC</span>
      {local ? (
        <span className="block text-xs text-slate-500">
          {compact ? local.slice(0, 16) : local} {tz}
        </span>
      ) : null}
    </time>
  );
}
