// Pure (no server-only marker, no I/O): the dashboards' time arithmetic, unit-tested on its own.
import { zonedLocalToUtc, zoneOffsetMs } from '@/lib/validation/audit-filter';

/** One hour in ms: the rollups' bucket size (an AuditRollup bucket is the start of a UTC hour). */
export const HOUR_MS = 3_600_000;

/** Windows up to this long are charted per hour, longer ones per day in the viewer's zone. */
export const HOURLY_LIMIT_MS = 48 * HOUR_MS;

/** The start of the UTC hour containing `ms`. */
export function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** The start of the first UTC hour at or after `ms`. */
export function ceilHour(ms: number): number {
  return Math.ceil(ms / HOUR_MS) * HOUR_MS;
}

export type Granularity = 'hour' | 'day';

/**
 * The chart buckets covering [from, end): `edges[i]` to `edges[i + 1]` is bucket i.
 * The first edge may lie before `from` and the last after `end`; counts are
 * clipped to the window, so those buckets are simply partial.
 *
 * - hour: UTC hours. Every zone's hour starts at a UTC hour except the few
 *   with a :30/:45 offset (e.g. +05:30), where a bucket is shown as 10:30–11:30
 *   local: still one exact hour of events.
 * - day: local midnights in `tz`, from the zone's own rules, so a day around a
 *   DST change is 23 or 25 hours long. In a :30/:45 zone a midnight falls inside
 *   a UTC hour; see {@link rollupRuns} for how that hour is counted.
 */
export function bucketEdges(from: number, end: number, tz: string): { granularity: Granularity; edges: number[] } {
  if (end - from <= HOURLY_LIMIT_MS) {
    const edges: number[] = [];
    for (let t = floorHour(from); t < end; t += HOUR_MS) edges.push(t);
    edges.push(edges.length > 0 ? edges[edges.length - 1]! + HOUR_MS : floorHour(from) + HOUR_MS);
    return { granularity: 'hour', edges };
  }
  const edges: number[] = [];
  let day = localDate(from, tz);
  let start = zonedLocalToUtc(`${day}T00:00`, tz).getTime();
  // A midnight in a DST gap resolves to a later instant; never start after `from`.
  if (start > from) {
    day = addDays(day, -1);
    start = zonedLocalToUtc(`${day}T00:00`, tz).getTime();
  }
  edges.push(start);
  while (edges[edges.length - 1]! < end) {
    day = addDays(day, 1);
    edges.push(zonedLocalToUtc(`${day}T00:00`, tz).getTime());
  }
  return { granularity: 'day', edges };
}

/** The local calendar date (YYYY-MM-DD) of an instant in `tz`. */
export function localDate(ms: number, tz: string): string {
  return new Date(ms + zoneOffsetMs(new Date(ms), tz)).toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Index of the bucket containing `ms` (edges[i] <= ms < edges[i + 1]), or -1 outside all buckets. */
export function bucketIndex(edges: readonly number[], ms: number): number {
  let lo = 0;
  let hi = edges.length - 1;
  if (hi < 1 || ms < edges[0]! || ms >= edges[hi]!) return -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! <= ms) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** A half-open time interval [start, end); `end` null is open-ended. */
export interface Interval {
  start: number;
  end: number | null;
}

/**
 * Splits a window between the rollup tables and the event table, so that every
 * event is counted exactly once:
 *
 * - `runs`: maximal runs of whole UTC hours [start, end) that lie inside the
 *   window, end by `coveredUntil` (every event before it has seq <= throughSeq,
 *   so the rollups hold exactly that hour's events) and do not contain a bucket
 *   edge (else the hour's events belong to two buckets: a :30 midnight);
 * - `direct`: the rest of the window, in order: partial hours at the edges,
 *   hours cut by a bucket edge, and everything from `coveredUntil` on.
 *
 * The two lists tile [from, to) without overlap. `limit` bounds the hours
 * enumerated when neither `to` nor `coveredUntil` does (the chart's end).
 */
export function rollupRuns(args: {
  from: number;
  to: number | null;
  coveredUntil: number | null;
  edges: readonly number[];
  limit: number;
}): { runs: { start: number; end: number }[]; direct: Interval[] } {
  const { from, to, coveredUntil, edges } = args;
  const upper = Math.min(to ?? Infinity, coveredUntil ?? Infinity, args.limit);
  const inner = new Set<number>();
  for (const e of edges) if (e % HOUR_MS !== 0) inner.add(floorHour(e));
  const runs: { start: number; end: number }[] = [];
  for (let h = ceilHour(from); h + HOUR_MS <= upper; h += HOUR_MS) {
    if (inner.has(h)) continue;
    const last = runs[runs.length - 1];
    if (last && last.end === h) last.end = h + HOUR_MS;
    else runs.push({ start: h, end: h + HOUR_MS });
  }
  const direct: Interval[] = [];
  let cursor = from;
  for (const r of runs) {
    if (r.start > cursor) direct.push({ start: cursor, end: r.start });
    cursor = r.end;
  }
  if (to === null || cursor < to) direct.push({ start: cursor, end: to });
  return { runs, direct };
}

/** Groups of at most `size` items (bounded OR lists and bind parameters per query). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
