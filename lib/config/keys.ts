/**
 * The configuration registry: every key Warden reads from the database, with its
 * type, zod schema, default, description and sensitivity tier. Pure (no I/O), so
 * forms, the review screen, the rules' fixtures and tests all import it.
 *
 * Tiers decide the policy (policies/operations.ts): normal → an admin may change
 * it; sensitive → an admin, with a step-up and a reason; critical → a superadmin
 * must approve it (two people), with step-ups and a reason. Security settings
 * can only be tightened below the numbers of SECURITY.md, never loosened past
 * them: their schemas carry the ceilings.
 */
import { z } from 'zod';
import type { CONFIG_TIERS } from '@/policies/rules';

export type ConfigTier = (typeof CONFIG_TIERS)[number];
export type ConfigType = 'string' | 'number' | 'boolean' | 'json' | 'duration' | 'enum' | 'secret';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface KeyDefinition<T> {
  key: string;
  label: string;
  description: string;
  /** Where the value takes effect, in plain words. */
  effect: string;
  type: ConfigType;
  tier: ConfigTier;
  /** The value when no one has set one (secrets: none). */
  default: T | null;
  /** Validates a value as stored (durations in milliseconds). */
  schema: z.ZodType<T>;
  /** For enums: the choices, with labels. */
  options?: readonly { value: string; label: string }[];
  /** For durations: the bounds, for the form's hint. */
  bounds?: { min: number; max: number };
}

function duration(min: number, max: number) {
  return z
    .number({ error: 'Enter a duration such as 30m, 12h or 2d.' })
    .int()
    .min(min, { error: `At least ${formatDuration(min)}.` })
    .max(max, { error: `At most ${formatDuration(max)}.` });
}

/** A single line of text people read in the console: no control or bidi characters. */
const displayText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `At most ${max} characters.` })
    .refine((s) => !/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(s), {
      error: 'Use plain text: no control or text-direction characters.',
    });

/** Alert webhooks: https, or plain http only to this machine (a local relay); no credentials in the URL. */
const webhookUrl = z
  .string()
  .trim()
  .max(500, { error: 'At most 500 characters.' })
  .refine(
    (s) => {
      if (s === '') return true;
      try {
        const u = new URL(s);
        const local = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
        return (u.protocol === 'https:' || (u.protocol === 'http:' && local)) && !u.username && !u.password && !u.hash;
      } catch {
        return false;
      }
    },
    { error: 'Enter an https:// URL (http only to localhost), without a user name, password or #fragment.' },
  );

const bounded = (max: number) =>
  z
    .number()
    .int()
    .min(1, { error: 'At least 1.' })
    .max(max, { error: `At most ${max}.` });

/** The anomaly rules' thresholds ("more than N in M minutes"). */
export const ThresholdsSchema = z
  .object({
    privilegeChanges: z.object({ perActor: bounded(1000), overall: bounded(10000), windowMinutes: bounded(1440) }).strict(),
    signInFailures: z
      .object({ perAccount: bounded(1000), perAddress: bounded(10000), overall: bounded(100000), windowMinutes: bounded(1440) })
      .strict(),
    deniedOperations: z.object({ perActor: bounded(10000), windowMinutes: bounded(1440) }).strict(),
    checkpointOverdueMinutes: bounded(10080),
  })
  .strict();
export type Thresholds = z.infer<typeof ThresholdsSchema>;

export const DEFAULT_THRESHOLDS: Thresholds = {
  privilegeChanges: { perActor: 5, overall: 20, windowMinutes: 1 },
  signInFailures: { perAccount: 10, perAddress: 30, overall: 200, windowMinutes: 5 },
  deniedOperations: { perActor: 10, windowMinutes: 5 },
  checkpointOverdueMinutes: 60,
};

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'Use HH:MM (24-hour).' });

/** Working hours per role: activity outside them raises an alert. */
export const WorkingHoursSchema = z
  .object({
    timeZone: z.string().refine(
      (tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      },
      { error: 'Use an IANA time zone such as Europe/Paris or UTC.' },
    ),
    roles: z.partialRecord(
      z.enum(['superadmin', 'admin', 'auditor', 'support']),
      z
        .object({ days: z.array(z.number().int().min(1).max(7)).min(1).max(7), from: HHMM, to: HHMM })
        .strict()
        .refine((h) => h.from !== h.to, { error: 'The hours start and end at the same time; leave the role out to allow any time.' }),
    ),
  })
  .strict();
export type WorkingHours = z.infer<typeof WorkingHoursSchema>;

export const CONFIG_KEYS: readonly ConfigKeyDefinition[] = [
  {
    key: 'console.banner',
    label: 'Console banner',
    description: 'A one-line notice shown at the top of every console page (a maintenance window, a change freeze). Empty shows nothing.',
    effect: 'Every console page, on the next page load.',
    type: 'string',
    tier: 'normal',
    default: '',
    schema: displayText(200),
  } satisfies KeyDef<string>,
  {
    key: 'tickets.page_size',
    label: 'Tickets per page',
    description: 'How many tickets the ticket queue shows per page.',
    effect: 'The ticket queue, on the next page load.',
    type: 'number',
    tier: 'normal',
    default: 25,
    schema: z
      .number({ error: 'Enter a whole number.' })
      .int({ error: 'Enter a whole number.' })
      .min(10, { error: 'At least 10.' })
      .max(100, { error: 'At most 100.' }),
  } satisfies KeyDef<number>,
  {
    key: 'invitations.ttl',
    label: 'Invitation link lifetime',
    description: 'How long an invitation link works before the invited person must be invited again.',
    effect: 'Invitation links created from now on.',
    type: 'duration',
    tier: 'sensitive',
    default: 72 * HOUR,
    schema: duration(HOUR, 7 * DAY),
    bounds: { min: HOUR, max: 7 * DAY },
  } satisfies KeyDef<number>,
  {
    key: 'password_reset.ttl',
    label: 'Password-reset link lifetime',
    description: 'How long a password-reset link sent to an end user works.',
    effect: 'Reset links sent from now on.',
    type: 'duration',
    tier: 'sensitive',
    default: HOUR,
    schema: duration(15 * MINUTE, 24 * HOUR),
    bounds: { min: 15 * MINUTE, max: 24 * HOUR },
  } satisfies KeyDef<number>,
  {
    key: 'alerts.webhook_secret',
    label: 'Alert webhook signing secret',
    description:
      'The shared secret that signs alert webhook deliveries (HMAC). Write-only: once saved it is never shown again, only its fingerprint.',
    effect: 'Alert webhook deliveries from now on.',
    type: 'secret',
    tier: 'sensitive',
    default: null,
    schema: z
      .string()
      .min(32, { error: 'Use at least 32 characters (a random secret from a password manager).' })
      .max(512, { error: 'At most 512 characters.' }),
  } satisfies KeyDef<string>,
  {
    key: 'alerts.webhook_url',
    label: 'Alert webhook URL',
    description:
      'Where alerts are POSTed as signed JSON (HMAC-SHA-256 with the alert webhook signing secret). https only, except to this machine (http://localhost or 127.0.0.1). Empty sends none.',
    effect: 'Alerts raised from now on.',
    type: 'string',
    tier: 'sensitive',
    default: '',
    schema: webhookUrl,
  } satisfies KeyDef<string>,
  {
    key: 'metrics.bearer_token',
    label: 'Metrics scrape token',
    description:
      'The bearer token a Prometheus server sends to read /api/metrics. Write-only. Without it only signed-in auditors and superadmins can read the metrics.',
    effect: 'The next scrape.',
    type: 'secret',
    tier: 'sensitive',
    default: null,
    schema: z
      .string()
      .min(32, { error: 'Use at least 32 characters (a random token from a password manager).' })
      .max(512, { error: 'At most 512 characters.' })
      .regex(/^[\x21-\x7e]+$/, { error: 'Use printable characters without spaces.' }),
  } satisfies KeyDef<string>,
  {
    key: 'alerts.thresholds',
    label: 'Anomaly thresholds',
    description:
      'When the anomaly rules fire (lib/monitoring/rules.ts): role changes per actor and overall, sign-in failures per account, per address and overall, denied operations per actor, each within its window in minutes, and how old the newest checkpoint may be.',
    effect: 'The next evaluation (every 15 seconds).',
    type: 'json',
    tier: 'critical',
    default: DEFAULT_THRESHOLDS,
    schema: ThresholdsSchema,
  } satisfies KeyDef<Thresholds>,
  {
    key: 'alerts.working_hours',
    label: 'Working hours per role',
    description:
      'Sign-ins and activity outside these hours raise an alert, per role (days 1 = Monday … 7 = Sunday, times HH:MM in the time zone given). A role not listed may work at any time.',
    effect: 'The next evaluation (every 15 seconds).',
    type: 'json',
    tier: 'critical',
    default: { timeZone: 'UTC', roles: {} },
    schema: WorkingHoursSchema,
  } satisfies KeyDef<WorkingHours>,
  {
    key: 'inactivity.suspend_after',
    label: 'Suspend inactive console accounts after',
    description:
      'A console account (superadmin, admin, auditor, support) with no activity for this long is suspended by the hourly inactivity job; reactivating it is an administrator’s decision. The last active superadmin is never suspended.',
    effect: 'The next hourly run.',
    type: 'duration',
    tier: 'critical',
    default: 45 * DAY,
    schema: duration(7 * DAY, 365 * DAY),
    bounds: { min: 7 * DAY, max: 365 * DAY },
  } satisfies KeyDef<number>,
  {
    key: 'session.absolute_lifetime',
    label: 'Session lifetime',
    description: 'How long a console session lasts after sign-in, however active it is. At most 12 hours (SECURITY.md).',
    effect: 'Sessions started from now on.',
    type: 'duration',
    tier: 'critical',
    default: 12 * HOUR,
    schema: duration(15 * MINUTE, 12 * HOUR),
    bounds: { min: 15 * MINUTE, max: 12 * HOUR },
  } satisfies KeyDef<number>,
  {
    key: 'session.idle_timeout',
    label: 'Idle timeout',
    description: 'A session with no request for this long ends (admins, auditors, support). At most 30 minutes (SECURITY.md).',
    effect: 'Every session, on its next request.',
    type: 'duration',
    tier: 'critical',
    default: 30 * MINUTE,
    schema: duration(2 * MINUTE, 30 * MINUTE),
    bounds: { min: 2 * MINUTE, max: 30 * MINUTE },
  } satisfies KeyDef<number>,
  {
    key: 'session.superadmin_idle_timeout',
    label: 'Superadmin idle timeout',
    description: 'The idle timeout of superadmin sessions. At most 15 minutes (SECURITY.md).',
    effect: 'Every superadmin session, on its next request.',
    type: 'duration',
    tier: 'critical',
    default: 15 * MINUTE,
    schema: duration(2 * MINUTE, 15 * MINUTE),
    bounds: { min: 2 * MINUTE, max: 15 * MINUTE },
  } satisfies KeyDef<number>,
  {
    key: 'mfa.step_up_methods',
    label: 'Step-up methods',
    description:
      'What confirms a dangerous operation: a passkey, or also an authenticator-app code. "Passkey only" refuses step-ups from people without a passkey.',
    effect: 'Step-ups started from now on.',
    type: 'enum',
    tier: 'critical',
    default: 'passkey_or_totp',
    schema: z.enum(['passkey_or_totp', 'passkey_only'], { error: 'Choose one of the listed methods.' }),
    options: [
      { value: 'passkey_or_totp', label: 'Passkey, or an authenticator code for people without one' },
      { value: 'passkey_only', label: 'Passkey only' },
    ],
  } satisfies KeyDef<string>,
  {
    key: 'approvals.expiry',
    label: 'Approval request lifetime',
    description: 'How long a two-person approval request waits for a decision before it expires.',
    effect: 'Approval requests made from now on.',
    type: 'duration',
    tier: 'critical',
    default: 24 * HOUR,
    schema: duration(HOUR, 72 * HOUR),
    bounds: { min: HOUR, max: 72 * HOUR },
  } satisfies KeyDef<number>,
  {
    key: 'elevation.max_duration',
    label: 'Longest time-bound elevation',
    description:
      'The longest a time-bound elevation (or a break-glass) may last. Requests may ask for less; each one ends by itself at its expiry.',
    effect: 'Elevation requests and break-glass from now on (elevations already granted keep their expiry).',
    type: 'duration',
    tier: 'critical',
    default: HOUR,
    schema: duration(5 * MINUTE, 8 * HOUR),
    bounds: { min: 5 * MINUTE, max: 8 * HOUR },
  } satisfies KeyDef<number>,
  {
    key: 'audit.trail_notes',
    label: 'Audit retention statement',
    description:
      'Structured notes on how long the audit trail and its exports are kept, shown to auditors on the integrity page (JSON: {"retainDays": number, "exportedTo": string}). The database never deletes audit events.',
    effect: 'The auditors’ integrity page.',
    type: 'json',
    tier: 'critical',
    default: { retainDays: 2555, exportedTo: '' },
    schema: z
      .object({
        retainDays: z.number().int().min(365, { error: 'Keep the trail at least 365 days.' }).max(36500),
        exportedTo: displayText(200),
      })
      .strict(),
  } satisfies KeyDef<{ retainDays: number; exportedTo: string }>,
] as const;

/** A registry entry whose key is one of {@link ConfigValues}' and whose schema gives that key's type. */
type KeyDef<T> = Omit<KeyDefinition<T>, 'key'> & { key: ConfigKey };

/** One key of the registry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ConfigKeyDefinition = Omit<KeyDefinition<any>, 'key'> & { key: ConfigKey };
export type ConfigKey = keyof ConfigValues;
/** The type of each key's value (secrets: the sealed value is never read through this). */
export interface ConfigValues {
  'console.banner': string;
  'tickets.page_size': number;
  'invitations.ttl': number;
  'password_reset.ttl': number;
  'alerts.webhook_secret': string | null;
  'alerts.webhook_url': string;
  'metrics.bearer_token': string | null;
  'alerts.thresholds': Thresholds;
  'alerts.working_hours': WorkingHours;
  'session.absolute_lifetime': number;
  'session.idle_timeout': number;
  'session.superadmin_idle_timeout': number;
  'mfa.step_up_methods': 'passkey_or_totp' | 'passkey_only';
  'approvals.expiry': number;
  'elevation.max_duration': number;
  'inactivity.suspend_after': number;
  'audit.trail_notes': { retainDays: number; exportedTo: string };
}
export type ConfigValue<K extends ConfigKey> = ConfigValues[K];

export const CONFIG_KEY_IDS = CONFIG_KEYS.map((k) => k.key) as [ConfigKey, ...ConfigKey[]];

const BY_KEY = new Map<string, ConfigKeyDefinition>(CONFIG_KEYS.map((k) => [k.key, k]));

export function isConfigKey(key: string): key is ConfigKey {
  return BY_KEY.has(key);
}

/** The definition of a key (throws on an unknown key: a programming error). */
export function configKey(key: ConfigKey): ConfigKeyDefinition {
  const def = BY_KEY.get(key);
  if (!def) throw new Error(`unknown configuration key: ${key}`);
  return def;
}

const TIER_ORDER: Record<ConfigTier, number> = { normal: 0, sensitive: 1, critical: 2 };

/** The highest of some tiers (normal for none). */
export function highestTier(tiers: Iterable<ConfigTier>): ConfigTier {
  let best: ConfigTier = 'normal';
  for (const t of tiers) if (TIER_ORDER[t] > TIER_ORDER[best]) best = t;
  return best;
}

/** "90s", "30m", "12h", "2d", "1h30m" → milliseconds; null if it is not a duration. */
export function parseDuration(text: string): number | null {
  const s = text.trim().toLowerCase().replace(/\s+/g, '');
  if (!/^(\d+(ms|s|m|h|d))+$/.test(s)) return null;
  const units: Record<string, number> = { ms: 1, s: 1000, m: MINUTE, h: HOUR, d: DAY };
  let total = 0;
  for (const [, n, u] of s.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(n) * units[u!]!;
  return Number.isSafeInteger(total) ? total : null;
}

/** Milliseconds → "1h 30m" (the largest units, no zero parts). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [u, size] of [
    ['d', DAY],
    ['h', HOUR],
    ['m', MINUTE],
    ['s', 1000],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${u}`);
    rest -= n * size;
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join(' ');
}

/**
 * Turns what a person typed into a typed value and validates it: the one place
 * form text becomes a configuration value (the server action calls it too).
 */
export function parseConfigInput(def: ConfigKeyDefinition, text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  let raw: unknown;
  switch (def.type) {
    case 'number': {
      const t = text.trim();
      raw = /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : NaN;
      if (Number.isNaN(raw)) return { ok: false, message: 'Enter a whole number.' };
      break;
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') return { ok: false, message: 'Choose on or off.' };
      raw = text === 'true';
      break;
    case 'duration':
      raw = parseDuration(text);
      if (raw === null) return { ok: false, message: 'Enter a duration such as 30m, 12h or 2d.' };
      break;
    case 'json':
      try {
        raw = JSON.parse(text);
      } catch {
        return { ok: false, message: 'Enter valid JSON.' };
      }
      break;
    default:
      raw = text;
  }
  const parsed = (def.schema as z.ZodType).safeParse(raw);
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? 'This value is not allowed.' };
  return { ok: true, value: parsed.data };
}

/** A value as people read it (never called for secrets). */
export function displayConfigValue(def: ConfigKeyDefinition, value: unknown): string {
  if (def.type === 'duration' && typeof value === 'number') return formatDuration(value);
  if (def.type === 'enum') return def.options?.find((o) => o.value === value)?.label ?? String(value);
  if (def.type === 'boolean') return value ? 'On' : 'Off';
  if (def.type === 'json') return JSON.stringify(value);
  if (def.type === 'string' && value === '') return '(empty)';
  return String(value);
}

/** A value as it would be typed into the form again. */
export function configValueAsInput(def: ConfigKeyDefinition, value: unknown): string {
  if (def.type === 'duration' && typeof value === 'number') return formatDuration(value).replace(/ /g, '');
  if (def.type === 'json') return JSON.stringify(value, null, 2);
  return value === null || value === undefined ? '' : String(value);
}
