import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, type Thresholds, type WorkingHours } from '@/lib/config/keys';
import {
  evaluateRules,
  isWindowEvent,
  lookbackMinutes,
  RULE_IDS,
  withinHours,
  zonedClock,
  type AlertCandidate,
  type MonitorEvent,
  type RuleContext,
  type RuleId,
} from './rules';

/**
 * Every anomaly rule against synthetic event streams: for each, a stream where
 * it fires (rule, severity, dedupe key and the exact seqs) and streams just
 * short of it (one below the threshold, spread beyond the window, other actors,
 * other outcomes, only context before fromSeq).
 */

const MIN = 60_000;
/** Wednesday 12 March 2025, 10:00 UTC. */
const T0 = Date.parse('2025-03-12T10:00:00Z');

type EventSpec = Partial<Omit<MonitorEvent, 'ts'>> & { ts?: Date | number };

/** A stream of events: seqs 1, 2, … in the order given, times as given (default T0 + seq seconds). */
function stream(...specs: EventSpec[]): MonitorEvent[] {
  return specs.map((s, i) => {
    const seq = s.seq ?? i + 1;
    const { ts: at, ...rest } = s;
    const ts = at === undefined ? new Date(T0 + seq * 1000) : new Date(at);
    return {
      seq,
      actorId: null,
      actorRole: null,
      operation: 'user.update',
      outcome: 'success',
      reasonCode: null,
      targetType: null,
      targetId: null,
      ip: null,
      userAgent: null,
      details: {},
      ...rest,
      ts,
    };
  });
}

const times = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const seqs = (from: number, to: number) => times(to - from + 1, (i) => from + i);

/** A sign-in history answered from the synthetic stream itself, as evaluate.ts answers it from the trail. */
function historyOf(events: MonitorEvent[]): RuleContext['signInHistory'] {
  return async (actorId, ip, userAgent, beforeSeq) => {
    const before = events.filter(
      (e) => e.actorId === actorId && e.operation === 'auth.sign_in' && e.outcome === 'success' && e.seq < beforeSeq,
    );
    return {
      any: before.length > 0,
      ip: ip !== null && before.some((e) => e.ip === ip),
      agent: userAgent !== null && before.some((e) => e.userAgent === userAgent),
    };
  };
}

function context(events: MonitorEvent[], over: Partial<RuleContext> = {}): RuleContext {
  return {
    thresholds: DEFAULT_THRESHOLDS,
    workingHours: { timeZone: 'UTC', roles: {} },
    now: new Date((events.at(-1)?.ts.getTime() ?? T0) + 1000),
    signInHistory: historyOf(events),
    checkpoint: { lastTs: null, oldestUncoveredTs: null },
    ...over,
  };
}

/** Runs the rules over `events` (all new unless fromSeq says otherwise) and keeps one rule's candidates. */
async function run(rule: RuleId, events: MonitorEvent[], opts: { fromSeq?: number; ctx?: Partial<RuleContext> } = {}) {
  const all = await evaluateRules(events, opts.fromSeq ?? 0, context(events, opts.ctx));
  return all.filter((c) => c.rule === rule);
}

const roleChange = (actorId: string, at: number, over: EventSpec = {}): EventSpec => ({
  ts: at,
  actorId,
  actorRole: 'admin',
  operation: 'user.role_change',
  outcome: 'success',
  targetType: 'User',
  targetId: `usr_target_${at}`,
  ...over,
});

describe('RULES', () => {
  it('lists the twelve rules this file covers', () => {
    expect(RULE_IDS).toEqual([
      'privilege.mass_change',
      'auth.sign_in_failures',
      'auth.new_privileged_source',
      'authz.denied_burst',
      'activity.outside_hours',
      'config.critical_change',
      'audit.verification_failed',
      'access.break_glass',
      'access.elevation_started',
      'audit.checkpoint_overdue',
      'audit.witness_overdue',
      'audit.witness_fork',
    ]);
  });

  it('looks back over the longest window, and keeps as context only what a window counts', () => {
    expect(lookbackMinutes(DEFAULT_THRESHOLDS)).toBe(5);
    expect(lookbackMinutes({ ...DEFAULT_THRESHOLDS, privilegeChanges: { perActor: 5, overall: 20, windowMinutes: 90 } })).toBe(90);
    expect(isWindowEvent({ operation: 'user.role_change', outcome: 'success' })).toBe(true);
    expect(isWindowEvent({ operation: 'role.suspend', outcome: 'success' })).toBe(true);
    expect(isWindowEvent({ operation: 'auth.sign_in', outcome: 'failure' })).toBe(true);
    expect(isWindowEvent({ operation: 'auth.second_factor', outcome: 'denied' })).toBe(true);
    expect(isWindowEvent({ operation: 'user.suspend', outcome: 'denied' })).toBe(true);
    expect(isWindowEvent({ operation: 'auth.sign_in', outcome: 'success' })).toBe(false);
    expect(isWindowEvent({ operation: 'user.role_change', outcome: 'failure' })).toBe(false);
    expect(isWindowEvent({ operation: 'alert.raise', outcome: 'success' })).toBe(false);
  });
});

describe('privilege.mass_change', () => {
  it('fires when one admin makes 6 role changes within a minute (perActor 5)', async () => {
    const events = stream(...times(6, (i) => roleChange('usr_admin', T0 + i * 10_000)));
    expect(await run('privilege.mass_change', events)).toEqual([
      {
        rule: 'privilege.mass_change',
        severity: 'critical',
        dedupeKey: 'actor:usr_admin',
        summary: expect.stringContaining('6 role changes'),
        actorId: 'usr_admin',
        seqs: [1, 2, 3, 4, 5, 6],
      },
    ]);
  });

  it('fires for grants of privileged roles and role suspensions as well as role changes', async () => {
    const ops = ['user.role_change', 'user.role_grant_privileged', 'role.suspend', 'role.reactivate', 'role.suspend', 'user.role_change'];
    const events = stream(...ops.map((operation, i) => roleChange('usr_admin', T0 + i * 5_000, { operation })));
    expect(await run('privilege.mass_change', events)).toMatchObject([{ dedupeKey: 'actor:usr_admin', seqs: [1, 2, 3, 4, 5, 6] }]);
  });

  it('fires when the 6th change is new and the first 5 are context before fromSeq (all 6 seqs)', async () => {
    const events = stream(...times(6, (i) => roleChange('usr_admin', T0 + i * 5_000)));
    expect(await run('privilege.mass_change', events, { fromSeq: 5 })).toMatchObject([
      { dedupeKey: 'actor:usr_admin', seqs: [1, 2, 3, 4, 5, 6] },
    ]);
  });

  it('fires at the window edge: 6 changes exactly 1 minute from first to last', async () => {
    const events = stream(...times(6, (i) => roleChange('usr_admin', T0 + i * 12_000)));
    expect(await run('privilege.mass_change', events)).toMatchObject([{ seqs: [1, 2, 3, 4, 5, 6] }]);
  });

  it('stays quiet when one admin makes 5 role changes within a minute (not more than 5)', async () => {
    const events = stream(...times(5, (i) => roleChange('usr_admin', T0 + i * 10_000)));
    expect(await run('privilege.mass_change', events)).toEqual([]);
  });

  it('stays quiet when 6 role changes are spread over 10 minutes', async () => {
    const events = stream(...times(6, (i) => roleChange('usr_admin', T0 + i * 2 * MIN)));
    expect(await run('privilege.mass_change', events)).toEqual([]);
  });

  it('stays quiet when the 6 changes span just over a minute', async () => {
    const events = stream(...times(6, (i) => roleChange('usr_admin', T0 + i * 12_001)));
    expect(await run('privilege.mass_change', events)).toEqual([]);
  });

  it('stays quiet when 6 changes within a minute are made by two admins (3 each)', async () => {
    const events = stream(...times(6, (i) => roleChange(i % 2 ? 'usr_a' : 'usr_b', T0 + i * 5_000)));
    expect(await run('privilege.mass_change', events)).toEqual([]);
  });

  it('stays quiet when the role changes were denied or failed', async () => {
    const events = stream(...times(8, (i) => roleChange('usr_admin', T0 + i * 5_000, { outcome: i % 2 ? 'denied' : 'failure' })));
    expect(await run('privilege.mass_change', events)).toEqual([]);
  });

  it('stays quiet when all 6 changes are before fromSeq (context never fires alone)', async () => {
    const events = stream(...times(6, (i) => roleChange('usr_admin', T0 + i * 5_000)), {
      ts: T0 + 40_000,
      operation: 'user.update',
      actorId: 'usr_admin',
      actorRole: 'admin',
    });
    expect(await run('privilege.mass_change', events, { fromSeq: 6 })).toEqual([]);
  });

  it('stays quiet when the new change is outside the window of the earlier ones', async () => {
    const events = stream(...times(5, (i) => roleChange('usr_admin', T0 + i * 5_000)), roleChange('usr_admin', T0 + 3 * MIN));
    expect(await run('privilege.mass_change', events, { fromSeq: 5 })).toEqual([]);
  });

  it('fires overall when 21 changes by 7 admins happen within a minute (overall 20), without per-actor alerts', async () => {
    const events = stream(...times(21, (i) => roleChange(`usr_admin_${i % 7}`, T0 + i * 2_000)));
    expect(await run('privilege.mass_change', events)).toEqual([
      {
        rule: 'privilege.mass_change',
        severity: 'critical',
        dedupeKey: 'overall',
        summary: expect.stringContaining('21 role changes'),
        actorId: null,
        seqs: seqs(1, 21),
      },
    ]);
  });

  it('stays quiet overall at 20 changes within a minute by several admins', async () => {
    const events = stream(...times(20, (i) => roleChange(`usr_admin_${i % 7}`, T0 + i * 2_000)));
    expect(await run('privilege.mass_change', events)).toEqual([]);
  });

  it('fires both per actor and overall when one admin makes 21 changes within a minute', async () => {
    const events = stream(...times(21, (i) => roleChange('usr_admin', T0 + i * 2_000)));
    const out = await run('privilege.mass_change', events);
    expect(out.map((c) => [c.dedupeKey, c.seqs])).toEqual([
      ['actor:usr_admin', seqs(1, 21)],
      ['overall', seqs(1, 21)],
    ]);
  });

  it('uses the configured thresholds', async () => {
    const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS, privilegeChanges: { perActor: 2, overall: 20, windowMinutes: 10 } };
    const events = stream(...times(3, (i) => roleChange('usr_admin', T0 + i * 4 * MIN)));
    expect(await run('privilege.mass_change', events, { ctx: { thresholds } })).toMatchObject([{ seqs: [1, 2, 3] }]);
    expect(await run('privilege.mass_change', events)).toEqual([]);
  });
});

describe('auth.sign_in_failures', () => {
  const failure = (account: string, at: number, over: EventSpec = {}): EventSpec => ({
    ts: at,
    actorId: account,
    actorRole: 'admin',
    operation: 'auth.sign_in',
    outcome: 'failure',
    reasonCode: 'bad_password',
    targetType: 'User',
    targetId: account,
    ip: '198.51.100.7',
    ...over,
  });
  /** A different address per event, so only the account can add up. */
  const ipOf = (i: number) => `203.0.113.${i + 1}`;

  it('fires per account when one account has 11 failures within 5 minutes from many addresses (perAccount 10)', async () => {
    const events = stream(...times(11, (i) => failure('usr_victim', T0 + i * 20_000, { ip: ipOf(i) })));
    expect(await run('auth.sign_in_failures', events)).toEqual([
      {
        rule: 'auth.sign_in_failures',
        severity: 'high',
        dedupeKey: 'account:usr_victim',
        summary: expect.stringContaining('11 failed sign-ins'),
        actorId: 'usr_victim',
        seqs: seqs(1, 11),
      },
    ]);
  });

  it('fires per account counting failed and refused second factors and refused sign-ins', async () => {
    const events = stream(
      ...times(11, (i) =>
        failure('usr_victim', T0 + i * 10_000, {
          ip: ipOf(i),
          operation: i % 2 ? 'auth.second_factor' : 'auth.sign_in',
          outcome: i % 3 ? 'failure' : 'denied',
        }),
      ),
    );
    expect(await run('auth.sign_in_failures', events)).toMatchObject([{ dedupeKey: 'account:usr_victim', seqs: seqs(1, 11) }]);
  });

  it('fires per account when the failures are refusals without an actor (rate limited, target User)', async () => {
    const events = stream(
      ...times(11, (i) => failure('usr_victim', T0 + i * 10_000, { ip: ipOf(i), actorId: null, actorRole: null, outcome: 'denied' })),
    );
    expect(await run('auth.sign_in_failures', events)).toMatchObject([
      { dedupeKey: 'account:usr_victim', actorId: 'usr_victim', seqs: seqs(1, 11) },
    ]);
  });

  it('fires per account for an unknown account, keyed by the digest login writes as details.email', async () => {
    // lib/auth/first-factor.ts records an unknown account as actor null, target null, details { email: piiDigest(email) }.
    const events = stream(
      ...times(11, (i) =>
        failure('x', T0 + i * 10_000, {
          ip: ipOf(i),
          actorId: null,
          actorRole: null,
          targetType: null,
          targetId: null,
          reasonCode: 'unknown_account',
          details: { email: 'digest-of-ghost@example.test' },
        }),
      ),
    );
    expect(await run('auth.sign_in_failures', events)).toMatchObject([
      { dedupeKey: 'account:digest-of-ghost@example.test', actorId: null, seqs: seqs(1, 11) },
    ]);
  });

  it('stays quiet with 10 failures for one account within 5 minutes', async () => {
    const events = stream(...times(10, (i) => failure('usr_victim', T0 + i * 20_000, { ip: ipOf(i) })));
    expect(await run('auth.sign_in_failures', events)).toEqual([]);
  });

  it('stays quiet with 11 failures for one account spread over 10 minutes', async () => {
    const events = stream(...times(11, (i) => failure('usr_victim', T0 + i * MIN, { ip: ipOf(i) })));
    expect(await run('auth.sign_in_failures', events)).toEqual([]);
  });

  it('stays quiet for successful sign-ins and second factors', async () => {
    const events = stream(
      ...times(30, (i) =>
        failure('usr_busy', T0 + i * 5_000, { outcome: 'success', operation: i % 2 ? 'auth.sign_in' : 'auth.second_factor' }),
      ),
    );
    expect(await run('auth.sign_in_failures', events)).toEqual([]);
  });

  it('stays quiet when the failures are spread over 11 accounts and addresses', async () => {
    const events = stream(...times(11, (i) => failure(`usr_${i}`, T0 + i * 10_000, { ip: ipOf(i) })));
    expect(await run('auth.sign_in_failures', events)).toEqual([]);
  });

  it('stays quiet when all 11 failures are before fromSeq', async () => {
    const events = stream(...times(11, (i) => failure('usr_victim', T0 + i * 10_000, { ip: ipOf(i) })), {
      ts: T0 + 2 * MIN,
      operation: 'user.update',
    });
    expect(await run('auth.sign_in_failures', events, { fromSeq: 11 })).toEqual([]);
  });

  it('fires per address when one address fails 31 sign-ins within 5 minutes across accounts (perAddress 30)', async () => {
    const events = stream(...times(31, (i) => failure(`usr_${i}`, T0 + i * 5_000, { ip: '192.0.2.66' })));
    expect(await run('auth.sign_in_failures', events)).toEqual([
      {
        rule: 'auth.sign_in_failures',
        severity: 'high',
        dedupeKey: 'ip:192.0.2.66',
        summary: expect.stringContaining('from 192.0.2.66'),
        actorId: null,
        seqs: seqs(1, 31),
      },
    ]);
  });

  it('stays quiet per address at 30 failures, or 31 spread over 10 minutes', async () => {
    const thirty = stream(...times(30, (i) => failure(`usr_${i}`, T0 + i * 5_000, { ip: '192.0.2.66' })));
    expect(await run('auth.sign_in_failures', thirty)).toEqual([]);
    const spread = stream(...times(31, (i) => failure(`usr_${i}`, T0 + i * 20_000, { ip: '192.0.2.66' })));
    expect(await run('auth.sign_in_failures', spread)).toEqual([]);
  });

  it('fires overall with 201 failures across accounts and addresses within 5 minutes (overall 200), as critical', async () => {
    const events = stream(...times(201, (i) => failure(`usr_${i}`, T0 + i * 1_000, { ip: `10.${Math.floor(i / 250)}.${i % 250}.1` })));
    expect(await run('auth.sign_in_failures', events)).toEqual([
      {
        rule: 'auth.sign_in_failures',
        severity: 'critical',
        dedupeKey: 'overall',
        summary: expect.stringContaining('201 failed sign-ins'),
        actorId: null,
        seqs: seqs(1, 201),
      },
    ]);
  });

  it('stays quiet overall at 200 failures within 5 minutes', async () => {
    const events = stream(...times(200, (i) => failure(`usr_${i}`, T0 + i * 1_000, { ip: `10.0.${i}.1` })));
    expect(await run('auth.sign_in_failures', events)).toEqual([]);
  });
});

describe('auth.new_privileged_source', () => {
  const signIn = (actorId: string, role: string, at: number, ip: string, userAgent: string, over: EventSpec = {}): EventSpec => ({
    ts: at,
    actorId,
    actorRole: role,
    operation: 'auth.sign_in',
    outcome: 'success',
    targetType: 'Session',
    targetId: `ses_${at}`,
    ip,
    userAgent,
    ...over,
  });
  const FIREFOX = 'Mozilla/5.0 Firefox/140.0';
  const CHROME = 'Mozilla/5.0 Chrome/139.0';
  const DAY = 24 * 60 * MIN;

  it('fires when an admin signs in from a new address with a known browser', async () => {
    const events = stream(
      signIn('usr_admin', 'admin', T0 - DAY, '203.0.113.10', FIREFOX),
      signIn('usr_admin', 'admin', T0, '198.51.100.99', FIREFOX),
    );
    expect(await run('auth.new_privileged_source', events, { fromSeq: 1 })).toEqual([
      {
        rule: 'auth.new_privileged_source',
        severity: 'high',
        dedupeKey: 'event:2',
        summary: 'An admin signed in from a new address (198.51.100.99).',
        actorId: 'usr_admin',
        seqs: [2],
      },
    ]);
  });

  it('fires when a superadmin signs in from a known address with a new browser', async () => {
    const events = stream(
      signIn('usr_root', 'superadmin', T0 - DAY, '203.0.113.10', FIREFOX),
      signIn('usr_root', 'superadmin', T0, '203.0.113.10', CHROME),
    );
    expect(await run('auth.new_privileged_source', events, { fromSeq: 1 })).toEqual([
      expect.objectContaining({ dedupeKey: 'event:2', summary: 'A superadmin signed in from a new browser.', seqs: [2] }),
    ]);
  });

  it('fires once per new sign-in, naming both when address and browser are new', async () => {
    const events = stream(
      signIn('usr_admin', 'admin', T0 - DAY, '203.0.113.10', FIREFOX),
      signIn('usr_admin', 'admin', T0, '198.51.100.99', CHROME),
      signIn('usr_admin', 'admin', T0 + MIN, '198.51.100.99', CHROME),
    );
    // The third sign-in repeats the second's address and browser: no longer new.
    expect(await run('auth.new_privileged_source', events, { fromSeq: 1 })).toEqual([
      expect.objectContaining({ dedupeKey: 'event:2', summary: expect.stringMatching(/new address .* and a new browser/), seqs: [2] }),
    ]);
  });

  it('stays quiet when an admin signs in again from a known address and browser', async () => {
    const events = stream(
      signIn('usr_admin', 'admin', T0 - 2 * DAY, '203.0.113.10', FIREFOX),
      signIn('usr_admin', 'admin', T0 - DAY, '198.51.100.99', CHROME),
      signIn('usr_admin', 'admin', T0, '203.0.113.10', FIREFOX),
    );
    expect(await run('auth.new_privileged_source', events, { fromSeq: 2 })).toEqual([]);
  });

  it('stays quiet for an admin’s first sign-in ever', async () => {
    const events = stream(signIn('usr_new_admin', 'admin', T0, '198.51.100.99', CHROME));
    expect(await run('auth.new_privileged_source', events)).toEqual([]);
  });

  it('stays quiet when members, support agents and auditors sign in from new addresses', async () => {
    const events = stream(
      ...['member', 'support', 'auditor'].flatMap((role, i) => [
        signIn(`usr_${role}`, role, T0 - DAY + i, '203.0.113.10', FIREFOX),
        signIn(`usr_${role}`, role, T0 + i, `198.51.100.${i + 1}`, CHROME),
      ]),
    );
    expect(await run('auth.new_privileged_source', events)).toEqual([]);
  });

  it('stays quiet for a failed sign-in of an admin from a new address', async () => {
    const events = stream(
      signIn('usr_admin', 'admin', T0 - DAY, '203.0.113.10', FIREFOX),
      signIn('usr_admin', 'admin', T0, '198.51.100.99', CHROME, { outcome: 'failure', reasonCode: 'bad_password' }),
    );
    expect(await run('auth.new_privileged_source', events, { fromSeq: 1 })).toEqual([]);
  });

  it('stays quiet when the new-source sign-in is before fromSeq (already evaluated)', async () => {
    const events = stream(
      signIn('usr_admin', 'admin', T0 - DAY, '203.0.113.10', FIREFOX),
      signIn('usr_admin', 'admin', T0, '198.51.100.99', FIREFOX),
      { ts: T0 + MIN, operation: 'user.update', actorId: 'usr_admin', actorRole: 'admin' },
    );
    expect(await run('auth.new_privileged_source', events, { fromSeq: 2 })).toEqual([]);
  });
});

describe('authz.denied_burst', () => {
  const denied = (actorId: string, at: number, over: EventSpec = {}): EventSpec => ({
    ts: at,
    actorId,
    actorRole: 'support',
    operation: ['user.suspend', 'user.role_change', 'config.apply', 'audit.export'][at % 4]!,
    outcome: 'denied',
    reasonCode: 'forbidden',
    targetType: 'User',
    targetId: 'usr_other',
    ...over,
  });

  it('fires when one person is refused 11 operations within 5 minutes (perActor 10)', async () => {
    const events = stream(...times(11, (i) => denied('usr_prober', T0 + i * 20_000 + i)));
    expect(await run('authz.denied_burst', events)).toEqual([
      {
        rule: 'authz.denied_burst',
        severity: 'high',
        dedupeKey: 'actor:usr_prober',
        summary: expect.stringContaining('11 refused operations'),
        actorId: 'usr_prober',
        seqs: seqs(1, 11),
      },
    ]);
  });

  it('fires with 10 earlier refusals as context and the 11th new', async () => {
    const events = stream(...times(11, (i) => denied('usr_prober', T0 + i * 10_000)));
    expect(await run('authz.denied_burst', events, { fromSeq: 10 })).toMatchObject([{ seqs: seqs(1, 11) }]);
  });

  it('stays quiet at 10 refusals within 5 minutes', async () => {
    const events = stream(...times(10, (i) => denied('usr_prober', T0 + i * 20_000)));
    expect(await run('authz.denied_burst', events)).toEqual([]);
  });

  it('stays quiet with 11 refusals spread over 11 minutes', async () => {
    const events = stream(...times(11, (i) => denied('usr_prober', T0 + i * MIN)));
    expect(await run('authz.denied_burst', events)).toEqual([]);
  });

  it('stays quiet when 12 refusals are spread over two people', async () => {
    const events = stream(...times(12, (i) => denied(i % 2 ? 'usr_a' : 'usr_b', T0 + i * 10_000)));
    expect(await run('authz.denied_burst', events)).toEqual([]);
  });

  it('stays quiet for failures (not refusals) and for refusals without an actor', async () => {
    const events = stream(
      ...times(11, (i) => denied('usr_clumsy', T0 + i * 10_000, { outcome: 'failure' })),
      ...times(11, (i) => denied('x', T0 + i * 10_000 + 1, { actorId: null, actorRole: null })),
    );
    expect(await run('authz.denied_burst', events)).toEqual([]);
  });

  it('stays quiet for refused sign-ins and second factors (they count as sign-in failures)', async () => {
    const events = stream(
      ...times(12, (i) =>
        denied('usr_locked', T0 + i * 10_000, {
          operation: i % 2 ? 'auth.sign_in' : 'auth.second_factor',
          targetId: 'usr_locked',
          reasonCode: 'locked',
        }),
      ),
    );
    expect(await run('authz.denied_burst', events)).toEqual([]);
    expect(await run('auth.sign_in_failures', events)).toMatchObject([{ dedupeKey: 'account:usr_locked' }]);
  });

  it('stays quiet when all 11 refusals are before fromSeq', async () => {
    const events = stream(...times(11, (i) => denied('usr_prober', T0 + i * 10_000)), {
      ts: T0 + 2 * MIN,
      operation: 'user.update',
      actorId: 'usr_prober',
    });
    expect(await run('authz.denied_burst', events, { fromSeq: 11 })).toEqual([]);
  });
});

describe('activity.outside_hours', () => {
  /** Admins Monday to Friday 08:00–18:00 Paris time; support on night shifts 22:00–06:00 UTC; auditors not listed. */
  const PARIS: WorkingHours = { timeZone: 'Europe/Paris', roles: { admin: { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' } } };
  const NIGHTS: WorkingHours = { timeZone: 'UTC', roles: { support: { days: [1, 2, 3, 4, 5], from: '22:00', to: '06:00' } } };

  const act = (iso: string, over: EventSpec = {}): EventSpec => ({
    ts: Date.parse(iso),
    actorId: 'usr_admin',
    actorRole: 'admin',
    operation: 'user.suspend',
    outcome: 'success',
    ...over,
  });
  const outside = async (workingHours: WorkingHours, ...specs: EventSpec[]) =>
    run('activity.outside_hours', stream(...specs), { ctx: { workingHours } });

  it('fires when an admin acts before 08:00 Paris time in winter (06:30 UTC = 07:30 CET)', async () => {
    expect(await outside(PARIS, act('2025-01-15T06:30:00Z'))).toEqual([
      {
        rule: 'activity.outside_hours',
        severity: 'medium',
        dedupeKey: 'actor:usr_admin:2025-01-15',
        summary: 'An admin was active outside working hours (user.suspend).',
        actorId: 'usr_admin',
        seqs: [1],
      },
    ]);
  });

  it('stays quiet at 07:30 UTC in winter (08:30 CET) and at 06:30 UTC in summer (08:30 CEST)', async () => {
    expect(await outside(PARIS, act('2025-01-15T07:30:00Z'), act('2025-07-16T06:30:00Z'))).toEqual([]);
  });

  it('fires at 16:30 UTC in summer: 18:30 CEST is after hours although 16:30 would be inside in UTC', async () => {
    expect(await outside(PARIS, act('2025-07-16T16:30:00Z'))).toMatchObject([{ dedupeKey: 'actor:usr_admin:2025-07-16', seqs: [1] }]);
  });

  it('follows the DST change: 06:30 UTC is outside on Friday 28 March (CET) and inside on Monday 31 March (CEST)', async () => {
    expect(await outside(PARIS, act('2025-03-28T06:30:00Z'), act('2025-03-31T06:30:00Z'))).toMatchObject([
      { dedupeKey: 'actor:usr_admin:2025-03-28', seqs: [1] },
    ]);
  });

  it('fires on a weekend day, and keys the alert by the local day (00:30 Paris is the next day)', async () => {
    const out = await outside(PARIS, act('2025-01-18T10:00:00Z'), act('2025-01-15T23:30:00Z'));
    expect(out.map((c) => [c.dedupeKey, c.seqs])).toEqual([
      ['actor:usr_admin:2025-01-18', [1]],
      ['actor:usr_admin:2025-01-16', [2]],
    ]);
  });

  it('fires for a sign-in outside hours, and gives every event of one person and day the same key', async () => {
    const out = await outside(
      PARIS,
      act('2025-01-15T05:00:00Z', { operation: 'auth.sign_in', targetType: 'Session', targetId: 'ses_1' }),
      act('2025-01-15T05:01:00Z'),
    );
    expect(out.map((c) => [c.dedupeKey, c.seqs])).toEqual([
      ['actor:usr_admin:2025-01-15', [1]],
      ['actor:usr_admin:2025-01-15', [2]],
    ]);
  });

  it('stays quiet for roles not listed (an auditor at 03:00 on a Sunday)', async () => {
    expect(await outside(PARIS, act('2025-01-19T02:00:00Z', { actorId: 'usr_auditor', actorRole: 'auditor' }))).toEqual([]);
  });

  it('stays quiet with the default working hours (no roles listed)', async () => {
    expect(await outside({ timeZone: 'UTC', roles: {} }, act('2025-01-19T02:00:00Z'))).toEqual([]);
  });

  it('stays quiet for refused or failed attempts, events without an actor, and events before fromSeq', async () => {
    const events = stream(
      act('2025-01-15T03:00:00Z'),
      act('2025-01-15T03:01:00Z', { outcome: 'denied' }),
      act('2025-01-15T03:02:00Z', { operation: 'auth.sign_in', outcome: 'failure' }),
      act('2025-01-15T03:03:00Z', { actorId: null }),
    );
    expect(await run('activity.outside_hours', events, { fromSeq: 1, ctx: { workingHours: PARIS } })).toEqual([]);
  });

  describe('overnight shift (22:00–06:00, Monday to Friday nights)', () => {
    const support = (iso: string) => act(iso, { actorId: 'usr_support', actorRole: 'support' });

    it('stays quiet on Monday 23:00, Tuesday 03:00 (Monday’s shift) and Saturday 03:00 (Friday’s shift)', async () => {
      expect(
        await outside(NIGHTS, support('2025-01-13T23:00:00Z'), support('2025-01-14T03:00:00Z'), support('2025-01-18T03:00:00Z')),
      ).toEqual([]);
    });

    it('fires on Monday 03:00 (Sunday night is not a shift), Saturday 23:00 and Tuesday 12:00', async () => {
      const out = await outside(NIGHTS, support('2025-01-13T03:00:00Z'), support('2025-01-18T23:00:00Z'), support('2025-01-14T12:00:00Z'));
      expect(out.map((c) => [c.dedupeKey, c.seqs])).toEqual([
        ['actor:usr_support:2025-01-13', [1]],
        ['actor:usr_support:2025-01-18', [2]],
        ['actor:usr_support:2025-01-14', [3]],
      ]);
    });

    it('treats 06:00 as the end of the shift and 22:00 as its start', async () => {
      expect(await outside(NIGHTS, support('2025-01-14T05:59:00Z'), support('2025-01-14T22:00:00Z'))).toEqual([]);
      expect(await outside(NIGHTS, support('2025-01-14T06:00:00Z'), support('2025-01-14T21:59:00Z'))).toHaveLength(2);
    });
  });

  it('zonedClock and withinHours read the local weekday and time', () => {
    expect(zonedClock(new Date('2025-01-15T23:30:00Z'), 'Europe/Paris')).toEqual({ weekday: 4, minutes: 30 });
    expect(zonedClock(new Date('2025-07-16T06:30:00Z'), 'Europe/Paris')).toEqual({ weekday: 3, minutes: 8 * 60 + 30 });
    expect(zonedClock(new Date('2025-01-19T00:00:00Z'), 'UTC')).toEqual({ weekday: 7, minutes: 0 });
    const weekdays = { days: [1, 2, 3, 4, 5], from: '09:00', to: '17:00' };
    expect(withinHours(new Date('2025-01-15T09:00:00Z'), 'UTC', weekdays)).toBe(true);
    expect(withinHours(new Date('2025-01-15T17:00:00Z'), 'UTC', weekdays)).toBe(false);
    expect(withinHours(new Date('2025-01-15T12:00:00Z'), 'America/New_York', weekdays)).toBe(false);
  });
});

describe('config.critical_change', () => {
  const change = (operation: string, over: EventSpec = {}): EventSpec => ({
    actorId: 'usr_root',
    actorRole: 'superadmin',
    operation,
    outcome: 'success',
    ...over,
  });

  it('fires when a critical change set is applied, naming the keys', async () => {
    const events = stream(
      change('config.apply_critical', {
        targetType: 'ConfigChangeSet',
        targetId: 'cs_1',
        details: { changes: [{ key: 'alerts.thresholds' }, { key: 'session.idle_timeout' }] },
      }),
    );
    expect(await run('config.critical_change', events)).toEqual([
      {
        rule: 'config.critical_change',
        severity: 'high',
        dedupeKey: 'event:1',
        summary: 'Critical settings changed: alerts.thresholds, session.idle_timeout.',
        actorId: 'usr_root',
        seqs: [1],
      },
    ]);
  });

  it('fires when the audit signing key is rotated, and when a rotation is authorized (one alert each)', async () => {
    const events = stream(change('audit.authorize_key_rotation'), change('audit.key_rotate', { actorId: null, actorRole: null }));
    expect(await run('config.critical_change', events)).toEqual([
      expect.objectContaining({ dedupeKey: 'event:1', summary: 'A signing-key rotation was authorized.', seqs: [1] }),
      expect.objectContaining({ dedupeKey: 'event:2', summary: 'The audit signing key was rotated.', actorId: null, seqs: [2] }),
    ]);
  });

  it('stays quiet when a critical change was denied or failed, or was only requested', async () => {
    const events = stream(
      change('config.apply_critical', { outcome: 'denied' }),
      change('audit.key_rotate', { outcome: 'failure' }),
      change('audit.authorize_key_rotation', { outcome: 'denied' }),
      change('approval.request', { details: { operation: 'config.apply_critical' } }),
    );
    expect(await run('config.critical_change', events)).toEqual([]);
  });

  it('stays quiet for normal and sensitive setting changes', async () => {
    const events = stream(change('config.apply'), change('config.apply_sensitive'), change('config.stage'));
    expect(await run('config.critical_change', events)).toEqual([]);
  });

  it('stays quiet for a critical change before fromSeq', async () => {
    const events = stream(change('config.apply_critical'), change('config.stage'));
    expect(await run('config.critical_change', events, { fromSeq: 1 })).toEqual([]);
  });
});

describe('audit.verification_failed', () => {
  const verify = (over: EventSpec = {}): EventSpec => ({
    actorId: 'usr_auditor',
    actorRole: 'auditor',
    operation: 'audit.verify',
    outcome: 'success',
    ...over,
  });

  it('fires when a verification reports the trail not intact, naming the attack class', async () => {
    const events = stream(verify({ details: { intact: false, attackClass: 'truncation', firstBadSeq: 40 } }));
    expect(await run('audit.verification_failed', events)).toEqual([
      {
        rule: 'audit.verification_failed',
        severity: 'critical',
        dedupeKey: 'verify',
        summary: 'The audit trail did not verify (truncation).',
        actorId: 'usr_auditor',
        seqs: [1],
      },
    ]);
  });

  it('fires when a verification failed to run (outcome failure)', async () => {
    expect(await run('audit.verification_failed', stream(verify({ outcome: 'failure' })))).toMatchObject([
      { dedupeKey: 'verify', summary: 'The audit trail did not verify.', seqs: [1] },
    ]);
  });

  it('stays quiet when the trail verified intact, when verification was refused, or before fromSeq', async () => {
    const events = stream(
      verify({ details: { intact: false } }),
      verify({ details: { intact: true, events: 100 } }),
      verify({ outcome: 'denied', actorRole: 'support' }),
    );
    expect(await run('audit.verification_failed', events, { fromSeq: 1 })).toEqual([]);
  });
});

describe('access.break_glass and access.elevation_started', () => {
  const breakGlass = (over: EventSpec = {}): EventSpec => ({
    actorId: 'usr_super',
    actorRole: 'superadmin',
    operation: 'elevation.break_glass',
    outcome: 'success',
    details: { expiresAt: '2026-12-03T10:30:00.000Z', review: { number: 4 } },
    ...over,
  });

  it('raises one critical alert per break-glass, naming its expiry and the review', async () => {
    expect(await run('access.break_glass', stream(breakGlass()))).toEqual([
      {
        rule: 'access.break_glass',
        severity: 'critical',
        dedupeKey: 'event:1',
        summary: 'A superadmin used break-glass until 2026-12-03 10:30 UTC; access review #4 is open.',
        actorId: 'usr_super',
        seqs: [1],
      },
    ]);
  });

  it('stays quiet for a refused break-glass', async () => {
    expect(await run('access.break_glass', stream(breakGlass({ outcome: 'denied', actorRole: 'admin' })))).toEqual([]);
  });

  it('raises a medium alert when an approved elevation starts, not when it is only asked for', async () => {
    const started = {
      actorId: 'usr_agent',
      actorRole: 'support',
      operation: 'elevation.request',
      outcome: 'success',
      details: { approval: { id: 'a1' }, scope: 'role', role: 'admin', expiresAt: '2026-12-03T11:00:00.000Z' },
    } satisfies EventSpec;
    expect(await run('access.elevation_started', stream(started, { ...started, details: { scope: 'role', role: 'admin' } }))).toEqual([
      {
        rule: 'access.elevation_started',
        severity: 'medium',
        dedupeKey: 'event:1',
        summary: 'A support now holds the admin role until 2026-12-03 11:00 UTC.',
        actorId: 'usr_agent',
        seqs: [1],
      },
    ]);
  });
});

describe('audit.checkpoint_overdue', () => {
  const NOW = new Date(T0);
  const overdue = (oldestUncoveredTs: Date | null, thresholds: Thresholds = DEFAULT_THRESHOLDS, events: MonitorEvent[] = []) =>
    run('audit.checkpoint_overdue', events, {
      ctx: { now: NOW, thresholds, checkpoint: { lastTs: new Date(T0 - 3 * 60 * MIN), oldestUncoveredTs } },
    });

  it('fires when the oldest uncovered event is older than 60 minutes, even without new events', async () => {
    expect(await overdue(new Date(T0 - 61 * MIN))).toEqual([
      {
        rule: 'audit.checkpoint_overdue',
        severity: 'high',
        dedupeKey: 'checkpoint',
        summary: 'Events have waited 61 min for a signed checkpoint (threshold 60 min).',
        actorId: null,
        seqs: [],
      },
    ]);
  });

  it('stays quiet when every event is covered (null)', async () => {
    expect(await overdue(null)).toEqual([]);
  });

  it('stays quiet when the oldest uncovered event is recent (59 min) or exactly at the threshold', async () => {
    expect(await overdue(new Date(T0 - 59 * MIN))).toEqual([]);
    expect(await overdue(new Date(T0 - 60 * MIN))).toEqual([]);
  });

  it('uses the configured threshold', async () => {
    const thresholds = { ...DEFAULT_THRESHOLDS, checkpointOverdueMinutes: 10 };
    expect(await overdue(new Date(T0 - 11 * MIN), thresholds)).toMatchObject([{ dedupeKey: 'checkpoint' }]);
    expect(await overdue(new Date(T0 - 9 * MIN), thresholds)).toEqual([]);
  });
});

describe('evaluateRules', () => {
  it('returns nothing for an ordinary working day', async () => {
    const events = stream(
      { actorId: 'usr_admin', actorRole: 'admin', operation: 'auth.sign_in', ip: '203.0.113.10', userAgent: 'ua' },
      { actorId: 'usr_admin', actorRole: 'admin', operation: 'user.role_change' },
      { actorId: 'usr_admin', actorRole: 'admin', operation: 'user.suspend', outcome: 'denied' },
      { actorId: null, operation: 'auth.sign_in', outcome: 'failure', ip: '198.51.100.1', details: { email: 'digest' } },
      { actorId: 'usr_auditor', actorRole: 'auditor', operation: 'audit.verify', details: { intact: true } },
    );
    const all: AlertCandidate[] = await evaluateRules(events, 0, context(events));
    expect(all).toEqual([]);
  });
});
