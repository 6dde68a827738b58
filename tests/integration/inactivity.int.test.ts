import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyChain } from '@/lib/audit/verify';
import { invalidateSettings } from '@/lib/config/settings';
import { INACTIVITY_DUE_EVERY_MS, runInactivityRules } from '@/lib/dal/inactivity';
import { createDb } from '@/lib/db/client';
import type { Role } from '@/policies/roles';
import { ActionHarness } from '../helpers/action-harness';
import { testProviders } from '../helpers/test-db';

vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
});
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);

/**
 * Issue 10, inactivity rules: the hourly job suspends console accounts inactive
 * past `inactivity.suspend_after` (never the last active superadmin), ends
 * sessions past their limits, expires unused invitations — one audited run.
 */
describe.each(testProviders())('inactivity rules on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'inactive');
  });
  afterAll(async () => {
    await h?.cleanup();
  });
  beforeEach(async () => {
    invalidateSettings();
    // Everyone made by earlier tests is recent again: each test sets up its own stale accounts.
    await h.db.user.updateMany({ data: { lastActiveAt: new Date(), createdAt: new Date() } });
  });

  async function person(role: Role, lastActive: Date | null, created: Date = new Date()) {
    const user = await h.createUser({ role });
    await h.db.user.update({ where: { id: user.id }, data: { lastActiveAt: lastActive, createdAt: created } });
    return user;
  }

  it('suspends console accounts inactive for 45 days by default, ends their sessions, and records one run', async () => {
    const stale = await person('admin', daysAgo(50));
    const neverActive = await person('support', null, daysAgo(60));
    const recent = await person('auditor', daysAgo(10));
    const member = await person('member', daysAgo(400));
    const session = await h.signIn(stale);
    // signIn marks nothing as activity here; keep the account stale.
    await h.db.user.update({ where: { id: stale.id }, data: { lastActiveAt: daysAgo(50) } });

    const result = await runInactivityRules();
    expect(result.ran).toBe(true);
    expect(result.suspended.sort()).toEqual([stale.id, neverActive.id].sort());
    const state = (id: string) => h.db.user.findUniqueOrThrow({ where: { id }, select: { status: true, sessionVersion: true } });
    expect(await state(stale.id)).toMatchObject({ status: 'suspended', sessionVersion: 1 });
    expect(await state(neverActive.id)).toMatchObject({ status: 'suspended' });
    expect(await state(recent.id)).toMatchObject({ status: 'active' });
    expect(await state(member.id)).toMatchObject({ status: 'active' });
    expect(await h.db.session.findUniqueOrThrow({ where: { id: session.sessionId! } })).toMatchObject({
      revokedAt: expect.any(Date),
      revokedReason: 'user_inactive',
    });
    const event = await h.db.auditEvent.findFirstOrThrow({ where: { seq: result.eventSeq! } });
    expect(event).toMatchObject({ operation: 'governance.inactivity_run', actorId: null, outcome: 'success' });
    expect(JSON.parse(event.details)).toMatchObject({
      suspendAfterDays: 45,
      suspended: expect.arrayContaining([stale.id, neverActive.id]),
    });

    // Nothing left to do: no event.
    expect(await runInactivityRules()).toMatchObject({ ran: true, suspended: [], eventSeq: null });
  });

  it('follows the configured threshold (critical configuration)', async () => {
    await h.db.configEntry.create({
      data: { key: 'inactivity.suspend_after', tier: 'critical', value: JSON.stringify(10 * DAY), version: 1, updatedAt: new Date() },
    });
    invalidateSettings();
    const twelveDays = await person('admin', daysAgo(12));
    const fiveDays = await person('admin', daysAgo(5));
    const result = await runInactivityRules();
    expect(result.suspended).toEqual([twelveDays.id]);
    expect((await h.db.user.findUniqueOrThrow({ where: { id: fiveDays.id } })).status).toBe('active');
    await h.db.configEntry.delete({ where: { key: 'inactivity.suspend_after' } });
  });

  it('never suspends the last active superadmins', async () => {
    // Only stale superadmins remain active: all of them are kept.
    await h.db.user.updateMany({ where: { role: 'superadmin' }, data: { status: 'disabled' } });
    const a = await person('superadmin', daysAgo(100));
    const b = await person('superadmin', daysAgo(90));
    const result = await runInactivityRules();
    expect(result.suspended).not.toContain(a.id);
    expect(result.suspended).not.toContain(b.id);
    expect(await h.db.user.count({ where: { id: { in: [a.id, b.id] }, status: 'active' } })).toBe(2);
    // With a recently active superadmin, the stale ones are suspended.
    await person('superadmin', daysAgo(1));
    const next = await runInactivityRules();
    expect(next.suspended.sort()).toEqual([a.id, b.id].sort());
  });

  it('ends sessions past their idle or absolute limit and expires unused invitations', async () => {
    const admin = await person('admin', new Date());
    const idle = await h.signIn(admin);
    const old = await h.signIn(admin);
    const fresh = await h.signIn(admin);
    await h.db.session.update({ where: { id: idle.sessionId! }, data: { lastSeenAt: new Date(Date.now() - 2 * 3_600_000) } });
    await h.db.session.update({ where: { id: old.sessionId! }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const invitee = await h.createUser({ role: 'member', mfa: false });
    const expired = await h.db.invitation.create({
      data: { userId: invitee.id, tokenHash: `t-${invitee.id}-1`, expiresAt: new Date(Date.now() - 1000) },
    });
    const valid = await h.db.invitation.create({
      data: { userId: invitee.id, tokenHash: `t-${invitee.id}-2`, expiresAt: new Date(Date.now() + DAY) },
    });

    const result = await runInactivityRules();
    expect(result.sessionsEnded).toBeGreaterThanOrEqual(2);
    expect(result.invitationsExpired).toBeGreaterThanOrEqual(1);
    const reason = async (id: string) =>
      (await h.db.session.findUniqueOrThrow({ where: { id }, select: { revokedReason: true } })).revokedReason;
    expect(await reason(idle.sessionId!)).toBe('expired_idle');
    expect(await reason(old.sessionId!)).toBe('expired_absolute');
    expect(await reason(fresh.sessionId!)).toBeNull();
    expect((await h.db.invitation.findUniqueOrThrow({ where: { id: expired.id } })).revokedAt).toBeInstanceOf(Date);
    expect((await h.db.invitation.findUniqueOrThrow({ where: { id: valid.id } })).revokedAt).toBeNull();
  });

  it('the scheduled job runs once per period across instances: one of two instances runs it, neither again until it is due', async () => {
    const second = await createDb({ url: h.testDb.url });
    try {
      const instances = [h.db, second.db];
      const tick = (i: number) => runInactivityRules(instances[i], { dueEveryMs: INACTIVITY_DUE_EVERY_MS });
      // Pretend the last run was a period ago, so this tick is due.
      await h.db.monitorState.updateMany({
        where: { id: 'inactivity' },
        data: { updatedAt: new Date(Date.now() - INACTIVITY_DUE_EVERY_MS - 1000) },
      });
      const stale = await person('support', daysAgo(60));
      // PostgreSQL: the two instances race. SQLite: two clients in one process cannot interleave
      // write transactions (the driver waits synchronously for the file lock), so they take turns.
      const both = async () => (provider === 'postgres' ? Promise.all([tick(0), tick(1)]) : [await tick(0), await tick(1)]);
      const first = await both();
      expect(first.map((r) => r.ran).sort()).toEqual([false, true]);
      expect(first.flatMap((r) => r.suspended)).toEqual([stale.id]);
      // Both timers fire again within the period: nothing runs, nothing is recorded.
      const runsBefore = await h.db.auditEvent.count({ where: { operation: 'governance.inactivity_run' } });
      const again = await person('support', daysAgo(60));
      expect((await both()).map((r) => r.ran)).toEqual([false, false]);
      expect(await h.db.user.findUniqueOrThrow({ where: { id: again.id }, select: { status: true } })).toEqual({ status: 'active' });
      expect(await h.db.auditEvent.count({ where: { operation: 'governance.inactivity_run' } })).toBe(runsBefore);
      // A period later it is due again, on whichever instance ticks first.
      await h.db.monitorState.updateMany({
        where: { id: 'inactivity' },
        data: { updatedAt: new Date(Date.now() - INACTIVITY_DUE_EVERY_MS - 1000) },
      });
      const later = await tick(1);
      expect(later).toMatchObject({ ran: true, suspended: [again.id] });
      expect(await tick(0)).toMatchObject({ ran: false });
    } finally {
      await second.db.$disconnect();
    }
  });

  it('runs on one instance at a time: two runs at once suspend each account once', async () => {
    const stale = await person('auditor', daysAgo(70));
    const [x, y] = await Promise.all([runInactivityRules(), runInactivityRules()]);
    expect([...x.suspended, ...y.suspended].filter((id) => id === stale.id)).toHaveLength(1);
    expect((await verifyChain(h.db)).ok).toBe(true);
  });
});
