/**
 * Synthetic audit history: a deterministic stream of realistic events for one
 * organisation, for the demo seed (a month of history to browse) and for the
 * audit-browser benchmark (a million events). Nothing here touches a database.
 *
 * The same seed and options always give the same events (mulberry32 PRNG; no
 * clock, no crypto). Events come in chronological order, as appendAuditEvent
 * needs them (time never decreases along the chain). Shapes, reason codes and
 * rule ids are the ones the application itself records (lib/auth, lib/dal,
 * lib/authz/define-action, policies/rules.ts), so the browser, the dashboards and
 * the filters see what a real trail would hold:
 *
 * - successful sign-ins (auth.second_factor + auth.sign_in, or a passkey alone) ~45%,
 *   later ended by sign-out or the idle timeout (session.end expired_idle);
 * - failed sign-ins ~8%: typos (bad_password), unknown accounts (anonymous, email as
 *   a keyed digest), second-factor mistakes, and rare credential-stuffing bursts from
 *   one address that run into the per-address rate limit and an account delay;
 * - administration by admins and superadmins, each after a step-up (auth.step_up),
 *   with a reason and often a ticket reference; refused attempts (~4%) with the
 *   rule that decided; auditors browsing, verifying and exporting the trail;
 *   now and then a change to one's own second factors or password.
 *
 * Activity follows office hours: most of it 07:00–19:00 UTC on weekdays, little at
 * night and at weekends. Addresses come from the documentation ranges (RFC 5737,
 * RFC 3849), never from real networks.
 *
 * Pure data: no server-only marker, no I/O.
 */
import type { AuditEventInput } from './append';

/** A console account that acts in the history. */
export interface SyntheticStaff {
  id: string;
  /** superadmin | admin | auditor | support */
  role: string;
  name?: string;
}

/** Options of {@link syntheticAuditEvents}. */
export interface SyntheticAuditOptions {
  seed: number;
  /** Inclusive start of the history. */
  from: Date;
  /** Exclusive end of the history. */
  to: Date;
  /** Exactly how many events to yield. */
  count: number;
  staff: readonly SyntheticStaff[];
  /** User ids of end-user accounts (targets of administration). */
  members: readonly string[];
  /** The policy version recorded in every event. */
  policyVersion: string;
  /** Replaces every event's user agent (for example a label saying the history is synthetic). */
  userAgent?: string;
  /** Merged into every event's details (for example `{ demo: true }`). */
  details?: Record<string, unknown>;
}

/** One synthetic event: when it happened and what to append. */
export interface SyntheticAuditEvent {
  at: Date;
  input: AuditEventInput;
}

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). Deterministic for a seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const OFFICE_IPS = ['203.0.113.10', '203.0.113.11', '203.0.113.12', '203.0.113.14', '203.0.113.17', '203.0.113.21'];
const REMOTE_IPS = ['198.51.100.23', '198.51.100.47', '198.51.100.88', '198.51.100.132', '2001:db8:4f2a:17::2c'];
const HOSTILE_IPS = ['192.0.2.66', '192.0.2.141', '192.0.2.203'];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
];
const HOSTILE_USER_AGENTS = ['python-requests/2.32.3', 'curl/8.5.0', 'Go-http-client/1.1'];

/** Reasons by operation; `{t}` becomes a ticket reference (also stored as details.ticketRef). */
const REASONS: Record<string, readonly string[]> = {
  'user.role_change': [
    'Joins the on-call rota ({t})',
    'Moves to the support team from Monday',
    'Temporary auditor access for the quarterly access review ({t})',
    'Back to member after the audit engagement ended',
    'Covering first-line support while the team is short-staffed ({t})',
    'Role no longer needed after the team reorganisation',
  ],
  'user.suspend': [
    'Suspected account compromise reported by the user ({t})',
    'Laptop reported stolen; suspending until the device is wiped',
    'Contractor engagement paused pending renewal ({t})',
    'Unusual sign-in pattern flagged by the SOC ({t})',
  ],
  'user.reactivate': [
    'Owner confirmed the account is under their control again ({t})',
    'Contract renewed; access restored',
    'Investigation closed, no compromise found ({t})',
  ],
  'user.disable': ['Left the company; offboarding checklist ({t})', 'Duplicate account, merged into the primary one'],
  'user.unlock': [
    'User called the helpdesk and verified their identity ({t})',
    'Locked after a burst of failed sign-ins; owner confirmed it was not them ({t})',
    'Forgot the new password after rotation; identity checked by video call',
  ],
  'user.reset_mfa': [
    'Lost phone with the authenticator app; identity verified in person ({t})',
    'New phone, old authenticator not migrated ({t})',
    'Passkey on a broken laptop; verified via manager approval',
  ],
  'user.revoke_sessions': [
    'Signed in on a shared kiosk and forgot to sign out',
    'Precaution after a phishing report ({t})',
    'Password reset requested by the user; ending all sessions',
  ],
  'session.revoke_user': [
    'Stale session from an unrecognised device ({t})',
    'Session from a country the user has never worked from',
    'User asked to end the session on their old laptop',
  ],
  'role.suspend': ['Suspected phishing of support staff; suspending the role while credentials are reset ({t})'],
  'role.reactivate': ['Credentials of every holder reset; incident contained ({t})'],
};
const TICKET_PREFIXES = ['OPS', 'INC', 'SEC', 'HR', 'IT'];

/** Operations administrators carry out, with how often and whether they need a step-up. */
const ADMIN_OPS = [
  { op: 'user.role_change', weight: 24, stepUp: true },
  { op: 'user.suspend', weight: 13, stepUp: true },
  { op: 'user.reactivate', weight: 9, stepUp: true },
  { op: 'user.unlock', weight: 14, stepUp: false },
  { op: 'user.reset_mfa', weight: 8, stepUp: true },
  { op: 'user.revoke_sessions', weight: 12, stepUp: true },
  { op: 'session.revoke_user', weight: 14, stepUp: false },
  { op: 'user.disable', weight: 3, stepUp: true },
] as const;

/** Episode kinds and their weights, tuned so the event mix lands near the shares above. */
const EPISODES = [
  { kind: 'signIn', weight: 205 },
  { kind: 'failedSignIn', weight: 48 },
  { kind: 'bruteForce', weight: 0.9 },
  { kind: 'admin', weight: 50 },
  { kind: 'denied', weight: 38 },
  { kind: 'auditor', weight: 42 },
  { kind: 'verify', weight: 9 },
  { kind: 'export', weight: 12 },
  { kind: 'account', weight: 18 },
  { kind: 'ownSessions', weight: 8 },
  { kind: 'roleSuspend', weight: 0.25 },
] as const;
type EpisodeKind = (typeof EPISODES)[number]['kind'];

interface Pending {
  at: number;
  order: number;
  input: AuditEventInput;
}

type Draft = Omit<AuditEventInput, 'policyVersion' | 'correlationId' | 'ip' | 'userAgent'> & {
  correlationId?: string;
  ip?: string | null;
  userAgent?: string | null;
};

interface Person extends SyntheticStaff {
  weight: number;
  ua: string;
  officeIp: string;
  homeIp: string;
  session: string | null;
}

class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  float(): number {
    return this.next();
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  weighted<T extends { weight: number }>(items: readonly T[]): T {
    const total = items.reduce((s, i) => s + i.weight, 0);
    let r = this.next() * total;
    for (const item of items) {
      r -= item.weight;
      if (r < 0) return item;
    }
    return items[items.length - 1] as T;
  }

  hex(chars: number): string {
    let out = '';
    while (out.length < chars)
      out += Math.floor(this.next() * 0x1_0000_0000)
        .toString(16)
        .padStart(8, '0');
    return out.slice(0, chars);
  }

  /** A UUID v4-shaped identifier (request correlation ids). */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[this.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** A cuid-shaped identifier (session ids). */
  cuid(): string {
    let out = 'c';
    while (out.length < 25) out += Math.floor(this.next() * 36).toString(36);
    return out;
  }
}

/**
 * Relative activity at an instant: office hours on weekdays, a lunch dip, quiet
 * nights and weekends (UTC).
 */
export function activityWeight(t: number): number {
  const d = new Date(t);
  const hour = d.getUTCHours();
  const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
  const day = hour >= 7 && hour < 19;
  const shoulder = hour === 6 || (hour >= 19 && hour < 21);
  if (weekend) return day ? 0.1 : 0.02;
  if (day) return hour === 12 ? 0.75 : 1;
  return shoulder ? 0.25 : 0.03;
}

/**
 * Yields `count` realistic audit events between `from` and `to`, in
 * chronological order (equal times keep their generation order). Deterministic
 * for a given seed and options. Every input passes AuditEventInputSchema.
 *
 * @throws Error if the window is empty, the count negative or there are no staff.
 */
export function* syntheticAuditEvents(opts: SyntheticAuditOptions): Generator<SyntheticAuditEvent, void, undefined> {
  const from = opts.from.getTime();
  const to = opts.to.getTime();
  if (!(to > from)) throw new Error('synthetic history: `to` must be after `from`');
  if (!Number.isInteger(opts.count) || opts.count < 0) throw new Error('synthetic history: `count` must be a whole number >= 0');
  if (opts.staff.length === 0) throw new Error('synthetic history: at least one staff account is needed');
  if (opts.count === 0) return;

  const world = new World(opts);
  // Hourly slots; each gets a share of the events proportional to its activity.
  const slots: { start: number; end: number; weight: number }[] = [];
  for (let start = from; start < to;) {
    const end = Math.min(to, (Math.floor(start / HOUR) + 1) * HOUR);
    slots.push({ start, end, weight: activityWeight(start) * (end - start) * world.dayFactor(start) });
    start = end;
  }
  const totalWeight = slots.reduce((s, x) => s + x.weight, 0);

  let cumulative = 0;
  let emitted = 0;
  for (const [i, slot] of slots.entries()) {
    cumulative += slot.weight;
    const target = i === slots.length - 1 ? opts.count : Math.round((opts.count * cumulative) / totalWeight);
    while (world.generated < target) world.episode(slot.start + world.rng.float() * (slot.end - slot.start));
    for (const event of world.takeBefore(i === slots.length - 1 ? Infinity : slot.end)) {
      yield event;
      if (++emitted === opts.count) return;
    }
  }
}

/** The organisation's state while its history is written: sessions, roles, locks. */
class World {
  readonly rng: Rng;
  generated = 0;
  private order = 0;
  private pending: Pending[] = [];
  private readonly people: Person[];
  private readonly memberRoles = new Map<string, string>();
  private readonly suspended = new Set<string>();
  private readonly locked: string[] = [];
  private readonly dayFactors = new Map<number, number>();
  /** Events already handed out (all before the current slot): a seq that surely exists. */
  private taken = 0;

  constructor(private readonly opts: SyntheticAuditOptions) {
    this.rng = new Rng(opts.seed);
    this.people = opts.staff.map((s, i) => ({
      ...s,
      // A few people do most of the work, as in any team.
      weight: i === 0 ? 3 : 0.4 + this.rng.float() * 1.6,
      ua: this.rng.pick(USER_AGENTS),
      officeIp: OFFICE_IPS[i % OFFICE_IPS.length] as string,
      homeIp: this.rng.pick(REMOTE_IPS),
      session: null,
    }));
  }

  /** Busy and quiet days (0.7–1.3), fixed per UTC day. */
  dayFactor(t: number): number {
    const day = Math.floor(t / (24 * HOUR));
    let f = this.dayFactors.get(day);
    if (f === undefined) {
      f = 0.7 + this.rng.float() * 0.6;
      this.dayFactors.set(day, f);
    }
    return f;
  }

  /** Pending events before `limit`, sorted; the rest stay for later slots. */
  takeBefore(limit: number): SyntheticAuditEvent[] {
    this.pending.sort((a, b) => a.at - b.at || a.order - b.order);
    let n = 0;
    while (n < this.pending.length && (this.pending[n] as Pending).at < limit) n++;
    const out = this.pending.slice(0, n).map((p) => ({ at: new Date(p.at), input: p.input }));
    this.taken += n;
    this.pending = this.pending.slice(n);
    return out;
  }

  episode(t: number) {
    const kind: EpisodeKind = this.rng.weighted(EPISODES).kind;
    switch (kind) {
      case 'signIn':
        return this.signIn(t, this.anyone());
      case 'failedSignIn':
        return this.failedSignIn(t);
      case 'bruteForce':
        return this.bruteForce(t);
      case 'admin':
        return this.administer(t);
      case 'denied':
        return this.denied(t);
      case 'auditor':
        return this.browseTrail(t);
      case 'verify':
        return this.verify(t);
      case 'export':
        return this.exportEvents(t);
      case 'account':
        return this.ownAccount(t);
      case 'ownSessions':
        return this.ownSessions(t);
      case 'roleSuspend':
        return this.roleSuspend(t);
    }
  }

  // ---- building blocks -------------------------------------------------------

  private push(at: number, draft: Draft, actor?: Person) {
    if (at >= this.opts.to.getTime()) return; // past the window: never happened
    const remote = !!actor && !isOfficeHours(at);
    const input: AuditEventInput = {
      ...draft,
      correlationId: draft.correlationId ?? this.rng.uuid(),
      ip: draft.ip !== undefined ? draft.ip : actor ? (remote ? actor.homeIp : actor.officeIp) : null,
      userAgent: this.opts.userAgent ?? (draft.userAgent !== undefined ? draft.userAgent : (actor?.ua ?? null)),
      details: { ...draft.details, ...this.opts.details },
      policyVersion: this.opts.policyVersion,
    };
    this.pending.push({ at: Math.floor(at), order: this.order++, input });
    this.generated++;
  }

  private actorOf(p: Person, withSession = true) {
    if (withSession) p.session ??= this.rng.cuid();
    return { id: p.id, role: p.role, sessionId: withSession ? p.session : null };
  }

  private anyone(): Person {
    return this.rng.weighted(this.people);
  }

  private withRole(roles: readonly string[]): Person | null {
    const candidates = this.people.filter((p) => roles.includes(p.role));
    return candidates.length ? this.rng.weighted(candidates) : null;
  }

  private reason(op: string): { reason: string; ticketRef: string | null } {
    const template = this.rng.pick(REASONS[op] ?? ['Requested by the account owner']);
    if (!template.includes('{t}')) return { reason: template, ticketRef: null };
    const ticketRef = `${this.rng.pick(TICKET_PREFIXES)}-${this.rng.int(100, 4999)}`;
    return { reason: template.replace('{t}', ticketRef), ticketRef };
  }

  private member(): string | null {
    return this.opts.members.length ? this.rng.pick(this.opts.members) : null;
  }

  // ---- episodes --------------------------------------------------------------

  private signIn(t: number, p: Person) {
    const session = this.rng.cuid();
    p.session = session;
    const correlationId = this.rng.uuid();
    const passkey = this.rng.chance(0.18);
    if (!passkey) {
      const factor = this.rng.chance(0.97) ? 'otp' : 'rc';
      if (this.rng.chance(0.04)) {
        this.push(t, { ...this.factor(p, 'failure', 'invalid', { factor, failures: 1, attempts: 1 }) }, p);
        t += this.rng.int(8, 40) * 1000;
      }
      this.push(
        t + this.rng.int(5, 25) * 1000,
        this.factor(p, 'success', null, factor === 'rc' ? { factor, remaining: this.rng.int(1, 9) } : { factor }),
        p,
      );
      t += 30_000;
    }
    this.push(
      t + this.rng.int(200, 900),
      {
        actor: { id: p.id, role: p.role, sessionId: session },
        operation: 'auth.sign_in',
        target: { type: 'Session', id: session },
        outcome: 'success',
        details: { amr: passkey ? 'hwk' : 'pwd+otp' },
        decision: 'authn.mfa',
        correlationId,
      },
      p,
    );
    const end = this.rng.float();
    if (end < 0.45) {
      // The idle limit ended it (details say whose session it was).
      this.push(t + this.rng.int(45, 8 * 60) * MINUTE, {
        actor: null,
        operation: 'session.end',
        target: { type: 'Session', id: session },
        outcome: 'success',
        reasonCode: 'expired_idle',
        details: { userId: p.id, role: p.role },
        decision: 'authn.session_policy',
      });
    } else if (end < 0.63) {
      this.push(
        t + this.rng.int(20, 6 * 60) * MINUTE,
        {
          actor: { id: p.id, role: p.role, sessionId: session },
          operation: 'auth.sign_out',
          target: { type: 'Session', id: session },
          outcome: 'success',
          decision: 'session.own',
        },
        p,
      );
    }
  }

  private factor(p: Person, outcome: 'success' | 'failure', reasonCode: string | null, details: Record<string, unknown>): Draft {
    return {
      actor: { id: p.id, role: p.role, sessionId: null },
      operation: 'auth.second_factor',
      target: { type: 'User', id: p.id },
      outcome,
      reasonCode,
      details,
      decision: 'authn.second_factor',
    };
  }

  private failedSignIn(t: number) {
    const r = this.rng.float();
    if (r < 0.4) {
      // Someone types an address that has no account (or an old one).
      const remote = this.rng.chance(0.5) || !isOfficeHours(t);
      this.push(t, this.unknownAccount(this.rng.pick(remote ? REMOTE_IPS : OFFICE_IPS), this.rng.pick(USER_AGENTS)));
      return;
    }
    const p = this.anyone();
    const typos = this.rng.chance(0.75) ? 1 : this.rng.int(2, 3);
    for (let i = 1; i <= typos; i++) {
      this.push(
        t,
        {
          actor: { id: p.id, role: p.role, sessionId: null },
          operation: 'auth.sign_in',
          target: { type: 'User', id: p.id },
          outcome: 'failure',
          reasonCode: 'bad_password',
          details: { failures: i },
          decision: 'authn.password',
        },
        p,
      );
      t += this.rng.int(6, 45) * 1000;
    }
    if (this.rng.chance(0.8)) this.signIn(t + this.rng.int(10, 60) * 1000, p);
  }

  private unknownAccount(ip?: string, userAgent?: string): Draft {
    return {
      actor: null,
      operation: 'auth.sign_in',
      target: null,
      outcome: 'failure',
      reasonCode: 'unknown_account',
      details: { email: `hmac-sha256:${this.rng.hex(32)}` },
      decision: 'authn.password',
      ...(ip ? { ip } : {}),
      ...(userAgent ? { userAgent } : {}),
    };
  }

  /**
   * Credential stuffing from one address: unknown accounts and password guesses at
   * one real account until the per-address limit blocks it; the account enters the
   * growing delay and is locked, and an administrator unlocks it later.
   */
  private bruteForce(t: number) {
    const ip = this.rng.pick(HOSTILE_IPS);
    const ua = this.rng.pick(HOSTILE_USER_AGENTS);
    const victim = this.anyone();
    const attempts = this.rng.int(18, 45);
    let failures = 0;
    for (let i = 0; i < attempts; i++) {
      t += this.rng.int(1500, 9000);
      if (i >= 20) {
        this.push(t, {
          actor: null,
          operation: 'auth.sign_in',
          target: null,
          outcome: 'denied',
          reasonCode: 'rate_limited',
          details: { scope: 'ip' },
          decision: 'authn.password',
          ip,
          userAgent: ua,
        });
        continue;
      }
      if (this.rng.chance(0.6)) {
        this.push(t, this.unknownAccount(ip, ua));
        continue;
      }
      failures++;
      const actor = { id: victim.id, role: victim.role, sessionId: null };
      const target = { type: 'User', id: victim.id };
      if (failures > 6) {
        this.push(t, {
          actor,
          operation: 'auth.sign_in',
          target,
          outcome: 'denied',
          reasonCode: 'delayed',
          details: {},
          decision: 'authn.password',
          ip,
          userAgent: ua,
        });
        continue;
      }
      this.push(t, {
        actor,
        operation: 'auth.sign_in',
        target,
        outcome: 'failure',
        reasonCode: 'bad_password',
        details: { failures },
        decision: 'authn.password',
        ip,
        userAgent: ua,
      });
      if (failures >= 6) {
        this.push(t, {
          actor,
          operation: 'auth.lockout',
          target,
          outcome: 'success',
          reasonCode: 'delay',
          details: { failures, until: new Date(t + 30 * MINUTE).toISOString() },
          decision: 'authn.password',
          ip,
          userAgent: ua,
        });
        this.locked.push(victim.id);
      }
    }
  }

  private administer(t: number) {
    const actor = this.withRole(['admin', 'superadmin']);
    if (!actor) return this.signIn(t, this.anyone());
    const chosen = this.rng.weighted(ADMIN_OPS);
    const op: string = this.locked.length && this.rng.chance(0.7) ? 'user.unlock' : chosen.op;
    const stepUp = ADMIN_OPS.find((o) => o.op === op)?.stepUp ?? false;
    const superadmin = actor.role === 'superadmin';
    let lockedTarget = op === 'user.unlock' ? this.locked.shift() : undefined;
    const lockedTargetRole = lockedTarget ? this.people.find((p) => p.id === lockedTarget)?.role : undefined;
    // Admins act on lower roles only (a locked admin is unlocked by a superadmin), nobody on themselves.
    const who =
      lockedTargetRole && ['admin', 'superadmin'].includes(lockedTargetRole) && !superadmin
        ? (this.withRole(['superadmin']) ?? actor)
        : actor;
    if (lockedTarget === who.id) lockedTarget = undefined;
    const rule = adminRule(op, who.role);
    const { reason, ticketRef } = this.reason(op);
    const evidence = { ...(ticketRef ? { ticketRef } : {}), stepUp };

    if (stepUp) {
      if (this.rng.chance(0.08)) {
        this.push(t, this.stepUp(who, op, 'failure', 'invalid'), who);
        t += this.rng.int(10, 40) * 1000;
      }
      this.push(t, this.stepUp(who, op, 'success', null), who);
      t += this.rng.int(3, 20) * 1000;
    }

    if (op === 'session.revoke_user') {
      const owner = this.member() ?? this.anyone().id;
      this.push(
        t,
        {
          actor: this.actorOf(who),
          operation: 'session.revoke_user',
          target: { type: 'Session', id: this.rng.cuid() },
          outcome: 'success',
          reason,
          decision: rule,
          details: { ...evidence, userId: owner },
        },
        who,
      );
      return;
    }

    const suspended = op === 'user.reactivate' && this.suspended.size ? this.rng.pick([...this.suspended]) : undefined;
    const target = lockedTarget ?? suspended ?? this.member() ?? this.anyone().id;
    const role = this.memberRoles.get(target) ?? this.people.find((p) => p.id === target)?.role ?? 'member';
    const status = this.suspended.has(target) ? 'suspended' : 'active';
    const before = { role, status, deleted: false };
    let after = { ...before };
    let extra: Record<string, unknown> = {};
    let operation = op;
    switch (op) {
      case 'user.role_change': {
        const next = this.rng.pick(['member', 'support', 'auditor'].filter((r) => r !== role));
        this.memberRoles.set(target, next);
        after = { ...before, role: next };
        extra = { sessionsEnded: this.rng.int(0, 1) };
        break;
      }
      case 'user.suspend':
      case 'user.reactivate':
        operation = this.suspended.has(target) ? 'user.reactivate' : 'user.suspend';
        if (operation === 'user.suspend') {
          this.suspended.add(target);
          after = { ...before, status: 'suspended' };
          extra = { sessionsEnded: this.rng.int(0, 2) };
        } else {
          this.suspended.delete(target);
          after = { ...before, status: 'active' };
        }
        break;
      case 'user.disable':
        after = { ...before, status: 'disabled' };
        extra = { sessionsEnded: this.rng.int(0, 1) };
        break;
      case 'user.reset_mfa':
        extra = { sessionsEnded: this.rng.int(0, 2), passkeysRemoved: this.rng.int(0, 2), recoveryCodesRemoved: this.rng.pick([0, 10]) };
        break;
      case 'user.revoke_sessions':
        extra = { sessionsEnded: this.rng.int(1, 3) };
        break;
      case 'user.unlock':
        extra = { wasLocked: !!lockedTarget, failuresCleared: lockedTarget ? this.rng.int(6, 12) : this.rng.int(1, 5) };
        break;
    }
    const text = operation === op ? reason : this.reason(operation).reason;
    this.push(
      t,
      {
        actor: this.actorOf(who),
        operation: operation as AuditEventInput['operation'],
        target: { type: 'User', id: target },
        outcome: 'success',
        reason: text,
        decision: rule,
        details: { ...evidence, before, after, ...extra },
      },
      who,
    );
  }

  private stepUp(p: Person, forOperation: string, outcome: 'success' | 'failure', reasonCode: string | null): Draft {
    const method = this.rng.chance(0.3) ? 'hwk' : 'otp';
    return {
      actor: this.actorOf(p),
      operation: 'auth.step_up',
      target: null,
      outcome,
      reasonCode,
      details: outcome === 'success' ? { forOperation, method, binding: this.rng.hex(64) } : { forOperation, method },
      decision: 'authn.step_up',
    };
  }

  /** Refused attempts, recorded the way defineAction records them (no reason text). */
  private denied(t: number) {
    const r = this.rng.float();
    const lower = this.withRole(['support', 'auditor']);
    const admin = this.withRole(['admin']);
    const superadmin = this.withRole(['superadmin']);
    const target = this.member() ?? this.anyone().id;
    const deny = (
      p: Person,
      operation: AuditEventInput['operation'],
      reasonCode: string,
      decision: string,
      tgt: { type: string; id: string } | null,
    ) => this.push(t, { actor: this.actorOf(p), operation, target: tgt, outcome: 'denied', reasonCode, decision, details: {} }, p);

    if (r < 0.3 && lower) {
      deny(lower, this.rng.pick(['user.suspend', 'user.reset_mfa', 'user.revoke_sessions'] as const), 'forbidden', 'authz.default_deny', {
        type: 'User',
        id: target,
      });
    } else if (r < 0.45 && admin) {
      const peer = this.withRole(['admin', 'superadmin']) ?? admin;
      const self = peer.id === admin.id;
      deny(
        admin,
        this.rng.pick(['user.suspend', 'user.reset_mfa'] as const),
        'forbidden',
        self ? 'hierarchy.not_self' : 'authz.default_deny',
        { type: 'User', id: peer.id },
      );
    } else if (r < 0.7 && (admin ?? superadmin)) {
      const p = (admin ?? superadmin) as Person;
      deny(p, 'user.role_change', 'step_up_required', adminRule('user.role_change', p.role), { type: 'User', id: target });
    } else if (r < 0.85 && (admin ?? superadmin)) {
      const p = (admin ?? superadmin) as Person;
      deny(p, this.rng.pick(['user.suspend', 'user.revoke_sessions'] as const), 'reason_required', adminRule('user.suspend', p.role), {
        type: 'User',
        id: target,
      });
    } else if (r < 0.95 && (admin ?? superadmin)) {
      deny((admin ?? superadmin) as Person, 'session.revoke_user', 'not_found', 'authz.default_deny', {
        type: 'Session',
        id: this.rng.cuid(),
      });
    } else if (superadmin) {
      deny(superadmin, 'user.role_grant_privileged', 'approval_required', 'superadmin.grant_privileged_role', { type: 'User', id: target });
    } else {
      deny(this.anyone(), 'user.suspend', 'forbidden', 'authz.default_deny', { type: 'User', id: target });
    }
  }

  private auditReader(): { p: Person; rule: string } | null {
    const p = this.withRole(this.rng.chance(0.8) ? ['auditor'] : ['auditor', 'superadmin', 'admin']);
    if (!p) return null;
    const rule =
      p.role === 'auditor' ? 'auditor.audit_read' : p.role === 'superadmin' ? 'superadmin.audit_read' : 'admin.audit_own_actions';
    return { p, rule };
  }

  private browseTrail(t: number) {
    const reader = this.auditReader();
    if (!reader) return this.signIn(t, this.anyone());
    const { p, rule } = reader;
    const views = this.rng.int(1, 5);
    for (let i = 0; i < views; i++) {
      const kind =
        rule === 'admin.audit_own_actions'
          ? 'browser'
          : this.rng.weighted([
              { kind: 'browser', weight: 5 },
              { kind: 'event', weight: 3 },
              { kind: 'dashboard', weight: 2 },
            ]).kind;
      const filter = this.filter(p);
      const seq = String(Math.max(1, this.rng.int(Math.floor(this.taken * 0.8), this.taken)));
      this.push(
        t,
        {
          actor: this.actorOf(p),
          operation: 'audit.view',
          target: kind === 'event' ? { type: 'AuditEvent', id: seq } : { type: 'AuditTrail', id: 'events' },
          outcome: 'success',
          decision: rule,
          details: kind === 'event' ? { view: kind } : { view: kind, filter },
        },
        p,
      );
      t += this.rng.int(8, 120) * 1000;
    }
  }

  private filter(p: Person): Record<string, string> {
    const window = this.rng.pick(['24h', '7d', '7d', '30d']);
    switch (this.rng.int(0, 5)) {
      case 0:
        return { window };
      case 1:
        return { window, operation: this.rng.pick(['user.role_change', 'auth.sign_in', 'user.suspend', 'user.reset_mfa']) };
      case 2:
        return { window, outcome: this.rng.pick(['denied', 'failure']) };
      case 3:
        return { window, actor: this.anyone().id };
      case 4:
        return { window, q: this.rng.pick(['phishing', 'on-call', 'laptop', 'offboarding']) };
      default:
        return p.role === 'admin' ? { window } : { window, role: 'admin', outcome: 'success' };
    }
  }

  private verify(t: number) {
    const reader = this.auditReader();
    if (!reader || reader.rule === 'admin.audit_own_actions') return this.browseTrail(t);
    const events = Math.max(1, this.taken);
    this.push(
      t,
      {
        actor: this.actorOf(reader.p),
        operation: 'audit.verify',
        target: null,
        outcome: 'success',
        decision: reader.rule,
        details: { stepUp: false, intact: true, events, headSeq: events, checkpointsVerified: Math.floor(events / 1000) },
      },
      reader.p,
    );
  }

  private exportEvents(t: number) {
    const reader = this.auditReader();
    if (!reader) return this.signIn(t, this.anyone());
    this.push(
      t,
      {
        actor: this.actorOf(reader.p),
        operation: 'audit.export_events',
        target: { type: 'AuditTrail', id: 'events' },
        outcome: 'success',
        decision: reader.rule,
        details: { format: this.rng.chance(0.7) ? 'csv' : 'jsonl', filter: this.filter(reader.p), headSeq: Math.max(1, this.taken) },
      },
      reader.p,
    );
  }

  private ownAccount(t: number) {
    const p = this.anyone();
    const choice = this.rng.weighted([
      { op: 'account.passkey_register', weight: 3 },
      { op: 'account.passkey_rename', weight: 1 },
      { op: 'account.recovery_codes_generate', weight: 2 },
      { op: 'account.password_change', weight: 3 },
      { op: 'account.totp_enable', weight: 1 },
    ] as const);
    const details: Record<string, unknown> =
      choice.op === 'account.passkey_register'
        ? {
            name: this.rng.pick(['MacBook Touch ID', 'YubiKey 5C', 'iPhone', 'Windows Hello']),
            deviceType: this.rng.pick(['multiDevice', 'singleDevice']),
          }
        : choice.op === 'account.passkey_rename'
          ? { name: this.rng.pick(['Work YubiKey', 'Backup key', 'Laptop']) }
          : choice.op === 'account.recovery_codes_generate'
            ? { count: 10 }
            : choice.op === 'account.password_change'
              ? { otherSessionsEnded: this.rng.int(0, 2) }
              : {};
    this.push(
      t,
      {
        actor: this.actorOf(p),
        operation: choice.op,
        target: { type: 'User', id: p.id },
        outcome: 'success',
        decision: 'account.own',
        details,
      },
      p,
    );
  }

  private ownSessions(t: number) {
    const p = this.anyone();
    const others = this.rng.chance(0.4);
    this.push(
      t,
      {
        actor: this.actorOf(p),
        operation: 'session.revoke',
        target: others ? { type: 'User', id: p.id } : { type: 'Session', id: this.rng.cuid() },
        outcome: 'success',
        reasonCode: others ? 'revoked_others_by_user' : 'revoked_by_user',
        decision: 'session.own',
        details: others ? { count: this.rng.int(1, 3) } : {},
      },
      p,
    );
  }

  /** Incident response: a superadmin suspends the support role, then reactivates it. */
  private roleSuspend(t: number) {
    const p = this.withRole(['superadmin']);
    if (!p) return this.administer(t);
    const role = 'support';
    const holders = this.people.filter((x) => x.role === role);
    const { reason, ticketRef } = this.reason('role.suspend');
    const evidence = { ...(ticketRef ? { ticketRef } : {}), stepUp: true };
    this.push(t, this.stepUp(p, 'role.suspend', 'success', null), p);
    t += this.rng.int(5, 20) * 1000;
    this.push(
      t,
      {
        actor: this.actorOf(p),
        operation: 'role.suspend',
        target: { type: 'RoleState', id: role },
        outcome: 'success',
        reason,
        decision: 'superadmin.role_state',
        details: { ...evidence, holders: holders.length },
      },
      p,
    );
    for (const h of holders) {
      if (!h.session) continue;
      t += this.rng.int(1, 120) * 1000;
      this.push(t, {
        actor: null,
        operation: 'session.end',
        target: { type: 'Session', id: h.session },
        outcome: 'success',
        reasonCode: 'role_suspended',
        details: { userId: h.id, role },
        decision: 'authn.session_policy',
      });
      h.session = null;
    }
    t += this.rng.int(25, 90) * MINUTE;
    const back = this.reason('role.reactivate');
    this.push(t, this.stepUp(p, 'role.reactivate', 'success', null), p);
    this.push(
      t + 9000,
      {
        actor: this.actorOf(p),
        operation: 'role.reactivate',
        target: { type: 'RoleState', id: role },
        outcome: 'success',
        reason: back.reason,
        decision: 'superadmin.role_state',
        details: { ...(back.ticketRef ? { ticketRef: back.ticketRef } : {}), stepUp: true },
      },
      p,
    );
  }
}

/** The rule of policies/rules.ts that allows an administrative operation for a role. */
function adminRule(op: string, role: string): string {
  if (role === 'superadmin') {
    if (op === 'user.role_change') return 'superadmin.change_role';
    if (op === 'session.revoke_user') return 'superadmin.sessions_revoke';
    return 'superadmin.manage_users';
  }
  if (role === 'admin') return op === 'session.revoke_user' ? 'admin.sessions_lower_roles' : 'admin.manage_lower_roles';
  return 'authz.default_deny';
}

function isOfficeHours(t: number): boolean {
  const d = new Date(t);
  return d.getUTCDay() !== 0 && d.getUTCDay() !== 6 && d.getUTCHours() >= 7 && d.getUTCHours() < 19;
}
