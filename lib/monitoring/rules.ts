/**
 * The anomaly rules (issue 9): each looks at audit events and says when
 * something deserves a person's attention. Pure — the events and what the rules
 * need to know about the past come in as arguments — so every rule is tested
 * with synthetic event streams (lib/monitoring/rules.test.ts). The scheduled
 * evaluation (lib/monitoring/evaluate.ts) feeds them the new events of the trail
 * with enough earlier events for their windows, and turns what they return into
 * alerts. Thresholds and working hours are critical configuration.
 */
import type { Thresholds, WorkingHours } from '@/lib/config/keys';

export type Severity = 'low' | 'medium' | 'high' | 'critical';

/** What a rule sees of an audit event. */
export interface MonitorEvent {
  seq: number;
  ts: Date;
  actorId: string | null;
  actorRole: string | null;
  operation: string;
  outcome: string;
  reasonCode: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

export interface AlertCandidate {
  rule: RuleId;
  severity: Severity;
  /** Matches with the same rule and key while an alert is open join that alert. */
  dedupeKey: string;
  summary: string;
  actorId: string | null;
  /** The events that triggered it, oldest first. */
  seqs: number[];
}

export interface RuleContext {
  thresholds: Thresholds;
  workingHours: WorkingHours;
  now: Date;
  /** For a successful sign-in: whether the same person signed in successfully before (seq < beforeSeq) from this address, with this agent, at all. */
  signInHistory: (
    actorId: string,
    ip: string | null,
    userAgent: string | null,
    beforeSeq: number,
  ) => Promise<{ any: boolean; ip: boolean; agent: boolean }>;
  /** The newest signed checkpoint and the oldest event it does not cover. */
  checkpoint: { lastTs: Date | null; oldestUncoveredTs: Date | null };
  /**
   * Witness cosigning: since when a checkpoint has been waiting for a witness
   * cosignature — the oldest checkpoint newer than the newest cosigned one, counted
   * at the earliest from the registration of the oldest unrevoked witness key — or
   * null when no unrevoked witness key is registered or nothing waits.
   */
  witness?: { waitingSince: Date | null; seq: number | null };
}

/**
 * Minutes a checkpoint may wait for a witness cosignature before
 * `audit.witness_overdue` fires (a constant, not configuration: a witness polling
 * every 5 minutes and checkpoints every 15 leave ample room; docs/runbooks/alert-audit-witness-overdue.md).
 */
export const WITNESS_OVERDUE_MINUTES = 60;

export const RULES = {
  'privilege.mass_change': {
    title: 'Mass privilege changes',
    description: 'More role changes (grants, removals, role suspensions) than the threshold within the window, by one actor or overall.',
  },
  'auth.sign_in_failures': {
    title: 'Sign-in failure spike',
    description: 'More failed sign-ins than the threshold within the window, for one account, from one address, or overall.',
  },
  'auth.new_privileged_source': {
    title: 'Privileged sign-in from a new address or browser',
    description: 'An admin or superadmin signed in from an address or with a browser never seen for them before.',
  },
  'authz.denied_burst': {
    title: 'Burst of denied operations',
    description: 'One person was refused more operations than the threshold within the window (privilege probing).',
  },
  'activity.outside_hours': {
    title: 'Activity outside working hours',
    description: 'Someone signed in or acted outside the working hours configured for their role.',
  },
  'config.critical_change': {
    title: 'Security setting changed',
    description:
      'A critical setting (alert rules, audit settings, retention, MFA policy, session timers) changed, or the audit signing key was rotated.',
  },
  'audit.verification_failed': {
    title: 'Audit verification failed',
    description: 'A verification of the audit trail found it not intact.',
  },
  'access.break_glass': {
    title: 'Break-glass used',
    description:
      'A superadmin used break-glass: their two-person operations run without an approver until it ends. A mandatory access review is open.',
  },
  'access.elevation_started': {
    title: 'Time-bound elevation started',
    description: 'Someone began holding a higher role (or one operation of it) for a bounded time, after a second person approved.',
  },
  'audit.checkpoint_overdue': {
    title: 'Audit checkpoint overdue',
    description: 'Events have waited longer than the threshold for a signed checkpoint (the signing key may be missing or unusable).',
  },
  'audit.witness_overdue': {
    title: 'Witness cosignature overdue',
    description: `A witness key is registered, but a checkpoint has waited more than ${WITNESS_OVERDUE_MINUTES} minutes for a witness cosignature (the witness may be down or blocked).`,
  },
  'audit.witness_fork': {
    title: 'Witness saw another history',
    description:
      'A registered witness validly cosigned a different checkpoint digest for a seq than the one stored (or a seq with no checkpoint): two heads for one seq.',
  },
} as const;

export type RuleId = keyof typeof RULES;
export const RULE_IDS = Object.keys(RULES) as RuleId[];

/** Role and permission changes. */
export const PRIVILEGE_OPERATIONS = ['user.role_change', 'user.role_grant_privileged', 'role.suspend', 'role.reactivate'] as const;
export const SIGN_IN_OPERATIONS = ['auth.sign_in', 'auth.second_factor'] as const;
/** Changes that alter how Warden watches, records or authenticates. */
export const CRITICAL_CHANGE_OPERATIONS = ['config.apply_critical', 'audit.key_rotate', 'audit.authorize_key_rotation'] as const;
const PRIVILEGED_ROLES = ['superadmin', 'admin'];

/** The longest window any rule looks back over (minutes), for the loader. */
export function lookbackMinutes(t: Thresholds): number {
  return Math.max(t.privilegeChanges.windowMinutes, t.signInFailures.windowMinutes, t.deniedOperations.windowMinutes);
}

/** Whether the evaluation needs this event as context for a window (the loader's filter). */
export function isWindowEvent(e: Pick<MonitorEvent, 'operation' | 'outcome'>): boolean {
  return isPrivilegeChange(e) || isSignInFailure(e) || e.outcome === 'denied';
}

function isPrivilegeChange(e: Pick<MonitorEvent, 'operation' | 'outcome'>) {
  return e.outcome === 'success' && (PRIVILEGE_OPERATIONS as readonly string[]).includes(e.operation);
}

function isSignInFailure(e: Pick<MonitorEvent, 'operation' | 'outcome'>) {
  return (SIGN_IN_OPERATIONS as readonly string[]).includes(e.operation) && (e.outcome === 'failure' || e.outcome === 'denied');
}

/**
 * "More than `limit` matching events within `minutes`", keyed: for each new
 * matching event, the events with the same key in the window that ends at it.
 * One candidate per key (the largest window seen in this batch).
 */
function overThreshold(
  events: MonitorEvent[],
  fromSeq: number,
  match: (e: MonitorEvent) => boolean,
  keyOf: (e: MonitorEvent) => string | null,
  limit: number,
  minutes: number,
): Map<string, MonitorEvent[]> {
  const byKey = new Map<string, MonitorEvent[]>();
  for (const e of events) {
    if (!match(e)) continue;
    const key = keyOf(e);
    if (key === null) continue;
    const list = byKey.get(key) ?? [];
    list.push(e);
    byKey.set(key, list);
  }
  const fired = new Map<string, MonitorEvent[]>();
  const span = minutes * 60_000;
  for (const [key, list] of byKey) {
    list.sort((a, b) => a.seq - b.seq);
    let start = 0;
    for (let end = 0; end < list.length; end++) {
      const last = list[end]!;
      while (last.ts.getTime() - list[start]!.ts.getTime() > span) start++;
      const inWindow = end - start + 1;
      if (last.seq > fromSeq && inWindow > limit && inWindow > (fired.get(key)?.length ?? 0)) {
        fired.set(key, list.slice(start, end + 1));
      }
    }
  }
  return fired;
}

const seqsOf = (events: MonitorEvent[]) => events.map((e) => e.seq);

/** Minutes since midnight and ISO weekday (1 = Monday) of an instant in a time zone. */
export function zonedClock(at: Date, timeZone: string): { weekday: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  return { weekday, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** Whether an instant is inside a role's working hours (`to` before `from` spans midnight). */
export function withinHours(at: Date, timeZone: string, hours: { days: number[]; from: string; to: string }): boolean {
  const { weekday, minutes } = zonedClock(at, timeZone);
  const [fh, fm] = hours.from.split(':').map(Number);
  const [th, tm] = hours.to.split(':').map(Number);
  const from = fh! * 60 + fm!;
  const to = th! * 60 + tm!;
  if (from <= to) return hours.days.includes(weekday) && minutes >= from && minutes < to;
  // Overnight: the part after midnight belongs to the previous day's shift.
  if (minutes >= from) return hours.days.includes(weekday);
  const previous = weekday === 1 ? 7 : weekday - 1;
  return minutes < to && hours.days.includes(previous);
}

/**
 * Runs every rule over `events` (sorted by seq): those with seq > fromSeq are
 * new; earlier ones are context for the windows. Returns what should become
 * (or join) alerts.
 */
export async function evaluateRules(events: MonitorEvent[], fromSeq: number, ctx: RuleContext): Promise<AlertCandidate[]> {
  const out: AlertCandidate[] = [];
  const fresh = events.filter((e) => e.seq > fromSeq);
  const t = ctx.thresholds;

  // Mass privilege changes: per actor, and overall.
  const perActor = overThreshold(
    events,
    fromSeq,
    isPrivilegeChange,
    (e) => e.actorId,
    t.privilegeChanges.perActor,
    t.privilegeChanges.windowMinutes,
  );
  for (const [actorId, list] of perActor) {
    out.push({
      rule: 'privilege.mass_change',
      severity: 'critical',
      dedupeKey: `actor:${actorId}`,
      summary: `${list.length} role changes by one person within ${t.privilegeChanges.windowMinutes} min (threshold ${t.privilegeChanges.perActor}).`,
      actorId,
      seqs: seqsOf(list),
    });
  }
  const overall = overThreshold(
    events,
    fromSeq,
    isPrivilegeChange,
    () => 'overall',
    t.privilegeChanges.overall,
    t.privilegeChanges.windowMinutes,
  ).get('overall');
  if (overall) {
    out.push({
      rule: 'privilege.mass_change',
      severity: 'critical',
      dedupeKey: 'overall',
      summary: `${overall.length} role changes within ${t.privilegeChanges.windowMinutes} min across all administrators (threshold ${t.privilegeChanges.overall}).`,
      actorId: null,
      seqs: seqsOf(overall),
    });
  }

  // Sign-in failure spikes: per account, per address, overall.
  const s = t.signInFailures;
  // The account: the user the attempt named, or (an unknown address) the keyed digest sign-in records as details.email.
  const account = (e: MonitorEvent) =>
    e.targetType === 'User' && e.targetId
      ? e.targetId
      : (e.actorId ??
        (typeof e.details.email === 'string' ? e.details.email : typeof e.details.emailDigest === 'string' ? e.details.emailDigest : null));
  for (const [key, list] of overThreshold(events, fromSeq, isSignInFailure, account, s.perAccount, s.windowMinutes)) {
    out.push({
      rule: 'auth.sign_in_failures',
      severity: 'high',
      dedupeKey: `account:${key}`,
      summary: `${list.length} failed sign-ins for one account within ${s.windowMinutes} min (threshold ${s.perAccount}).`,
      actorId: list.find((e) => e.actorId)?.actorId ?? (list[0]!.targetType === 'User' ? list[0]!.targetId : null),
      seqs: seqsOf(list),
    });
  }
  for (const [ip, list] of overThreshold(events, fromSeq, isSignInFailure, (e) => e.ip, s.perAddress, s.windowMinutes)) {
    out.push({
      rule: 'auth.sign_in_failures',
      severity: 'high',
      dedupeKey: `ip:${ip}`,
      summary: `${list.length} failed sign-ins from ${ip} within ${s.windowMinutes} min (threshold ${s.perAddress}).`,
      actorId: null,
      seqs: seqsOf(list),
    });
  }
  const globalFailures = overThreshold(events, fromSeq, isSignInFailure, () => 'overall', s.overall, s.windowMinutes).get('overall');
  if (globalFailures) {
    out.push({
      rule: 'auth.sign_in_failures',
      severity: 'critical',
      dedupeKey: 'overall',
      summary: `${globalFailures.length} failed sign-ins across all accounts within ${s.windowMinutes} min (threshold ${s.overall}).`,
      actorId: null,
      seqs: seqsOf(globalFailures),
    });
  }

  // Privilege probing: denied operations by one person.
  const d = t.deniedOperations;
  for (const [actorId, list] of overThreshold(
    events,
    fromSeq,
    (e) => e.outcome === 'denied' && !isSignInFailure(e),
    (e) => e.actorId,
    d.perActor,
    d.windowMinutes,
  )) {
    out.push({
      rule: 'authz.denied_burst',
      severity: 'high',
      dedupeKey: `actor:${actorId}`,
      summary: `${list.length} refused operations by one person within ${d.windowMinutes} min (threshold ${d.perActor}).`,
      actorId,
      seqs: seqsOf(list),
    });
  }

  for (const e of fresh) {
    // A privileged sign-in from an address or browser never seen for that person (their first sign-in ever is not news).
    if (e.operation === 'auth.sign_in' && e.outcome === 'success' && e.actorId && PRIVILEGED_ROLES.includes(e.actorRole ?? '')) {
      const seen = await ctx.signInHistory(e.actorId, e.ip, e.userAgent, e.seq);
      if (seen.any && (!seen.ip || !seen.agent)) {
        const what = [!seen.ip ? `a new address (${e.ip ?? 'unknown'})` : null, !seen.agent ? 'a new browser' : null]
          .filter(Boolean)
          .join(' and ');
        out.push({
          rule: 'auth.new_privileged_source',
          severity: 'high',
          dedupeKey: `event:${e.seq}`,
          summary: `${e.actorRole === 'admin' ? 'An' : 'A'} ${e.actorRole} signed in from ${what}.`,
          actorId: e.actorId,
          seqs: [e.seq],
        });
      }
    }

    // Activity outside the role's working hours (sign-ins and anything they did successfully), one alert per person per day.
    const hours = e.actorRole ? ctx.workingHours.roles[e.actorRole as keyof WorkingHours['roles']] : undefined;
    if (hours && e.actorId && e.outcome === 'success' && !withinHours(e.ts, ctx.workingHours.timeZone, hours)) {
      const day = new Intl.DateTimeFormat('en-CA', {
        timeZone: ctx.workingHours.timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      }).format(e.ts);
      out.push({
        rule: 'activity.outside_hours',
        severity: 'medium',
        dedupeKey: `actor:${e.actorId}:${day}`,
        summary: `${e.actorRole === 'admin' || e.actorRole === 'auditor' ? 'An' : 'A'} ${e.actorRole} was active outside working hours (${e.operation}).`,
        actorId: e.actorId,
        seqs: [e.seq],
      });
    }

    if (e.outcome === 'success' && (CRITICAL_CHANGE_OPERATIONS as readonly string[]).includes(e.operation)) {
      const keys = Array.isArray(e.details.changes)
        ? (e.details.changes as { key?: unknown }[]).map((c) => String(c.key)).join(', ')
        : null;
      out.push({
        rule: 'config.critical_change',
        severity: 'high',
        dedupeKey: `event:${e.seq}`,
        summary: keys
          ? `Critical settings changed: ${keys}.`
          : e.operation === 'audit.key_rotate'
            ? 'The audit signing key was rotated.'
            : 'A signing-key rotation was authorized.',
        actorId: e.actorId,
        seqs: [e.seq],
      });
    }

    if (e.outcome === 'success' && e.operation === 'elevation.break_glass') {
      const review = e.details.review as { number?: unknown } | undefined;
      out.push({
        rule: 'access.break_glass',
        severity: 'critical',
        dedupeKey: `event:${e.seq}`,
        summary: `A superadmin used break-glass until ${typeof e.details.expiresAt === 'string' ? `${e.details.expiresAt.slice(0, 16).replace('T', ' ')} UTC` : 'its expiry'}${typeof review?.number === 'number' ? `; access review #${review.number} is open` : ''}.`,
        actorId: e.actorId,
        seqs: [e.seq],
      });
    }

    if (e.outcome === 'success' && e.operation === 'elevation.request' && e.details.approval) {
      out.push({
        rule: 'access.elevation_started',
        severity: 'medium',
        dedupeKey: `event:${e.seq}`,
        summary: `${e.actorRole === 'admin' || e.actorRole === 'auditor' ? 'An' : 'A'} ${e.actorRole} now holds ${e.details.scope === 'operation' ? `${String(e.details.operation)} as ${String(e.details.role)}` : `the ${String(e.details.role)} role`} until ${typeof e.details.expiresAt === 'string' ? `${e.details.expiresAt.slice(0, 16).replace('T', ' ')} UTC` : 'its expiry'}.`,
        actorId: e.actorId,
        seqs: [e.seq],
      });
    }

    if (e.operation === 'checkpoint.cosign' && e.outcome === 'denied' && e.reasonCode === 'fork_claim') {
      out.push({
        rule: 'audit.witness_fork',
        severity: 'critical',
        dedupeKey: `fork:${typeof e.details.seq === 'number' ? e.details.seq : e.seq}`,
        summary: `Witness ${typeof e.details.witnessKeyId === 'string' ? e.details.witnessKeyId : '?'} signed another digest for checkpoint seq ${typeof e.details.seq === 'number' ? e.details.seq : '?'} than the one stored.`,
        actorId: e.actorId,
        seqs: [e.seq],
      });
    }

    if (e.operation === 'audit.verify' && (e.outcome === 'failure' || e.details.intact === false)) {
      out.push({
        rule: 'audit.verification_failed',
        severity: 'critical',
        dedupeKey: 'verify',
        summary: `The audit trail did not verify${typeof e.details.attackClass === 'string' ? ` (${e.details.attackClass})` : ''}.`,
        actorId: e.actorId,
        seqs: [e.seq],
      });
    }
  }

  // Checkpoint overdue: the oldest event without a signed checkpoint is older than the threshold.
  const oldest = ctx.checkpoint.oldestUncoveredTs;
  if (oldest && ctx.now.getTime() - oldest.getTime() > t.checkpointOverdueMinutes * 60_000) {
    const minutes = Math.floor((ctx.now.getTime() - oldest.getTime()) / 60_000);
    out.push({
      rule: 'audit.checkpoint_overdue',
      severity: 'high',
      dedupeKey: 'checkpoint',
      summary: `Events have waited ${minutes} min for a signed checkpoint (threshold ${t.checkpointOverdueMinutes} min).`,
      actorId: null,
      seqs: [],
    });
  }

  // Witness overdue: a checkpoint has waited longer than WITNESS_OVERDUE_MINUTES for a cosignature.
  const waiting = ctx.witness?.waitingSince ?? null;
  if (waiting && ctx.now.getTime() - waiting.getTime() > WITNESS_OVERDUE_MINUTES * 60_000) {
    const minutes = Math.floor((ctx.now.getTime() - waiting.getTime()) / 60_000);
    out.push({
      rule: 'audit.witness_overdue',
      severity: 'high',
      dedupeKey: 'witness',
      summary: `Checkpoint seq ${ctx.witness?.seq ?? '?'} has waited ${minutes} min for a witness cosignature (limit ${WITNESS_OVERDUE_MINUTES} min).`,
      actorId: null,
      seqs: [],
    });
  }
  return out;
}
