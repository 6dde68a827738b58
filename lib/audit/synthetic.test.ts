import { describe, expect, it } from 'vitest';
import { defineRulesFor, DEFAULT_DENY } from '@/policies/rules';
import { CONSOLE_ROLES } from '@/policies/roles';
import { AuditEventInputSchema } from './append';
import { activityWeight, syntheticAuditEvents, type SyntheticAuditOptions } from './synthetic';

const STAFF = [
  { id: 'usr_super', role: 'superadmin', name: 'Sam' },
  { id: 'usr_admin1', role: 'admin' },
  { id: 'usr_admin2', role: 'admin' },
  { id: 'usr_auditor', role: 'auditor' },
  { id: 'usr_support1', role: 'support' },
  { id: 'usr_support2', role: 'support' },
];
const MEMBERS = Array.from({ length: 120 }, (_, i) => `usr_member_${i}`);

const OPTIONS: SyntheticAuditOptions = {
  seed: 42,
  from: new Date('2026-03-02T00:00:00Z'), // a Monday
  to: new Date('2026-04-01T00:00:00Z'),
  count: 6000,
  staff: STAFF,
  members: MEMBERS,
  policyVersion: 'policies@test',
};

const events = [...syntheticAuditEvents(OPTIONS)];
const share = (pred: (e: (typeof events)[number]) => boolean) => events.filter(pred).length / events.length;

/** Every rule id the policies can produce, plus the authentication decisions the app records. */
function knownDecisions(): Set<string> {
  const ids = new Set<string>([DEFAULT_DENY]);
  for (const role of CONSOLE_ROLES) {
    for (const rule of defineRulesFor({ id: 'x', role, status: 'active', roleSuspended: false })) ids.add(rule.reason);
  }
  for (const d of [
    'authn.password',
    'authn.mfa',
    'authn.second_factor',
    'authn.step_up',
    'authn.session_policy',
    'session.own',
    'account.own',
  ])
    ids.add(d);
  return ids;
}

describe('syntheticAuditEvents', () => {
  it('yields exactly count events, the same ones for the same seed', () => {
    expect(events).toHaveLength(OPTIONS.count);
    const again = [...syntheticAuditEvents(OPTIONS)];
    expect(again).toEqual(events);
    const other = [...syntheticAuditEvents({ ...OPTIONS, seed: 43 })];
    expect(other.map((e) => e.input.correlationId)).not.toEqual(events.map((e) => e.input.correlationId));
  });

  it('is chronological and stays inside the window', () => {
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.at.getTime()).toBeGreaterThanOrEqual(events[i - 1]!.at.getTime());
    }
    expect(events[0]!.at.getTime()).toBeGreaterThanOrEqual(OPTIONS.from.getTime());
    expect(events.at(-1)!.at.getTime()).toBeLessThan(OPTIONS.to.getTime());
  });

  it('produces inputs that appendAuditEvent accepts', () => {
    for (const e of events) {
      const parsed = AuditEventInputSchema.safeParse(e.input);
      if (!parsed.success) throw new Error(`${e.input.operation}: ${parsed.error.message}`);
    }
  });

  it('gives every request its own correlation id', () => {
    expect(new Set(events.map((e) => e.input.correlationId)).size).toBe(events.length);
  });

  it('records only real rule ids, and the actor’s own role', () => {
    const decisions = knownDecisions();
    const roles = new Map(STAFF.map((s) => [s.id, s.role]));
    for (const e of events) {
      expect(decisions, e.input.decision ?? 'null').toContain(e.input.decision);
      if (e.input.actor) expect(e.input.actor.role).toBe(roles.get(e.input.actor.id));
    }
  });

  it('has the intended mix of activity', () => {
    const signIns = share((e) => ['auth.sign_in', 'auth.second_factor'].includes(e.input.operation) && e.input.outcome === 'success');
    const failedSignIns = share((e) => e.input.operation === 'auth.sign_in' && e.input.outcome !== 'success');
    const denied = share((e) => e.input.outcome === 'denied' && e.input.operation !== 'auth.sign_in');
    expect(signIns).toBeGreaterThan(0.38);
    expect(signIns).toBeLessThan(0.52);
    expect(failedSignIns).toBeGreaterThan(0.05);
    expect(failedSignIns).toBeLessThan(0.12);
    expect(denied).toBeGreaterThan(0.02);
    expect(denied).toBeLessThan(0.07);
    for (const op of [
      'auth.step_up',
      'user.role_change',
      'user.suspend',
      'user.unlock',
      'audit.view',
      'audit.verify',
      'audit.export_events',
      'session.end',
    ])
      expect(
        share((e) => e.input.operation === op),
        op,
      ).toBeGreaterThan(0);
    for (const code of ['forbidden', 'step_up_required', 'reason_required', 'not_found', 'unknown_account', 'bad_password', 'expired_idle'])
      expect(
        share((e) => e.input.reasonCode === code),
        code,
      ).toBeGreaterThan(0);
  });

  it('records role changes with before/after, step-up and a reason', () => {
    const changes = events.filter((e) => e.input.operation === 'user.role_change' && e.input.outcome === 'success');
    expect(changes.length).toBeGreaterThan(10);
    for (const c of changes) {
      const d = c.input.details as { before: { role: string }; after: { role: string }; stepUp: boolean };
      expect(d.stepUp).toBe(true);
      expect(d.after.role).not.toBe(d.before.role);
      expect(c.input.reason).toBeTruthy();
      expect(['admin.manage_lower_roles', 'superadmin.change_role']).toContain(c.input.decision);
    }
    expect(changes.some((c) => /\b[A-Z]{2,4}-\d+\b/.test(c.input.reason ?? ''))).toBe(true);
  });

  it('contains a brute-force episode: a burst of failures from one address', () => {
    const long = [...syntheticAuditEvents({ ...OPTIONS, count: 30_000 })];
    const byIp = new Map<string, number>();
    for (const e of long)
      if (e.input.outcome !== 'success' && e.input.operation === 'auth.sign_in')
        byIp.set(e.input.ip ?? '', (byIp.get(e.input.ip ?? '') ?? 0) + 1);
    expect(Math.max(...byIp.values())).toBeGreaterThanOrEqual(18);
    expect(long.some((e) => e.input.reasonCode === 'rate_limited')).toBe(true);
  });

  it('follows office hours: weekdays by day are busier than nights and weekends', () => {
    const office = events.filter((e) => activityWeight(e.at.getTime()) === 1 || activityWeight(e.at.getTime()) === 0.75).length;
    expect(office / events.length).toBeGreaterThan(0.75);
  });

  it('labels every event when asked (demo seed)', () => {
    const labelled = [
      ...syntheticAuditEvents({ ...OPTIONS, count: 200, userAgent: 'warden-demo-seed (synthetic history)', details: { demo: true } }),
    ];
    for (const e of labelled) {
      expect(e.input.userAgent).toBe('warden-demo-seed (synthetic history)');
      expect(e.input.details).toMatchObject({ demo: true });
    }
  });

  it('refuses an empty window', () => {
    expect(() => [...syntheticAuditEvents({ ...OPTIONS, to: OPTIONS.from })]).toThrow(/after/);
  });
});
