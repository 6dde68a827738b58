import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditSourceContext } from '@/lib/audit/record';
import { verifyChain } from '@/lib/audit/verify';
import {
  beginStepUp,
  consumeStepUpProof,
  issueStepUpProof,
  spendStepUpEvidence,
  stepUpBinding,
  type StepUpEvidence,
} from '@/lib/auth/step-up';
import { enableTotp, generateTotpSecret, totpCodeAt } from '@/lib/auth/totp';
import { hashToken } from '@/lib/auth/tokens';
import type { Viewer } from '@/lib/auth/viewer';
import {
  finishPasskeyAuthentication,
  finishPasskeyRegistration,
  startPasskeyAuthentication,
  startPasskeyRegistration,
} from '@/lib/auth/webauthn';
import type { Db } from '@/lib/db/client';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';
import { SoftAuthenticator } from '../helpers/soft-authenticator';
import { createTestDb, testProviders, type TestDb } from '../helpers/test-db';

// The deployment under test: configuration is the only source of origin and RP ID (T09).
// Hoisted: lib/env validates and caches process.env on first use, and an import above
// (lib/log, through lib/auth/totp) already reads it while this module loads.
const { ORIGIN, RP_ID } = vi.hoisted(() => {
  const deployment = { ORIGIN: 'https://admin.example.com', RP_ID: 'admin.example.com' };
  vi.stubEnv('APP_URL', deployment.ORIGIN);
  vi.stubEnv('WEBAUTHN_RP_ID', undefined);
  return deployment;
});

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const STEP_MS = AUTHENTICATION_POLICY.totp.periodSeconds * SECOND;
/** 5 s into a TOTP step, far from both edges. Each test starts one hour later than the one before, so audit time only moves forward. */
const T0 = new Date('2026-03-01T08:00:05.000Z');

// Two high-risk step-up operations: a passkey or, without one, an authenticator code.
const OP_A = 'user.disable';
const OP_B = 'user.suspend';
// A critical one: it runs only on a passkey signature over its intent (issue 13).
const OP_CRITICAL = 'user.delete';
const INPUT_A = { id: 'u1' };
const INPUT_B = { id: 'u2' };
const CTX: AuditSourceContext = { correlationId: 'corr-step-up-test', ip: '203.0.113.7', userAgent: 'vitest step-up' };

describe.each(testProviders())('T23 step-up bound to the action on %s', (provider) => {
  let t: TestDb;
  let db: Db;
  let seq = 0;
  let testStart = T0.getTime();
  /** issueStepUpProof calls made in this file (each must write exactly one auth.step_up event). */
  let issued = 0;

  beforeAll(async () => {
    t = await createTestDb({ provider });
    db = t.db;
  });
  afterAll(async () => {
    await t?.cleanup();
  });
  beforeEach(() => {
    // Only Date is faked: Prisma, pg and better-sqlite3 keep their real timers.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(testStart);
    testStart += HOUR;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function advance(ms: number): void {
    vi.setSystemTime(Date.now() + ms);
  }

  async function newUser(role: 'admin' | 'superadmin' = 'admin') {
    seq += 1;
    return db.user.create({
      data: { email: `step-up${seq}@example.test`, name: `Step-up ${seq}`, role },
      select: { id: true, email: true, name: true, role: true },
    });
  }

  /** A real Session row of `userId`. */
  async function newSession(userId: string): Promise<string> {
    const at = new Date();
    const row = await db.session.create({
      data: {
        tokenHash: hashToken(randomBytes(32).toString('base64url')),
        userId,
        sessionVersion: 0,
        authTime: at,
        lastSeenAt: at,
        expiresAt: new Date(at.getTime() + 12 * HOUR),
      },
      select: { id: true },
    });
    return row.id;
  }

  function viewerOf(user: { id: string; email: string; name: string; role: string }, sessionId: string, amr: string): Viewer {
    return {
      userId: user.id,
      email: user.email,
      name: user.name,
      role: user.role as Viewer['role'],
      sessionId,
      authTime: new Date(),
      amr,
      mfaEnrolled: true,
    };
  }

  /** A user with one passkey on a software authenticator, and two sessions of theirs. */
  async function passkeyUser() {
    const user = await newUser();
    const sessionId = await newSession(user.id);
    const otherSessionId = await newSession(user.id);
    const auth = new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID });
    const options = await startPasskeyRegistration(db, user, { sessionId });
    const registered = await finishPasskeyRegistration(db, user, auth.register(options), { name: 'Laptop', sessionId });
    if (!registered.ok) throw new Error(`registration failed: ${registered.reason}`);
    return { user, auth, viewer: viewerOf(user, sessionId, 'hwk'), otherSession: viewerOf(user, otherSessionId, 'hwk') };
  }

  /** A user without passkeys who enrolled TOTP now (the enrolment step is used up), and two sessions of theirs. */
  async function totpUser() {
    const user = await newUser();
    const secret = generateTotpSecret();
    const enabled = await db.$transaction((tx) => enableTotp(tx, user.id, secret, totpCodeAt(secret, new Date())));
    if (!enabled.ok) throw new Error(`TOTP enrolment failed: ${enabled.reason}`);
    const sessionId = await newSession(user.id);
    const otherSessionId = await newSession(user.id);
    return {
      user,
      /** The code the user's app shows now. */
      code: () => totpCodeAt(secret, new Date()),
      viewer: viewerOf(user, sessionId, 'pwd+otp'),
      otherSession: viewerOf(user, otherSessionId, 'pwd+otp'),
    };
  }

  async function passkeyStart(viewer: Viewer, operation: string, input: unknown) {
    const start = await beginStepUp(db, viewer, operation, input);
    if (start.method !== 'passkey') throw new Error(`expected a passkey step-up, got ${start.method}`);
    return start.options;
  }

  async function totpStart(viewer: Viewer, operation: string, input: unknown): Promise<string> {
    const start = await beginStepUp(db, viewer, operation, input);
    if (start.method !== 'totp') throw new Error(`expected a TOTP step-up, got ${start.method}`);
    return start.challengeId;
  }

  /**
   * issueStepUpProof, checking that it wrote exactly one audit event: `auth.step_up`
   * with the outcome, reason, actor and request context of this call and
   * details.forOperation = the operation (and, on success, the binding; never the proof).
   */
  async function issue(viewer: Viewer, operation: string, input: unknown, evidence: StepUpEvidence) {
    const head = await db.auditEvent.count();
    const result = await issueStepUpProof(db, viewer, operation, input, evidence, CTX);
    issued += 1;
    const written = await db.auditEvent.findMany({ where: { seq: { gt: head } }, orderBy: { seq: 'asc' } });
    expect(written).toHaveLength(1);
    const event = written[0]!;
    expect(event).toMatchObject({
      operation: 'auth.step_up',
      outcome: result.ok ? 'success' : 'failure',
      reasonCode: result.ok ? null : result.reason,
      actorId: viewer.userId,
      actorRole: viewer.role,
      actorSessionId: viewer.sessionId,
      correlationId: CTX.correlationId,
      ip: CTX.ip,
      userAgent: CTX.userAgent,
      decision: 'authn.step_up',
    });
    const details = JSON.parse(event.details) as Record<string, unknown>;
    const method = evidence.method === 'passkey' ? 'hwk' : 'otp';
    expect(details).toEqual(
      result.ok
        ? { forOperation: operation, method, binding: stepUpBinding(operation, input, viewer.sessionId) }
        : { forOperation: operation, method },
    );
    if (result.ok) {
      expect(result.method).toBe(method);
      expect(event.details).not.toContain(result.proof);
    }
    return result;
  }

  async function issueOk(viewer: Viewer, operation: string, input: unknown, evidence: StepUpEvidence): Promise<string> {
    const result = await issue(viewer, operation, input, evidence);
    if (!result.ok) throw new Error(`step-up refused: ${result.reason}`);
    return result.proof;
  }

  function failures(userId: string) {
    return db.user.findUniqueOrThrow({ where: { id: userId }, select: { failedLoginCount: true, lastFailedLoginAt: true } });
  }

  function proofsOf(userId: string) {
    return db.stepUpProof.findMany({ where: { userId } });
  }

  function challengeRow(challenge: string) {
    return db.authChallenge.findUnique({ where: { challenge } });
  }

  describe('passkey', () => {
    it('T23 the challenge is a step_up challenge bound to user, session, operation and input', async () => {
      const { user, auth, viewer } = await passkeyUser();
      const options = await passkeyStart(viewer, OP_A, INPUT_A);
      expect(options.userVerification).toBe('required');
      expect(options.rpId).toBe(RP_ID);
      expect(options.allowCredentials?.map((c) => c.id)).toEqual([auth.credentialId]);
      expect(await challengeRow(options.challenge)).toMatchObject({
        purpose: 'step_up',
        userId: user.id,
        sessionId: viewer.sessionId,
        operation: OP_A,
        binding: stepUpBinding(OP_A, INPUT_A, viewer.sessionId),
      });
      // The binding separates every part of the triple.
      const bindings = new Set([
        stepUpBinding(OP_A, INPUT_A, viewer.sessionId),
        stepUpBinding(OP_B, INPUT_A, viewer.sessionId),
        stepUpBinding(OP_A, INPUT_B, viewer.sessionId),
        stepUpBinding(OP_A, INPUT_A, 'another-session'),
      ]);
      expect(bindings.size).toBe(4);
      // Canonical input: key order does not matter.
      expect(stepUpBinding(OP_A, { a: 1, b: 2 }, 's')).toBe(stepUpBinding(OP_A, { b: 2, a: 1 }, 's'));
    });

    it('T23 a proof for (A, u1) is refused for operation B, for input u2 and from another session; the right call succeeds exactly once', async () => {
      const { user, auth, viewer, otherSession } = await passkeyUser();
      const options = await passkeyStart(viewer, OP_A, INPUT_A);
      const proof = await issueOk(viewer, OP_A, INPUT_A, { method: 'passkey', response: auth.authenticate(options) });
      expect(await challengeRow(options.challenge)).toBeNull();

      const [row] = await proofsOf(user.id);
      expect(row).toMatchObject({
        tokenHash: hashToken(proof),
        sessionId: viewer.sessionId,
        operation: OP_A,
        binding: stepUpBinding(OP_A, INPUT_A, viewer.sessionId),
        method: 'hwk',
        usedAt: null,
      });
      expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(AUTHENTICATION_POLICY.stepUpProofTtlMs);

      expect(await consumeStepUpProof(db, viewer, OP_B, INPUT_A, proof)).toBe(false);
      expect(await consumeStepUpProof(db, viewer, OP_A, INPUT_B, proof)).toBe(false);
      expect(await consumeStepUpProof(db, otherSession, OP_A, INPUT_A, proof)).toBe(false);
      expect(await consumeStepUpProof(db, viewer, OP_A, INPUT_A, `${proof.slice(0, -1)}${proof.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
      expect(await consumeStepUpProof(db, viewer, OP_A, INPUT_A, hashToken(proof))).toBe(false);
      // The refusals did not spend it.
      expect((await proofsOf(user.id))[0]!.usedAt).toBeNull();

      expect(await consumeStepUpProof(db, viewer, OP_A, INPUT_A, proof)).toBe(true);
      expect((await proofsOf(user.id))[0]!.usedAt).toEqual(new Date());
      // Replay: same session, operation and input.
      expect(await consumeStepUpProof(db, viewer, OP_A, INPUT_A, proof)).toBe(false);
      expect(await consumeStepUpProof(db, otherSession, OP_A, INPUT_A, proof)).toBe(false);
    });

    it('T23 the same proof spent twice at once succeeds once', async () => {
      const { auth, viewer } = await passkeyUser();
      const options = await passkeyStart(viewer, OP_A, INPUT_A);
      const proof = await issueOk(viewer, OP_A, INPUT_A, { method: 'passkey', response: auth.authenticate(options) });
      const results = await Promise.all(Array.from({ length: 5 }, () => consumeStepUpProof(db, viewer, OP_A, INPUT_A, proof)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('T23 a proof 6 minutes old is refused (TTL 5 min); one just under 5 minutes old is accepted', async () => {
      const { auth, viewer } = await passkeyUser();

      const stale = await issueOk(viewer, OP_A, INPUT_A, {
        method: 'passkey',
        response: auth.authenticate(await passkeyStart(viewer, OP_A, INPUT_A)),
      });
      advance(6 * MINUTE);
      expect(await consumeStepUpProof(db, viewer, OP_A, INPUT_A, stale)).toBe(false);

      const fresh = await issueOk(viewer, OP_A, INPUT_A, {
        method: 'passkey',
        response: auth.authenticate(await passkeyStart(viewer, OP_A, INPUT_A)),
      });
      advance(AUTHENTICATION_POLICY.stepUpProofTtlMs);
      expect(await consumeStepUpProof(db, viewer, OP_A, INPUT_A, fresh)).toBe(false);
      advance(-1);
      expect(await consumeStepUpProof(db, viewer, OP_A, INPUT_A, fresh)).toBe(true);
    });

    it.each([
      ['input u2', OP_A, INPUT_B, false],
      ['operation B', OP_B, INPUT_A, false],
      ['another session', OP_A, INPUT_A, true],
    ] as const)(
      'T23 an assertion made for (A, u1) cannot obtain a proof for %s, and its challenge is consumed',
      async (_label, operation, input, fromOtherSession) => {
        const { user, auth, viewer, otherSession } = await passkeyUser();
        const options = await passkeyStart(viewer, OP_A, INPUT_A);
        const response = auth.authenticate(options);
        const caller = fromOtherSession ? otherSession : viewer;

        expect(await issue(caller, operation, input, { method: 'passkey', response })).toEqual({ ok: false, reason: 'challenge_invalid' });
        expect(await challengeRow(options.challenge)).toBeNull();
        // Burnt: the assertion is now useless for the binding it was made for, too.
        expect(await issue(viewer, OP_A, INPUT_A, { method: 'passkey', response })).toEqual({ ok: false, reason: 'challenge_invalid' });
        expect(await proofsOf(user.id)).toEqual([]);
        // Counter untouched: the signature was never accepted.
        expect((await db.webAuthnCredential.findUniqueOrThrow({ where: { credentialId: auth.credentialId } })).counter).toBe(0);
      },
    );

    it('T23 a sign-in challenge (purpose webauthn.authenticate) cannot be used for step-up', async () => {
      const { user, auth, viewer } = await passkeyUser();
      for (const userId of [user.id, undefined]) {
        const options = await startPasskeyAuthentication(db, { purpose: 'webauthn.authenticate', userId });
        const response = auth.authenticate(options);
        expect(await issue(viewer, OP_A, INPUT_A, { method: 'passkey', response })).toEqual({ ok: false, reason: 'challenge_invalid' });
        // Burnt for its own purpose as well.
        expect(await challengeRow(options.challenge)).toBeNull();
        expect(await finishPasskeyAuthentication(db, response, { purpose: 'webauthn.authenticate', userId })).toEqual({
          ok: false,
          reason: 'challenge_invalid',
        });
      }
      expect(await proofsOf(user.id)).toEqual([]);
    });

    it('T23 an assertion without user verification (UV=0) is refused and counts a failure', async () => {
      const { user, auth, viewer } = await passkeyUser();
      const options = await passkeyStart(viewer, OP_A, INPUT_A);
      const result = await issue(viewer, OP_A, INPUT_A, {
        method: 'passkey',
        response: auth.authenticate(options, { userVerified: false }),
      });
      expect(result).toEqual({ ok: false, reason: 'user_not_verified' });
      expect(await challengeRow(options.challenge)).toBeNull();
      expect(await proofsOf(user.id)).toEqual([]);
      expect(await failures(user.id)).toEqual({ failedLoginCount: 1, lastFailedLoginAt: new Date() });
    });

    it("T23 another user's passkey cannot step up this viewer", async () => {
      const victim = await passkeyUser();
      const attacker = await passkeyUser();
      const options = await passkeyStart(victim.viewer, OP_A, INPUT_A);
      const result = await issue(victim.viewer, OP_A, INPUT_A, { method: 'passkey', response: attacker.auth.authenticate(options) });
      expect(result).toEqual({ ok: false, reason: 'credential_not_found' });
      expect(await proofsOf(victim.user.id)).toEqual([]);
    });
  });

  describe('TOTP fallback (no passkey)', () => {
    it('T23 the pending record is a step_up_otp record bound like a passkey challenge; a user with neither factor gets none', async () => {
      const { user, viewer } = await totpUser();
      const challengeId = await totpStart(viewer, OP_A, INPUT_A);
      expect(Buffer.from(challengeId, 'base64url')).toHaveLength(32);
      const row = await challengeRow(challengeId);
      expect(row).toMatchObject({
        purpose: 'step_up_otp',
        userId: user.id,
        sessionId: viewer.sessionId,
        operation: OP_A,
        binding: stepUpBinding(OP_A, INPUT_A, viewer.sessionId),
      });
      expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(AUTHENTICATION_POLICY.challengeTtlMs);

      const bare = await newUser();
      const bareViewer = viewerOf(bare, await newSession(bare.id), 'pwd');
      expect(await beginStepUp(db, bareViewer, OP_A, INPUT_A)).toEqual({ method: 'unavailable', reason: 'no_method' });
    });

    it.each([
      ['input u2', OP_A, INPUT_B, false],
      ['operation B', OP_B, INPUT_A, false],
      ['another session', OP_A, INPUT_A, true],
    ] as const)(
      'T23 a right code on a pending record for (A, u1) is refused for %s and counts no failure',
      async (_label, operation, input, fromOtherSession) => {
        const { user, code, viewer, otherSession } = await totpUser();
        advance(STEP_MS);
        const challengeId = await totpStart(viewer, OP_A, INPUT_A);
        const caller = fromOtherSession ? otherSession : viewer;

        expect(await issue(caller, operation, input, { method: 'totp', challengeId, code: code() })).toEqual({
          ok: false,
          reason: 'challenge_invalid',
        });
        expect(await proofsOf(user.id)).toEqual([]);
        expect((await failures(user.id)).failedLoginCount).toBe(0);

        // The code was not spent by the refusal: a fresh record for the real binding accepts it.
        const proof = await issueOk(viewer, OP_A, INPUT_A, {
          method: 'totp',
          challengeId: await totpStart(viewer, OP_A, INPUT_A),
          code: code(),
        });
        expect((await proofsOf(user.id))[0]).toMatchObject({ method: 'otp', binding: stepUpBinding(OP_A, INPUT_A, viewer.sessionId) });
        expect(await consumeStepUpProof(db, caller, operation, input, proof)).toBe(false);
        expect(await consumeStepUpProof(db, viewer, OP_A, INPUT_A, proof)).toBe(true);
        expect(await consumeStepUpProof(db, viewer, OP_A, INPUT_A, proof)).toBe(false);
      },
    );

    it('T23 the challengeId is single-use: after a success, and after a wrong code', async () => {
      const { user, code, viewer } = await totpUser();
      advance(STEP_MS);
      const challengeId = await totpStart(viewer, OP_A, INPUT_A);
      await issueOk(viewer, OP_A, INPUT_A, { method: 'totp', challengeId, code: code() });
      expect(await challengeRow(challengeId)).toBeNull();
      advance(STEP_MS);
      expect(await issue(viewer, OP_A, INPUT_A, { method: 'totp', challengeId, code: code() })).toEqual({
        ok: false,
        reason: 'challenge_invalid',
      });

      // A wrong code burns the record too: one guess per record.
      const guessed = await totpStart(viewer, OP_A, INPUT_A);
      const wrong = code() === '000000' ? '111111' : '000000';
      expect(await issue(viewer, OP_A, INPUT_A, { method: 'totp', challengeId: guessed, code: wrong })).toEqual({
        ok: false,
        reason: 'invalid',
      });
      expect(await challengeRow(guessed)).toBeNull();
      expect(await issue(viewer, OP_A, INPUT_A, { method: 'totp', challengeId: guessed, code: code() })).toEqual({
        ok: false,
        reason: 'challenge_invalid',
      });
      expect(await proofsOf(user.id)).toHaveLength(1);
    });

    it('T23 a record presented with the wrong binding is burnt and cannot be used for its own binding afterwards', async () => {
      const { user, code, viewer } = await totpUser();
      advance(STEP_MS);
      const challengeId = await totpStart(viewer, OP_A, INPUT_A);
      expect(await issue(viewer, OP_B, INPUT_A, { method: 'totp', challengeId, code: code() })).toEqual({
        ok: false,
        reason: 'challenge_invalid',
      });
      expect(await challengeRow(challengeId)).toBeNull();
      expect(await issue(viewer, OP_A, INPUT_A, { method: 'totp', challengeId, code: code() })).toEqual({
        ok: false,
        reason: 'challenge_invalid',
      });
      expect(await proofsOf(user.id)).toHaveLength(0);
    });

    it('T23 T07 a locked account gets no proof, even with the right code', async () => {
      const { user, code, viewer } = await totpUser();
      advance(STEP_MS);
      await db.user.update({
        where: { id: user.id },
        data: { failedLoginCount: 50, lockedAt: new Date(), lockedUntil: new Date(Date.now() + HOUR) },
      });
      const challengeId = await totpStart(viewer, OP_A, INPUT_A);
      const result = await issueStepUpProof(db, viewer, OP_A, INPUT_A, { method: 'totp', challengeId, code: code() }, CTX);
      issued += 1;
      expect(result).toEqual({ ok: false, reason: 'locked' });
      expect(await proofsOf(user.id)).toHaveLength(0);
      const last = await db.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' } });
      expect(last).toMatchObject({ operation: 'auth.step_up', outcome: 'denied', reasonCode: 'locked', actorId: user.id });
    });

    it('T23 an expired pending record is refused', async () => {
      const { code, viewer } = await totpUser();
      advance(STEP_MS);
      const challengeId = await totpStart(viewer, OP_A, INPUT_A);
      advance(AUTHENTICATION_POLICY.challengeTtlMs);
      expect(await issue(viewer, OP_A, INPUT_A, { method: 'totp', challengeId, code: code() })).toEqual({
        ok: false,
        reason: 'challenge_invalid',
      });
    });

    it("T23 a passkey challenge id or another user's pending record is not a TOTP pending record", async () => {
      const { auth, viewer: passkeyViewer } = await passkeyUser();
      const options = await passkeyStart(passkeyViewer, OP_A, INPUT_A);
      const owner = await totpUser();
      const intruder = await totpUser();
      advance(STEP_MS);
      const ownersRecord = await totpStart(owner.viewer, OP_A, INPUT_A);

      expect(await issue(intruder.viewer, OP_A, INPUT_A, { method: 'totp', challengeId: ownersRecord, code: intruder.code() })).toEqual({
        ok: false,
        reason: 'challenge_invalid',
      });
      expect(await issue(passkeyViewer, OP_A, INPUT_A, { method: 'totp', challengeId: options.challenge, code: '123456' })).toEqual({
        ok: false,
        reason: 'challenge_invalid',
      });
      // The passkey challenge is still good for its own ceremony.
      await issueOk(passkeyViewer, OP_A, INPUT_A, { method: 'passkey', response: auth.authenticate(options) });
    });

    it("T23 a wrong code is refused and counts a failure on the user's failedLoginCount", async () => {
      const { user, code, viewer } = await totpUser();
      advance(STEP_MS);
      const right = code();
      const wrongCodes = [right === '000000' ? '000001' : '000000', 'abcdef', `${right}0`];
      for (const [i, wrong] of wrongCodes.entries()) {
        const challengeId = await totpStart(viewer, OP_A, INPUT_A);
        expect(await issue(viewer, OP_A, INPUT_A, { method: 'totp', challengeId, code: wrong })).toEqual({ ok: false, reason: 'invalid' });
        expect(await failures(user.id)).toEqual({ failedLoginCount: i + 1, lastFailedLoginAt: new Date() });
      }
      // A code already used (replay) is a failure as well.
      await issueOk(viewer, OP_A, INPUT_A, { method: 'totp', challengeId: await totpStart(viewer, OP_A, INPUT_A), code: right });
      expect(
        await issue(viewer, OP_A, INPUT_A, { method: 'totp', challengeId: await totpStart(viewer, OP_A, INPUT_A), code: right }),
      ).toEqual({
        ok: false,
        reason: 'replay',
      });
      expect((await failures(user.id)).failedLoginCount).toBe(wrongCodes.length + 1);
      expect(await proofsOf(user.id)).toHaveLength(1);
    });
  });

  describe('critical operations are passkey-signed or not done (issue 13)', () => {
    it('T23 a user with only an authenticator app gets no challenge for a critical operation, and a code is refused without counting a failure', async () => {
      const { user, viewer, code } = await totpUser();
      expect(await beginStepUp(db, viewer, OP_CRITICAL, INPUT_A)).toEqual({ method: 'unavailable', reason: 'passkey_required' });
      expect(await db.authChallenge.count({ where: { userId: user.id } })).toBe(0);
      // A pending record obtained for a high-risk operation cannot be turned into a proof for a critical one...
      const challengeId = await totpStart(viewer, OP_A, INPUT_A);
      expect(await issue(viewer, OP_CRITICAL, INPUT_A, { method: 'totp', challengeId, code: code() })).toEqual({
        ok: false,
        reason: 'passkey_required',
      });
      // ...it is not a guess, so the lockout counter does not move, and no proof exists.
      expect((await failures(user.id)).failedLoginCount).toBe(0);
      expect(await proofsOf(user.id)).toHaveLength(0);
      // The same user's high-risk step-up by code still works (with the next code: enrolment used this one).
      advance(STEP_MS);
      await issueOk(viewer, OP_A, INPUT_A, { method: 'totp', challengeId, code: code() });
    });

    it('T23 a passkey step-up for a critical operation stores the signed intent and spends once', async () => {
      const { user, auth, viewer } = await passkeyUser();
      const options = await passkeyStart(viewer, OP_CRITICAL, INPUT_A);
      const proof = await issueOk(viewer, OP_CRITICAL, INPUT_A, { method: 'passkey', response: auth.authenticate(options) });
      const row = await db.stepUpProof.findFirstOrThrow({ where: { userId: user.id } });
      expect(row.intent).toContain(`"operation":"${OP_CRITICAL}"`);
      expect(row.assertion).toBeTruthy();
      expect(await consumeStepUpProof(db, viewer, OP_CRITICAL, INPUT_A, proof)).toBe(true);
      expect(await consumeStepUpProof(db, viewer, OP_CRITICAL, INPUT_A, proof)).toBe(false);
    });

    it('T23 a proof spent at its last moment is recorded inside its intent’s expiry, even when the event waits for the chain lock', async () => {
      const { auth, viewer } = await passkeyUser();
      const options = await passkeyStart(viewer, OP_CRITICAL, INPUT_A);
      // The challenge answered at its last second, the proof spent at its last second...
      advance(AUTHENTICATION_POLICY.challengeTtlMs - SECOND);
      const proof = await issueOk(viewer, OP_CRITICAL, INPUT_A, { method: 'passkey', response: auth.authenticate(options) });
      advance(AUTHENTICATION_POLICY.stepUpProofTtlMs - SECOND);
      const spent = await spendStepUpEvidence(db, viewer, OP_CRITICAL, INPUT_A, proof);
      expect(spent?.intent).toBeTruthy();
      // ...and the action's event written a few seconds later, once it holds the audit-chain lock:
      // its ts is still inside what was signed, so neither the event page nor the verifier calls it a mismatch.
      advance(10 * SECOND);
      expect(Date.parse(spent!.intent!.expiresAt)).toBeGreaterThan(Date.now());
    });

    it('T23 a proof without a signature (a code proof from before the rule, or a row written behind the app) authorizes no critical operation', async () => {
      const { user, viewer } = await totpUser();
      /** An unused, unexpired proof row for `operation` with no signed intent, as the app never writes one for a critical operation. */
      const unsignedProof = async (operation: string, method: 'otp' | 'hwk') => {
        const token = randomBytes(32).toString('base64url');
        await db.stepUpProof.create({
          data: {
            tokenHash: hashToken(token),
            userId: user.id,
            sessionId: viewer.sessionId,
            operation,
            binding: stepUpBinding(operation, INPUT_A, viewer.sessionId),
            method,
            createdAt: new Date(),
            expiresAt: new Date(Date.now() + AUTHENTICATION_POLICY.stepUpProofTtlMs),
          },
        });
        return token;
      };
      for (const method of ['otp', 'hwk'] as const) {
        expect(await consumeStepUpProof(db, viewer, OP_CRITICAL, INPUT_A, await unsignedProof(OP_CRITICAL, method))).toBe(false);
      }
      // The same unsigned proof is enough for a high-risk operation.
      expect(await consumeStepUpProof(db, viewer, OP_A, INPUT_A, await unsignedProof(OP_A, 'otp'))).toBe(true);
    });
  });

  describe('audit', () => {
    it('T23 every issueStepUpProof above wrote exactly one auth.step_up event, and the chain verifies', async () => {
      expect(issued).toBeGreaterThan(20);
      const events = await db.auditEvent.findMany({ where: { operation: 'auth.step_up' }, select: { details: true } });
      expect(events).toHaveLength(issued);
      for (const event of events) {
        expect(JSON.parse(event.details)).toHaveProperty('forOperation', expect.stringMatching(/^user\.(disable|suspend|delete)$/));
      }
      const chain = await verifyChain(db);
      expect(chain).toMatchObject({ ok: true, count: await db.auditEvent.count() });
    });
  });
});
