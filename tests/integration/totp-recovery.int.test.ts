import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { consumeRecoveryCode, countRemainingRecoveryCodes, generateRecoveryCodes } from '@/lib/auth/recovery-codes';
import { createSecretBox } from '@/lib/auth/secret-box';
import { consumeTotp, disableTotp, enableTotp, generateTotpSecret, totpCodeAt, totpStepAt } from '@/lib/auth/totp';
import type { Db, Tx } from '@/lib/db/client';
import { log } from '@/lib/log';
import { createTestDb, testProviders, type TestDb } from '../helpers/test-db';

// The server clock (lib/clock) is the only time source of lib/auth/totp; tests move it here.
const clock = vi.hoisted(() => ({ at: new Date() }));
vi.mock('@/lib/clock', () => ({ now: () => new Date(clock.at.getTime()) }));

const STEP_MS = 30_000;

/** 5 s into a real, current time step: far from both edges. */
function startOfStepPlus5s(): Date {
  return new Date(Math.floor(Date.now() / STEP_MS) * STEP_MS + 5_000);
}

function advance(ms: number): void {
  clock.at = new Date(clock.at.getTime() + ms);
}

/**
 * Makes concurrent transactions really race: each one's `<model>.updateMany` (the
 * compare-and-set) waits until every party has reached it, i.e. until all of them
 * have done their reads. SQLite's adapter runs one interactive transaction at a
 * time per client, so there the gate also opens after `maxWaitMs` and the parties
 * run one after another; on PostgreSQL all reads happen before any write.
 */
function writeBarrier(model: 'user' | 'recoveryCode', parties: number, maxWaitMs = 300): (tx: Tx) => Tx {
  let arrived = 0;
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return (tx) =>
    new Proxy(tx, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop);
        if (prop !== model) return value;
        const delegate = value as { updateMany: (args: unknown) => Promise<{ count: number }> };
        return new Proxy(delegate, {
          get(d, p) {
            if (p !== 'updateMany') return Reflect.get(d, p);
            return async (args: unknown) => {
              arrived += 1;
              if (arrived >= parties) open();
              await Promise.race([gate, new Promise((resolve) => setTimeout(resolve, maxWaitMs))]);
              return d.updateMany(args);
            };
          },
        });
      },
    });
}

describe.each(testProviders())('TOTP and recovery codes on %s', (provider) => {
  let testDb: TestDb;
  let db: Db;

  beforeAll(async () => {
    testDb = await createTestDb({ provider });
    db = testDb.db;
  });

  afterAll(async () => {
    await testDb?.cleanup();
  });

  beforeEach(() => {
    clock.at = startOfStepPlus5s();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  async function newUser(): Promise<string> {
    const id = `usr_${randomUUID()}`;
    await db.user.create({ data: { id, email: `${id}@example.test`, name: 'Test User', role: 'admin' } });
    return id;
  }

  /** Enrols a fresh seed with the code of the current step, as the security page would. */
  async function enrol(userId: string): Promise<{ secret: string; step: number; enrolmentCode: string }> {
    const secret = generateTotpSecret();
    const enrolmentCode = totpCodeAt(secret, clock.at);
    const result = await db.$transaction((tx) => enableTotp(tx, userId, secret, enrolmentCode));
    expect(result).toEqual({ ok: true, step: totpStepAt(clock.at) });
    return { secret, step: totpStepAt(clock.at), enrolmentCode };
  }

  async function storedTotp(userId: string) {
    return db.user.findUniqueOrThrow({ where: { id: userId }, select: { totpSecretEnc: true, totpEnabledAt: true, totpLastStep: true } });
  }

  async function auditCount(): Promise<number> {
    return db.auditEvent.count();
  }

  describe('TOTP', () => {
    it(`T05 concurrent submissions of one valid code in separate transactions: exactly one succeeds, the rest are replay (${provider})`, async () => {
      const userId = await newUser();
      const { secret } = await enrol(userId);
      advance(STEP_MS);
      const code = totpCodeAt(secret, clock.at);
      const step = totpStepAt(clock.at);

      const racing = writeBarrier('user', 5);
      const results = await Promise.all(Array.from({ length: 5 }, () => db.$transaction((tx) => consumeTotp(racing(tx), userId, code))));

      expect(results.filter((r) => r.ok)).toEqual([{ ok: true, step }]);
      expect(results.filter((r) => !r.ok)).toEqual(Array.from({ length: 4 }, () => ({ ok: false, reason: 'replay' })));
      expect((await storedTotp(userId)).totpLastStep).toBe(step);
    });

    it(`T05 concurrent submissions without a surrounding transaction: exactly one succeeds (${provider})`, async () => {
      const userId = await newUser();
      const { secret } = await enrol(userId);
      advance(STEP_MS);
      const code = totpCodeAt(secret, clock.at);

      const results = await Promise.all(Array.from({ length: 5 }, () => consumeTotp(db, userId, code)));

      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.reason === 'replay')).toHaveLength(4);
    });

    it(`T05 the same code again 10 s later is replay, and the step does not move (${provider})`, async () => {
      const userId = await newUser();
      const { secret } = await enrol(userId);
      advance(STEP_MS);
      const code = totpCodeAt(secret, clock.at);
      const first = await consumeTotp(db, userId, code);
      expect(first.ok).toBe(true);

      advance(10_000);
      expect(await consumeTotp(db, userId, code)).toEqual({ ok: false, reason: 'replay' });
      expect((await storedTotp(userId)).totpLastStep).toBe(first.ok ? first.step : null);

      // The next step's code is accepted: replay tracking does not lock the user out.
      advance(STEP_MS);
      expect(await consumeTotp(db, userId, totpCodeAt(secret, clock.at))).toEqual({ ok: true, step: totpStepAt(clock.at) });
      expect(await auditCount()).toBe(0);
    });

    it(`T06 the enrolment code replayed as the first sign-in code is replay (${provider})`, async () => {
      const userId = await newUser();
      const { step, enrolmentCode, secret } = await enrol(userId);
      expect((await storedTotp(userId)).totpLastStep).toBe(step);

      expect(await consumeTotp(db, userId, enrolmentCode)).toEqual({ ok: false, reason: 'replay' });
      advance(10_000);
      expect(await consumeTotp(db, userId, enrolmentCode)).toEqual({ ok: false, reason: 'replay' });
      // An older code inside the skew window is also at or below the last step.
      expect(await consumeTotp(db, userId, totpCodeAt(secret, new Date(clock.at.getTime() - STEP_MS)))).toEqual({
        ok: false,
        reason: 'replay',
      });
      expect((await storedTotp(userId)).totpLastStep).toBe(step);
    });

    it(`T06 codes outside T-1..T+1 and malformed codes are invalid (${provider})`, async () => {
      const userId = await newUser();
      const { secret } = await enrol(userId);
      advance(5 * STEP_MS);
      const at = clock.at.getTime();
      for (const offset of [-2, 2]) {
        expect(await consumeTotp(db, userId, totpCodeAt(secret, new Date(at + offset * STEP_MS)))).toEqual({
          ok: false,
          reason: 'invalid',
        });
      }
      for (const code of ['12345', '1234567', 'abcdef', ' 123456', '']) {
        expect(await consumeTotp(db, userId, code)).toEqual({ ok: false, reason: 'invalid' });
      }
      expect(await consumeTotp(db, userId, totpCodeAt(secret, new Date(at + STEP_MS)))).toEqual({
        ok: true,
        step: totpStepAt(clock.at) + 1,
      });
    });

    it(`enableTotp refuses a wrong first code and a second enrolment; consumeTotp without enrolment is not_enrolled (${provider})`, async () => {
      const userId = await newUser();
      expect(await consumeTotp(db, userId, '123456')).toEqual({ ok: false, reason: 'not_enrolled' });
      expect(await consumeTotp(db, `usr_${randomUUID()}`, '123456')).toEqual({ ok: false, reason: 'not_enrolled' });

      const secret = generateTotpSecret();
      const wrong = totpCodeAt(secret, new Date(clock.at.getTime() + 5 * STEP_MS));
      expect(await db.$transaction((tx) => enableTotp(tx, userId, secret, wrong))).toEqual({ ok: false, reason: 'invalid' });
      expect(await storedTotp(userId)).toEqual({ totpSecretEnc: null, totpEnabledAt: null, totpLastStep: null });

      const { secret: enrolled } = await enrol(userId);
      const other = generateTotpSecret();
      expect(await db.$transaction((tx) => enableTotp(tx, userId, other, totpCodeAt(other, clock.at)))).toEqual({
        ok: false,
        reason: 'already_enrolled',
      });
      advance(STEP_MS);
      expect((await consumeTotp(db, userId, totpCodeAt(enrolled, clock.at))).ok).toBe(true);
    });

    it(`disableTotp clears the seed, the enrolment time and the last step (${provider})`, async () => {
      const userId = await newUser();
      const { secret } = await enrol(userId);
      await db.$transaction((tx) => disableTotp(tx, userId));
      expect(await storedTotp(userId)).toEqual({ totpSecretEnc: null, totpEnabledAt: null, totpLastStep: null });
      advance(STEP_MS);
      expect(await consumeTotp(db, userId, totpCodeAt(secret, clock.at))).toEqual({ ok: false, reason: 'not_enrolled' });
    });

    it(`T08 the row holds v1:keyId:iv:ct:tag, never the base32 seed (${provider})`, async () => {
      const userId = await newUser();
      const { secret } = await enrol(userId);
      const row = await storedTotp(userId);
      expect(row.totpSecretEnc).toMatch(/^v1:k0:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{22}$/);
      expect(row.totpSecretEnc).not.toContain(secret);
      expect(row.totpSecretEnc?.toUpperCase()).not.toContain(secret);
      expect(row.totpEnabledAt?.getTime()).toBe(clock.at.getTime());
    });

    it(`T08 one flipped byte of the stored ciphertext fails closed as decrypt_failed, logged without the seed (${provider})`, async () => {
      const userId = await newUser();
      const { secret } = await enrol(userId);
      const sealed = (await storedTotp(userId)).totpSecretEnc ?? '';
      const parts = sealed.split(':');
      const ciphertext = Buffer.from(parts[3] ?? '', 'base64url');
      ciphertext[0] = (ciphertext[0] ?? 0) ^ 0x01;
      parts[3] = ciphertext.toString('base64url');
      await db.user.update({ where: { id: userId }, data: { totpSecretEnc: parts.join(':') } });
      const warn = vi.spyOn(log, 'warn').mockImplementation(() => undefined);

      advance(STEP_MS);
      expect(await consumeTotp(db, userId, totpCodeAt(secret, clock.at))).toEqual({ ok: false, reason: 'decrypt_failed' });

      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({ event: 'totp_decrypt_failed', userId, failure: 'auth_failed' }),
        expect.any(String),
      );
      const logged = JSON.stringify(warn.mock.calls);
      expect(logged).not.toContain(secret);
      expect(logged).not.toContain(sealed);
      expect((await storedTotp(userId)).totpLastStep).toBe(totpStepAt(clock.at) - 1);
    });

    it(`T08 ciphertexts swapped between two users: both decrypt_failed (AAD = user id) (${provider})`, async () => {
      const alice = await newUser();
      const bob = await newUser();
      const a = await enrol(alice);
      const b = await enrol(bob);
      const sealedA = (await storedTotp(alice)).totpSecretEnc;
      const sealedB = (await storedTotp(bob)).totpSecretEnc;
      await db.user.update({ where: { id: alice }, data: { totpSecretEnc: sealedB } });
      await db.user.update({ where: { id: bob }, data: { totpSecretEnc: sealedA } });
      vi.spyOn(log, 'warn').mockImplementation(() => undefined);

      advance(STEP_MS);
      // Each user's own code, and the code of the seed now sitting in their row: all refused.
      for (const [userId, secrets] of [
        [alice, [a.secret, b.secret]],
        [bob, [b.secret, a.secret]],
      ] as const) {
        for (const secret of secrets) {
          expect(await consumeTotp(db, userId, totpCodeAt(secret, clock.at))).toEqual({ ok: false, reason: 'decrypt_failed' });
        }
      }
    });

    it(`T08 a box configured with a different key: decrypt_failed, no exception (${provider})`, async () => {
      const userId = await newUser();
      const { secret } = await enrol(userId);
      vi.spyOn(log, 'warn').mockImplementation(() => undefined);
      advance(STEP_MS);
      const code = totpCodeAt(secret, clock.at);

      const sameIdOtherKey = createSecretBox({ k0: randomBytes(32) });
      const otherId = createSecretBox({ k9: randomBytes(32) });
      await expect(consumeTotp(db, userId, code, { box: sameIdOtherKey })).resolves.toEqual({ ok: false, reason: 'decrypt_failed' });
      await expect(consumeTotp(db, userId, code, { box: otherId })).resolves.toEqual({ ok: false, reason: 'decrypt_failed' });
      // With the right key the same code still works: the failures consumed nothing.
      expect(await consumeTotp(db, userId, code)).toEqual({ ok: true, step: totpStepAt(clock.at) });
    });

    it(`T08 the app started with the wrong WARDEN_ENCRYPTION_KEYS: decrypt_failed, no crash (${provider})`, async () => {
      const userId = await newUser();
      const { secret } = await enrol(userId);
      advance(STEP_MS);
      const code = totpCodeAt(secret, clock.at);
      const saved = process.env.WARDEN_ENCRYPTION_KEYS;
      try {
        for (const keys of [`k0:${randomBytes(32).toString('base64url')}`, `k7:${randomBytes(32).toString('base64url')}`]) {
          process.env.WARDEN_ENCRYPTION_KEYS = keys;
          vi.resetModules();
          const restarted = await import('@/lib/auth/totp');
          const restartedLog = (await import('@/lib/log')).log;
          vi.spyOn(restartedLog, 'warn').mockImplementation(() => undefined);
          await expect(restarted.consumeTotp(db, userId, code)).resolves.toEqual({ ok: false, reason: 'decrypt_failed' });
        }
      } finally {
        if (saved === undefined) delete process.env.WARDEN_ENCRYPTION_KEYS;
        else process.env.WARDEN_ENCRYPTION_KEYS = saved;
        vi.resetModules();
      }
      expect(await consumeTotp(db, userId, code)).toEqual({ ok: true, step: totpStepAt(clock.at) });
    });
  });

  describe('recovery codes', () => {
    it(`issues 10 codes and stores only keyed hashes (${provider})`, async () => {
      const userId = await newUser();
      const codes = await db.$transaction((tx) => generateRecoveryCodes(tx, userId));
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);

      const rows = await db.recoveryCode.findMany({ where: { userId } });
      expect(rows).toHaveLength(10);
      const stored = JSON.stringify(rows);
      for (const code of codes) {
        expect(stored).not.toContain(code);
        expect(stored).not.toContain(code.replace(/-/g, ''));
      }
      for (const row of rows) expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
      expect((await db.user.findUniqueOrThrow({ where: { id: userId } })).recoveryCodesAt?.getTime()).toBe(clock.at.getTime());
      expect(await countRemainingRecoveryCodes(db, userId)).toBe(10);
    });

    it(`each code works once, in any typing; another user's code does not work (${provider})`, async () => {
      const userId = await newUser();
      const other = await newUser();
      const codes = await db.$transaction((tx) => generateRecoveryCodes(tx, userId));
      const othersCodes = await db.$transaction((tx) => generateRecoveryCodes(tx, other));
      const [first, second] = codes as [string, string];

      expect(await consumeRecoveryCode(db, userId, othersCodes[0] ?? '')).toEqual({ ok: false, reason: 'invalid' });
      expect(await consumeRecoveryCode(db, userId, ` ${first.toUpperCase().replace(/-/g, ' ')} `)).toEqual({ ok: true, remaining: 9 });
      expect(await consumeRecoveryCode(db, userId, first)).toEqual({ ok: false, reason: 'invalid' });
      expect(await consumeRecoveryCode(db, userId, second)).toEqual({ ok: true, remaining: 8 });
      expect(await consumeRecoveryCode(db, userId, second)).toEqual({ ok: false, reason: 'invalid' });
      expect(await consumeRecoveryCode(db, userId, 'not a code')).toEqual({ ok: false, reason: 'invalid' });

      expect((await db.user.findUniqueOrThrow({ where: { id: userId } })).recoveryCodeUsedAt?.getTime()).toBe(clock.at.getTime());
      expect((await db.user.findUniqueOrThrow({ where: { id: other } })).recoveryCodeUsedAt).toBeNull();
      expect(await countRemainingRecoveryCodes(db, userId)).toBe(8);
      expect(await countRemainingRecoveryCodes(db, other)).toBe(10);
      expect(await auditCount()).toBe(0);
    });

    it(`regenerating invalidates the whole previous set (${provider})`, async () => {
      const userId = await newUser();
      const old = await db.$transaction((tx) => generateRecoveryCodes(tx, userId));
      expect((await consumeRecoveryCode(db, userId, old[0] ?? '')).ok).toBe(true);
      const fresh = await db.$transaction((tx) => generateRecoveryCodes(tx, userId));

      for (const code of old) expect(await consumeRecoveryCode(db, userId, code)).toEqual({ ok: false, reason: 'invalid' });
      expect(await db.recoveryCode.count({ where: { userId } })).toBe(10);
      expect(await consumeRecoveryCode(db, userId, fresh[0] ?? '')).toEqual({ ok: true, remaining: 9 });
    });

    it(`concurrent consumes of one recovery code in separate transactions: exactly one succeeds (${provider})`, async () => {
      const userId = await newUser();
      const codes = await db.$transaction((tx) => generateRecoveryCodes(tx, userId));
      const code = codes[3] ?? '';

      const racing = writeBarrier('recoveryCode', 5);
      const results = await Promise.all(
        Array.from({ length: 5 }, () => db.$transaction((tx) => consumeRecoveryCode(racing(tx), userId, code))),
      );

      expect(results.filter((r) => r.ok)).toEqual([{ ok: true, remaining: 9 }]);
      expect(results.filter((r) => !r.ok)).toHaveLength(4);
      expect(await countRemainingRecoveryCodes(db, userId)).toBe(9);
    });
  });
});
