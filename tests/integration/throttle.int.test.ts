import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { appendAuditEvent } from '@/lib/audit';
import {
  checkAccountGate,
  checkRateLimits,
  delayAfterFailures,
  GLOBAL_RATE_LIMIT_KEY,
  ipRateLimitKey,
  recordAccountFailure,
  recordAccountSuccess,
  recordRateLimitFailure,
  unlockAccount,
  type AccountFailureResult,
} from '@/lib/auth/throttle';
import type { Db } from '@/lib/db/client';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';
import { createTestDb, testProviders, type TestDb } from '../helpers/test-db';

const HOUR = 60 * 60 * 1000;
const t0 = new Date('2026-03-01T08:00:00.000Z');
const { throttle, ipLimit, globalLimit } = AUTHENTICATION_POLICY;

let userSeq = 0;
async function createUser(db: Db): Promise<string> {
  userSeq += 1;
  const user = await db.user.create({
    data: { email: `throttle${userSeq}@example.test`, name: `Throttle ${userSeq}`, role: 'admin' },
    select: { id: true },
  });
  return user.id;
}

function lockState(db: Db, id: string) {
  return db.user.findUniqueOrThrow({
    where: { id },
    select: { failedLoginCount: true, lastFailedLoginAt: true, lockedUntil: true, lockedAt: true },
  });
}

function fail(db: Db, userId: string): Promise<AccountFailureResult> {
  return db.$transaction((tx) => recordAccountFailure(tx, userId));
}

function rateLimitRow(db: Db, key: string) {
  return db.rateLimit.findUnique({ where: { key } });
}

describe.each(testProviders())('sign-in throttling (%s)', (provider) => {
  let testDb: TestDb;
  let db: Db;

  beforeAll(async () => {
    testDb = await createTestDb({ provider });
    db = testDb.db;
  });
  afterAll(async () => {
    await testDb?.cleanup();
  });
  beforeEach(async () => {
    // Only Date is faked: Prisma, pg and better-sqlite3 keep their real timers.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(t0);
    await db.rateLimit.deleteMany();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it(`T01 120 sequential failures on one account: delay schedule, hard lock at exactly 50, unlock audited, success resets (${provider})`, async () => {
    const userId = await createUser(db);
    const auditBefore = await db.auditEvent.count();
    const delays: number[] = [];
    let refusedWhileLocked = 0;
    let lockedAtFailure: number | null = null;

    // The sign-in flow: gate first (no secret is checked while refused), then a wrong password.
    for (let attempt = 1; attempt <= 120; attempt++) {
      let gate = checkAccountGate(await lockState(db, userId), new Date());
      if (!gate.allowed && gate.reason === 'delayed') {
        expect(gate.retryAt.getTime()).toBeGreaterThan(Date.now());
        vi.setSystemTime(gate.retryAt);
        gate = checkAccountGate(await lockState(db, userId), new Date());
      }
      if (!gate.allowed) {
        expect(gate.reason).toBe('locked');
        refusedWhileLocked += 1;
        continue;
      }
      const before = Date.now();
      const result = await fail(db, userId);
      delays.push(result.delayedUntil ? result.delayedUntil.getTime() - before : 0);
      if (result.lockedNow) {
        expect(lockedAtFailure).toBeNull();
        lockedAtFailure = result.count;
      }
      const state = await lockState(db, userId);
      expect(state.failedLoginCount).toBe(result.count);
      expect(state.lastFailedLoginAt?.getTime()).toBe(before);
      expect(state.lockedAt === null).toBe(result.count < throttle.hardLockAt);
    }

    const expected = Array.from({ length: throttle.hardLockAt }, (_, i) => delayAfterFailures(i + 1));
    expect(delays).toEqual(expected);
    expect(delays.slice(0, 7)).toEqual([0, 0, 0, 0, 0, 30_000, 60_000]);
    expect(delays.at(-1)).toBe(HOUR);
    expect(lockedAtFailure).toBe(50);
    expect(refusedWhileLocked).toBe(120 - 50);

    // The lock holds however long one waits; the correct password would never be checked.
    vi.setSystemTime(new Date(Date.now() + 30 * 24 * HOUR));
    let state = await lockState(db, userId);
    expect(state.failedLoginCount).toBe(50);
    expect(checkAccountGate(state, new Date())).toEqual({ allowed: false, reason: 'locked' });

    // More failures (a caller that records anyway) keep the lock and its time; nobody locks it "again".
    const lockedAt = state.lockedAt;
    const extra = await fail(db, userId);
    expect(extra).toMatchObject({ count: 51, lockedNow: false });
    state = await lockState(db, userId);
    expect(state.lockedAt).toEqual(lockedAt);

    // A success does not clear a hard lock: only an admin unlock does.
    await db.$transaction((tx) => recordAccountSuccess(tx, userId));
    state = await lockState(db, userId);
    expect(state).toMatchObject({ failedLoginCount: 0, lockedUntil: null });
    expect(checkAccountGate(state, new Date())).toEqual({ allowed: false, reason: 'locked' });

    // Throttling itself writes no audit events; the caller audits (here: the unlock).
    expect(await db.auditEvent.count()).toBe(auditBefore);
    const wasLocked = await db.$transaction(async (tx) => {
      const changed = await unlockAccount(tx, userId);
      if (changed) {
        await appendAuditEvent(tx, {
          actor: { id: 'usr_admin', role: 'admin', sessionId: 'ses_admin' },
          correlationId: 'req-unlock',
          operation: 'user.unlock',
          target: { type: 'User', id: userId },
          outcome: 'success',
          policyVersion: 'policies@test',
        });
      }
      return changed;
    });
    expect(wasLocked).toBe(true);
    expect(await lockState(db, userId)).toMatchObject({ failedLoginCount: 0, lockedUntil: null, lockedAt: null });
    expect(checkAccountGate(await lockState(db, userId), new Date())).toEqual({ allowed: true });
    const audit = await db.auditEvent.findMany({ where: { seq: { gt: auditBefore } } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ operation: 'user.unlock', targetId: userId, outcome: 'success' });

    // Unlocking an account that is not locked changes nothing worth auditing.
    expect(await db.$transaction((tx) => unlockAccount(tx, userId))).toBe(false);

    // Back to a fresh budget: 7 failures delay, a success resets the counter and the delay.
    for (let i = 0; i < 7; i++) await fail(db, userId);
    expect(checkAccountGate(await lockState(db, userId), new Date())).toMatchObject({ allowed: false, reason: 'delayed' });
    await db.$transaction((tx) => recordAccountSuccess(tx, userId));
    expect(await lockState(db, userId)).toMatchObject({ failedLoginCount: 0, lockedUntil: null, lockedAt: null });
    expect(await fail(db, userId)).toEqual({ count: 1, lockedNow: false, delayedUntil: null });
  });

  it(`T01 an admin unlock also clears a growing delay and reports it (${provider})`, async () => {
    const userId = await createUser(db);
    for (let i = 0; i < 6; i++) await fail(db, userId);
    expect(checkAccountGate(await lockState(db, userId), new Date())).toMatchObject({ allowed: false, reason: 'delayed' });
    expect(await db.$transaction((tx) => unlockAccount(tx, userId))).toBe(true);
    expect(await lockState(db, userId)).toMatchObject({ failedLoginCount: 0, lockedUntil: null, lockedAt: null });
  });

  it(`T01 5 failures over 5 accounts from one IP lock no account; the per-IP limit triggers after ipLimit.maxFailures over many accounts (${provider})`, async () => {
    const ip = '203.0.113.7';
    const users = await Promise.all(Array.from({ length: ipLimit.maxFailures + 5 }, () => createUser(db)));
    const failFrom = (userId: string) =>
      db.$transaction(async (tx) => ({ account: await recordAccountFailure(tx, userId), rate: await recordRateLimitFailure(tx, ip) }));

    for (const userId of users.slice(0, 5)) {
      expect(await checkRateLimits(db, ip)).toEqual({ allowed: true });
      const { account } = await failFrom(userId);
      expect(account).toEqual({ count: 1, lockedNow: false, delayedUntil: null });
    }
    for (const userId of users.slice(0, 5)) expect(checkAccountGate(await lockState(db, userId), new Date())).toEqual({ allowed: true });
    expect(await checkRateLimits(db, ip)).toEqual({ allowed: true });

    let blockedAt: number | null = null;
    for (let n = 6; n <= ipLimit.maxFailures; n++) {
      expect(await checkRateLimits(db, ip)).toEqual({ allowed: true });
      const userId = users[n - 1];
      if (!userId) throw new Error('not enough users');
      const { rate } = await failFrom(userId);
      expect(rate.ip?.count).toBe(n);
      if (rate.ip?.blockedNow) blockedAt = n;
    }
    expect(blockedAt).toBe(ipLimit.maxFailures);
    const retryAt = new Date(Date.now() + ipLimit.blockMs);
    expect(await checkRateLimits(db, ip)).toEqual({ allowed: false, scope: 'ip', retryAt });
    expect(await checkRateLimits(db, '203.0.113.8')).toEqual({ allowed: true });
    expect(await checkRateLimits(db, null)).toEqual({ allowed: true });
    for (const userId of users) expect((await lockState(db, userId)).lockedAt).toBeNull();

    // The block ends after blockMs; the next failure opens a new window.
    vi.setSystemTime(retryAt);
    expect(await checkRateLimits(db, ip)).toEqual({ allowed: true });
    const { rate } = await failFrom(users.at(-1) ?? '');
    expect(rate.ip).toEqual({ count: 1, blockedNow: false, blockedUntil: null });
    expect((await rateLimitRow(db, ipRateLimitKey(ip)))?.windowStart).toEqual(retryAt);
  });

  it(`T01 failures below the IP limit expire with the window (${provider})`, async () => {
    const ip = '2001:db8::42';
    for (let i = 0; i < ipLimit.maxFailures - 1; i++) await db.$transaction((tx) => recordRateLimitFailure(tx, ip));
    vi.setSystemTime(new Date(t0.getTime() + ipLimit.windowMs));
    const { ip: counted } = await db.$transaction((tx) => recordRateLimitFailure(tx, ip));
    expect(counted).toEqual({ count: 1, blockedNow: false, blockedUntil: null });
    expect(await checkRateLimits(db, ip)).toEqual({ allowed: true });
  });

  it(`T01 a null IP counts toward the global limit only; the global limit refuses everyone until its window ends (${provider})`, async () => {
    const first = await db.$transaction((tx) => recordRateLimitFailure(tx, null));
    expect(first).toEqual({ ip: null, global: { count: 1, limitedNow: false } });
    expect(await db.rateLimit.findMany({ select: { key: true } })).toEqual([{ key: GLOBAL_RATE_LIMIT_KEY }]);

    await db.rateLimit.update({ where: { key: GLOBAL_RATE_LIMIT_KEY }, data: { count: globalLimit.maxFailures - 2 } });
    const results = await Promise.all([0, 1].map(() => db.$transaction((tx) => recordRateLimitFailure(tx, '198.51.100.1'))));
    expect(results.map((r) => r.global.count).sort((a, b) => a - b)).toEqual([globalLimit.maxFailures - 1, globalLimit.maxFailures]);
    expect(results.filter((r) => r.global.limitedNow)).toHaveLength(1);

    const windowEnd = new Date(t0.getTime() + globalLimit.windowMs);
    for (const ip of ['198.51.100.1', '198.51.100.2', null]) {
      expect(await checkRateLimits(db, ip)).toEqual({ allowed: false, scope: 'global', retryAt: windowEnd });
    }
    vi.setSystemTime(windowEnd);
    expect(await checkRateLimits(db, '198.51.100.2')).toEqual({ allowed: true });
  });

  it(`T07 failures of every factor add to the one account counter and lock before 100 (${provider})`, async () => {
    const userId = await createUser(db);
    // Each factor's verifier calls the same function on a failure; there is no per-factor counter.
    const factors = ['password', 'totp', 'recovery_code', 'passkey'] as const;
    const counts: Record<string, number> = {};
    for (const factor of factors) counts[factor] = (await fail(db, userId)).count;
    expect(counts).toEqual({ password: 1, totp: 2, recovery_code: 3, passkey: 4 });

    let lockedAt: number | null = null;
    for (let n = 5; n <= throttle.hardLockAt; n++) {
      const result = await fail(db, userId);
      expect(result.count).toBe(n);
      if (result.lockedNow) lockedAt = n;
    }
    expect(lockedAt).toBe(throttle.hardLockAt);
    expect(lockedAt).toBeLessThan(100);
    expect(checkAccountGate(await lockState(db, userId), new Date())).toEqual({ allowed: false, reason: 'locked' });
  });

  it(`T01 concurrency: 20 parallel account failures count 20 and keep the longest delay (${provider})`, async () => {
    const userId = await createUser(db);
    const results = await Promise.all(Array.from({ length: 20 }, () => fail(db, userId)));
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const state = await lockState(db, userId);
    expect(state.failedLoginCount).toBe(20);
    expect(state.lockedUntil?.getTime()).toBe(t0.getTime() + delayAfterFailures(20));
    expect(state.lockedAt).toBeNull();
  });

  it(`T01 concurrency: parallel failures across the hard-lock line lock the account exactly once (${provider})`, async () => {
    const userId = await createUser(db);
    await db.user.update({ where: { id: userId }, data: { failedLoginCount: throttle.hardLockAt - 5 } });
    const results = await Promise.all(Array.from({ length: 10 }, () => fail(db, userId)));
    expect(results.filter((r) => r.lockedNow)).toHaveLength(1);
    const state = await lockState(db, userId);
    expect(state.failedLoginCount).toBe(throttle.hardLockAt + 5);
    expect(state.lockedAt).toEqual(t0);
  });

  it(`T01 concurrency: 30 parallel rate-limit failures on fresh keys count 30 and block the address once (${provider})`, async () => {
    const ip = '192.0.2.30';
    const results = await Promise.all(Array.from({ length: 30 }, () => db.$transaction((tx) => recordRateLimitFailure(tx, ip))));
    expect((await rateLimitRow(db, ipRateLimitKey(ip)))?.count).toBe(30);
    expect((await rateLimitRow(db, GLOBAL_RATE_LIMIT_KEY))?.count).toBe(30);
    expect(results.map((r) => r.ip?.count).sort((a = 0, b = 0) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(results.filter((r) => r.ip?.blockedNow)).toHaveLength(1);
    expect(await checkRateLimits(db, ip)).toEqual({ allowed: false, scope: 'ip', retryAt: new Date(t0.getTime() + ipLimit.blockMs) });
  });
});
