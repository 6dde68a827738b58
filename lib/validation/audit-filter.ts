/**
 * The audit filter: what the audit browser, the dashboards and the exports read
 * from the URL (house style 14: search params are input). One schema, one
 * serializer, so a filter is a shareable link and a drill-down from a dashboard
 * panel lands on exactly the events the panel counted.
 *
 * Times: presets are relative to now; a custom window is two wall-clock times in
 * the viewer's time zone (`tz`, an IANA name), turned into UTC instants here.
 * The window is half-open: from <= ts < to.
 */
import { z } from 'zod';
import { AUDIT_OPERATIONS } from '@/lib/audit/operations';
import { ROLES } from '@/policies/roles';

export const AUDIT_OUTCOMES = ['success', 'denied', 'failure'] as const;
export type AuditOutcomeFilter = (typeof AUDIT_OUTCOMES)[number];

/** Time window presets; "custom" uses from/to. */
export const AUDIT_WINDOWS = ['1h', '24h', '7d', '30d', '90d', 'all', 'custom'] as const;
export type AuditWindow = (typeof AUDIT_WINDOWS)[number];

export const AUDIT_WINDOW_LABELS: Record<AuditWindow, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  '90d': 'Last 90 days',
  all: 'All time',
  custom: 'Custom range',
};

const WINDOW_MS: Record<Exclude<AuditWindow, 'all' | 'custom'>, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
  '90d': 90 * 86_400_000,
};

/** Target types that events carry. */
export const AUDIT_TARGET_TYPES = [
  'User',
  'Session',
  'RoleState',
  'AuditEvent',
  'AuditTrail',
  'Ticket',
  'ConfigEntry',
  'ConfigChangeSet',
  'ApprovalRequest',
  'Alert',
  'AuditSigningKey',
  'Incident',
  'SystemState',
] as const;

export const AUDIT_OPERATION_IDS = Object.keys(AUDIT_OPERATIONS) as [keyof typeof AUDIT_OPERATIONS, ...(keyof typeof AUDIT_OPERATIONS)[]];

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .catch(undefined)
    .transform((v) => (v ? v : undefined));

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
const localDateTime = z
  .string()
  .trim()
  .regex(LOCAL_DATE_TIME)
  .refine((v) => !Number.isNaN(Date.parse(`${withSeconds(v)}Z`)))
  .optional()
  .catch(undefined);

/** YYYY-MM-DDTHH:mm[:ss] with the seconds spelled out. */
function withSeconds(local: string): string {
  return local.length === 16 ? `${local}:00` : local;
}

/** Whether a string is an IANA time zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.length <= 64;
  } catch {
    return false;
  }
}

const timeZone = z.string().trim().refine(isTimeZone).catch('UTC').default('UTC');

const ip = z
  .string()
  .trim()
  .pipe(z.union([z.ipv4(), z.ipv6()]))
  .optional()
  .catch(undefined);

const seqCursor = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional().catch(undefined);

/**
 * The filter itself. Invalid values fall back to "no filter on this field" (a
 * tampered link shows more, never an error page); `invalid` lists the fields
 * that were dropped so the page can say so.
 */
export const AuditFilterSchema = z.object({
  window: z.enum(AUDIT_WINDOWS).catch('7d').default('7d'),
  /** Custom window start/end, wall-clock in `tz` (YYYY-MM-DDTHH:mm, optionally :ss). */
  from: localDateTime,
  to: localDateTime,
  tz: timeZone,
  /** An actor's user id, or an email address (resolved to the id). */
  actor: text(254),
  role: z.enum(ROLES).optional().catch(undefined),
  operation: z.enum(AUDIT_OPERATION_IDS).optional().catch(undefined),
  targetType: z.enum(AUDIT_TARGET_TYPES).optional().catch(undefined),
  targetId: text(256),
  outcome: z.enum(AUDIT_OUTCOMES).optional().catch(undefined),
  correlationId: text(128),
  ip,
  /** Full-text search over the reason the actor gave. */
  q: text(200),
});
export type AuditFilter = z.infer<typeof AuditFilterSchema>;

/** Keyset cursor of the browser: older than `before`, or newer than `after` (seq). */
export const AuditCursorSchema = z.object({ before: seqCursor, after: seqCursor });
export type AuditCursor = z.infer<typeof AuditCursorSchema>;

/** The filter keys, in URL order. */
const FILTER_KEYS = [
  'window',
  'from',
  'to',
  'tz',
  'actor',
  'role',
  'operation',
  'targetType',
  'targetId',
  'outcome',
  'correlationId',
  'ip',
  'q',
] as const satisfies readonly (keyof AuditFilter)[];

/** Parses search params (first values) into a filter; never throws. */
export function parseAuditFilter(params: Record<string, string | undefined>, defaults: { window?: AuditWindow } = {}): AuditFilter {
  const raw: Record<string, string | undefined> = { ...params };
  if (!raw.window && defaults.window) raw.window = defaults.window;
  return AuditFilterSchema.parse(raw);
}

/**
 * The filter as URL search params, leaving out empty fields, and the time zone
 * and custom times unless the window is custom. `overrides` replace fields (a drill-down sets
 * operation or outcome on top of the current window).
 */
export function auditFilterParams(filter: Partial<AuditFilter>, overrides: Partial<AuditFilter> = {}): URLSearchParams {
  const merged: Partial<AuditFilter> = { ...filter, ...overrides };
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = merged[key];
    if (value === undefined || value === '') continue;
    if ((key === 'from' || key === 'to') && merged.window !== 'custom') continue;
    // A custom window's wall-clock times mean nothing without their zone, UTC included.
    if (key === 'tz' && merged.window !== 'custom') continue;
    params.set(key, String(value));
  }
  return params;
}

/** The filter as an object with only the fields that filter (for audit event details). */
export function describedFilter(filter: AuditFilter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of auditFilterParams(filter)) out[k] = v;
  return out;
}

/** Whether any field other than the time window filters. */
export function hasFieldFilters(filter: AuditFilter): boolean {
  return FILTER_KEYS.some((k) => !['window', 'from', 'to', 'tz'].includes(k) && filter[k] !== undefined);
}

export interface ResolvedWindow {
  /** Inclusive start (UTC), or null for the beginning of the trail. */
  from: Date | null;
  /** Exclusive end (UTC), or null for "up to now, including events still arriving". */
  to: Date | null;
}

/**
 * The filter's window as UTC instants. Presets have no upper bound, so events
 * that arrive while the viewer pages stay reachable (and a page never goes stale).
 */
export function resolveWindow(filter: Pick<AuditFilter, 'window' | 'from' | 'to' | 'tz'>, now: Date): ResolvedWindow {
  if (filter.window === 'all') return { from: null, to: null };
  if (filter.window === 'custom') {
    const from = filter.from ? zonedLocalToUtc(filter.from, filter.tz) : null;
    const to = filter.to ? zonedLocalToUtc(filter.to, filter.tz) : null;
    return { from, to };
  }
  return { from: new Date(now.getTime() - WINDOW_MS[filter.window]), to: null };
}

/** Offset of `tz` from UTC at the instant `at`, in ms (positive east of Greenwich). */
export function zoneOffsetMs(at: Date, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * A wall-clock time (YYYY-MM-DDTHH:mm[:ss]) in `tz` as a UTC instant. In an overlap
 * (the hour repeated when clocks go back) the earlier instant; in a gap (the hour
 * skipped when clocks go forward) the time is moved forward by the gap, as
 * Temporal's "compatible" disambiguation does.
 */
export function zonedLocalToUtc(local: string, tz: string): Date {
  const naive = Date.parse(`${withSeconds(local)}Z`);
  const before = zoneOffsetMs(new Date(naive - 86_400_000), tz);
  const after = zoneOffsetMs(new Date(naive + 86_400_000), tz);
  const valid = [naive - before, naive - after].filter((c) => zoneOffsetMs(new Date(c), tz) === naive - c);
  if (valid.length > 0) return new Date(Math.min(...valid));
  return new Date(naive - before);
}

/** A UTC instant as wall-clock YYYY-MM-DDTHH:mm in `tz` (for datetime-local inputs). */
export function utcToZonedLocal(at: Date, tz: string): string {
  const shifted = new Date(at.getTime() + zoneOffsetMs(at, tz));
  return shifted.toISOString().slice(0, 16);
}
