/**
 * Rate limits on expensive, wide or sensitive operations (SECURITY.md T48), as
 * data in one place. Pure (no I/O): lib/dal/operation-limits.ts counts them in
 * the RateLimit table, so a limit holds across instances; docs/operators.md
 * "Rate limits" shows the same table (a unit test keeps the two equal).
 *
 * Each limit is a fixed window counted per person (the signed-in user), per
 * client address (the trusted client IP of lib/request/context.ts; IPv6 by /64)
 * and/or across everyone. An attempt must fit every scope that applies; a
 * refused attempt changes nothing else and is audited (reasonCode rate_limited).
 * Sign-in failures have their own throttle (policies/authentication.ts, T01).
 */

export type LimitScope = 'person' | 'ip' | 'global';

export interface LimitRule {
  /** Attempts allowed in one window. */
  limit: number;
  windowMs: number;
}

export interface GlobalLimitRule extends LimitRule {
  /** Limits with the same key share one global counter (e.g. every kind of export). */
  key?: string;
}

export interface OperationLimitSpec {
  /** What is limited, for the operators' table. */
  what: string;
  person?: LimitRule;
  ip?: LimitRule;
  global?: GlobalLimitRule;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The global counter every export shares. */
export const EXPORTS_GLOBAL_KEY = 'exports';

/**
 * The limits, keyed by operation id (policies/operations.ts, or the audit
 * operation for the export routes), plus `auth.passkey_sign_in_start` for the
 * anonymous passkey sign-in ceremony. Anything not listed is not limited here.
 */
export const OPERATION_LIMITS = {
  'auth.step_up': {
    what: 'Step-up: beginning or completing a confirmation (each counts one)',
    person: { limit: 60, windowMs: 10 * MINUTE },
    ip: { limit: 120, windowMs: 10 * MINUTE },
  },
  'auth.passkey_sign_in_start': {
    what: 'Passkey sign-in without a name: getting the options (anonymous)',
    ip: { limit: 60, windowMs: 10 * MINUTE },
    global: { limit: 1000, windowMs: MINUTE },
  },
  'session.revoke_all': {
    what: 'End every session (everyone)',
    person: { limit: 3, windowMs: 10 * MINUTE },
    ip: { limit: 6, windowMs: 10 * MINUTE },
  },
  'system.lockdown': {
    what: 'Lockdown on or off',
    person: { limit: 10, windowMs: 10 * MINUTE },
    ip: { limit: 20, windowMs: 10 * MINUTE },
  },
  'role.suspend': {
    what: 'Suspend a role (all its holders)',
    person: { limit: 10, windowMs: 10 * MINUTE },
    ip: { limit: 20, windowMs: 10 * MINUTE },
  },
  'role.reactivate': {
    what: 'Reactivate a role (all its holders)',
    person: { limit: 10, windowMs: 10 * MINUTE },
    ip: { limit: 20, windowMs: 10 * MINUTE },
  },
  'user.revoke_sessions': {
    what: 'End every session of a user',
    person: { limit: 60, windowMs: MINUTE },
    ip: { limit: 120, windowMs: MINUTE },
  },
  'session.revoke_user': {
    what: 'End one session of another user',
    person: { limit: 120, windowMs: MINUTE },
    ip: { limit: 240, windowMs: MINUTE },
  },
  'user.suspend': {
    what: 'Suspend a user',
    person: { limit: 60, windowMs: MINUTE },
    ip: { limit: 120, windowMs: MINUTE },
  },
  'review.start': {
    what: 'Start an access review campaign (many people at once)',
    person: { limit: 10, windowMs: HOUR },
    ip: { limit: 20, windowMs: HOUR },
  },
  'audit.verify': {
    what: 'Verify the whole audit trail now (replays every event)',
    person: { limit: 10, windowMs: HOUR },
    ip: { limit: 20, windowMs: HOUR },
    global: { limit: 30, windowMs: HOUR },
  },
  'audit.export_events': {
    what: 'Audit events export (CSV / JSONL download)',
    person: { limit: 20, windowMs: HOUR },
    ip: { limit: 40, windowMs: HOUR },
    global: { limit: 60, windowMs: HOUR, key: EXPORTS_GLOBAL_KEY },
  },
  'audit.export': {
    what: 'Audit export bundle (tar download)',
    person: { limit: 10, windowMs: HOUR },
    ip: { limit: 20, windowMs: HOUR },
    global: { limit: 60, windowMs: HOUR, key: EXPORTS_GLOBAL_KEY },
  },
} as const satisfies Record<string, OperationLimitSpec>;

export type LimitedOperation = keyof typeof OPERATION_LIMITS;

/**
 * Bounded concurrency of exports (both kinds together), across instances: a
 * slot is a lease held while the download streams. A request that finds every
 * slot taken waits up to `waitMs`, polling, and is then refused (429 with
 * Retry-After); the client retries. A lease is renewed while its stream lives,
 * for at most `maxHoldMs`, so a crashed instance or a stalled reader frees its
 * slot within `leaseMs` (after `maxHoldMs` at most).
 */
export const EXPORT_CONCURRENCY = {
  slots: 2,
  leaseMs: 2 * MINUTE,
  renewEveryMs: 30_000,
  maxHoldMs: 30 * MINUTE,
  waitMs: 5_000,
  pollMs: 200,
  retryAfterSeconds: 10,
} as const;

/** The spec of a limited operation, or undefined for one that is not limited here. */
export function limitSpecOf(operation: string): OperationLimitSpec | undefined {
  return Object.hasOwn(OPERATION_LIMITS, operation) ? OPERATION_LIMITS[operation as LimitedOperation] : undefined;
}

/**
 * The address a per-IP limit counts: an IPv4 address as is, an IPv6 address by
 * its /64 (one subscriber usually holds a whole /64, so rotating within it must
 * not reset the count). Null for anything that is not an IP literal.
 */
export function ipLimitSubject(ip: string | null | undefined): string | null {
  if (!ip) return null;
  let v = ip.trim().toLowerCase();
  if (v.startsWith('::ffff:') && /^::ffff:\d+\.\d+\.\d+\.\d+$/.test(v)) v = v.slice(7);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v)) return v.split('.').every((o) => Number(o) <= 255) ? v : null;
  if (!/^[0-9a-f:]+$/.test(v) || !v.includes(':') || v.length > 39) return null;
  const halves = v.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => g.length === 0 || g.length > 4)) return null;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The RateLimit key of one counter. */
export function limitKey(operation: string, scope: LimitScope, subject?: string): string {
  const spec = limitSpecOf(operation);
  if (scope === 'global') return `op:${spec?.global?.key ?? operation}:global`;
  if (!subject) throw new TypeError(`a ${scope} limit needs a subject`);
  return scope === 'person' ? `op:${operation}:${subject}` : `op:${operation}:ip:${subject}`;
}

/** One counter an attempt is checked against. */
export interface LimitCheck {
  scope: LimitScope;
  key: string;
  rule: LimitRule;
}

/**
 * The counters an attempt of `operation` is checked against, in the order they
 * are counted (person, address, everyone): a person without a user id (anonymous)
 * or a request without a trusted address skips that scope.
 */
export function limitChecks(operation: string, who: { userId: string | null; ip: string | null }): LimitCheck[] {
  const spec = limitSpecOf(operation);
  if (!spec) return [];
  const checks: LimitCheck[] = [];
  if (spec.person && who.userId) checks.push({ scope: 'person', key: limitKey(operation, 'person', who.userId), rule: spec.person });
  const ip = ipLimitSubject(who.ip);
  if (spec.ip && ip) checks.push({ scope: 'ip', key: limitKey(operation, 'ip', ip), rule: spec.ip });
  if (spec.global) checks.push({ scope: 'global', key: limitKey(operation, 'global'), rule: spec.global });
  return checks;
}

/** Whether a counter (after counting this attempt) is within its rule, and until when it is not. */
export function windowDecision(
  row: { count: number; windowStart: Date },
  rule: LimitRule,
): { allowed: true } | { allowed: false; retryAt: Date } {
  return row.count <= rule.limit ? { allowed: true } : { allowed: false, retryAt: new Date(row.windowStart.getTime() + rule.windowMs) };
}

/** Seconds for a Retry-After header: at least 1. */
export function retryAfterSeconds(retryAt: Date, at: Date): number {
  return Math.max(1, Math.ceil((retryAt.getTime() - at.getTime()) / 1000));
}

/** "Try again after 14:05 UTC." (with seconds when it is within two minutes). */
export function retryPhrase(retryAt: Date, at: Date): string {
  const soon = retryAt.getTime() - at.getTime() < 2 * MINUTE;
  return `Try again after ${retryAt.toISOString().slice(11, soon ? 19 : 16)} UTC.`;
}

/** What a refusal says to the person: which limit, and when to retry. */
export function limitMessage(refusal: { scope: LimitScope; limit: number; windowMs: number; retryAt: Date }, at: Date): string {
  const who = { person: 'by you', ip: 'from your network address', global: 'by everyone together' }[refusal.scope];
  return `Too many of these ${who}: at most ${refusal.limit} in ${windowText(refusal.windowMs)}. ${retryPhrase(refusal.retryAt, at)}`;
}

/** "10 minutes", "1 hour", "1 minute". */
export function windowText(ms: number): string {
  if (ms % HOUR === 0) return ms === HOUR ? '1 hour' : `${ms / HOUR} hours`;
  if (ms % MINUTE === 0) return ms === MINUTE ? '1 minute' : `${ms / MINUTE} minutes`;
  return `${Math.round(ms / 1000)} seconds`;
}

function cell(rule: LimitRule | undefined, shared?: string): string {
  if (!rule) return '—';
  return `${rule.limit} / ${windowText(rule.windowMs)}${shared ? ` (${shared})` : ''}`;
}

/** The operators' table (docs/operators.md "Rate limits"), made from the data above. */
export function limitTableMarkdown(): string {
  const rows = Object.entries(OPERATION_LIMITS).map(([op, spec]: [string, OperationLimitSpec]) => {
    const shared = spec.global?.key ? `shared by all ${spec.global.key}` : undefined;
    return `| ${spec.what} | \`${op}\` | ${cell(spec.person)} | ${cell(spec.ip)} | ${cell(spec.global, shared)} |`;
  });
  return [
    '| What | Limit id | Per person | Per IP (IPv6: per /64) | Global |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    `| Exports streaming at the same time | \`export slots\` | — | — | ${EXPORT_CONCURRENCY.slots} at once (wait up to ${EXPORT_CONCURRENCY.waitMs / 1000} s, then 429, Retry-After ${EXPORT_CONCURRENCY.retryAfterSeconds} s) |`,
  ].join('\n');
}
