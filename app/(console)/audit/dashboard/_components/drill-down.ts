import type { DashboardBucket } from '@/lib/dal/audit-dashboard';
import { auditFilterParams, utcToZonedLocal, zonedLocalToUtc, type AuditFilter } from '@/lib/validation/audit-filter';

/** Overrides a panel adds to the window: exactly the fields it counted by. */
export type DrillFields = Pick<Partial<AuditFilter>, 'operation' | 'outcome' | 'role' | 'targetType' | 'actor'>;

/**
 * UTC spelled so that auditFilterParams keeps it in the link: it leaves out
 * "UTC" as the default, but the browser defaults the zone to the viewer's
 * cookie, which would move a custom window.
 */
const EXPLICIT_UTC = 'Etc/UTC';

/** Only the window of the dashboard's filter, never its other fields (the dashboard ignores them). */
function windowOnly(filter: AuditFilter): Partial<AuditFilter> {
  return { window: filter.window, from: filter.from, to: filter.to, tz: filter.tz === 'UTC' ? EXPLICIT_UTC : filter.tz };
}

/** A minute-precision wall-clock time in `tz` for an instant, if it names exactly that instant (not in a DST overlap). */
function exactLocal(at: Date, tz: string): string | null {
  const local = utcToZonedLocal(at, tz);
  return zonedLocalToUtc(local, tz).getTime() === at.getTime() ? local : null;
}

/** Rounds up to the whole minute (custom windows have minute precision). */
function ceilMinute(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / 60_000) * 60_000);
}

/** The audit browser over the dashboard's window, narrowed by `fields`. */
export function drillHref(filter: AuditFilter, fields: DrillFields = {}): string {
  return `/audit?${auditFilterParams(windowOnly(filter), fields).toString()}`;
}

/**
 * The audit browser over one chart bucket, as a custom window in the viewer's
 * zone, or in UTC where a local time would be ambiguous (the repeated hour when
 * clocks go back). The last bucket of an open window stays open, so events
 * still arriving are shown as they are counted. A preset window's start has
 * seconds; the first bucket's link starts at its minute (custom windows have
 * minute precision).
 */
export function bucketHref(filter: AuditFilter, bucket: DashboardBucket, open: boolean, fields: DrillFields = {}): string {
  const start = new Date(Math.floor(bucket.start.getTime() / 60_000) * 60_000);
  const end = ceilMinute(bucket.end);
  let tz = filter.tz;
  let from = exactLocal(start, tz);
  let to = open ? undefined : exactLocal(end, tz);
  if (from === null || to === null || tz === 'UTC') {
    tz = EXPLICIT_UTC;
    from = utcToZonedLocal(start, 'UTC');
    to = open ? undefined : utcToZonedLocal(end, 'UTC');
  }
  return `/audit?${auditFilterParams({ window: 'custom', from, to, tz }, fields).toString()}`;
}

/** A bucket's label in the viewer's zone: date and time for hours, the date for days. */
export function bucketLabel(bucket: DashboardBucket, granularity: 'hour' | 'day', tz: string): string {
  const local = utcToZonedLocal(bucket.start, tz).replace('T', ' ');
  return granularity === 'hour' ? local.slice(5) : local.slice(0, 10);
}
