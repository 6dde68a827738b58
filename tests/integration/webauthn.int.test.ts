import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  finishPasskeyAuthentication,
  finishPasskeyRegistration,
  listPasskeys,
  removePasskey,
  renamePasskey,
  startPasskeyAuthentication,
  startPasskeyRegistration,
  type PasskeyAuthenticationPurpose,
  type PasskeyUser,
} from '@/lib/auth/webauthn';
import type { Db } from '@/lib/db/client';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';
import { rpIdHash, SoftAuthenticator, type CeremonyOverrides, type SoftAuthenticatorOptions } from '../helpers/soft-authenticator';
import { createTestDb, testProviders, type TestDb } from '../helpers/test-db';

// The deployment under test: configuration is the only source of origin and RP ID (T09).
const ORIGIN = 'https://admin.example.com';
const RP_ID = 'admin.example.com';
vi.stubEnv('APP_URL', ORIGIN);
vi.stubEnv('WEBAUTHN_RP_ID', undefined);

const TTL = AUTHENTICATION_POLICY.challengeTtlMs;
const SESSION = 'ses_current';

describe.each(testProviders())('passkeys (WebAuthn) on %s', (provider) => {
  let t: TestDb;
  let db: Db;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestDb({ provider });
    db = t.db;
  });
  afterAll(async () => {
    await t?.cleanup();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function newUser(role = 'admin'): Promise<PasskeyUser> {
    seq += 1;
    return db.user.create({
      data: { email: `user${seq}@example.test`, name: `User ${seq}`, role },
      select: { id: true, email: true, name: true, role: true },
    });
  }

  function device(opts: Partial<SoftAuthenticatorOptions> = {}): SoftAuthenticator {
    return new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID, ...opts });
  }

  /** A user with one registered passkey on `auth`. */
  async function enrolled(auth: SoftAuthenticator, role = 'admin') {
    const user = await newUser(role);
    const options = await startPasskeyRegistration(db, user, { sessionId: SESSION });
    const result = await finishPasskeyRegistration(db, user, auth.register(options), { name: 'Laptop', sessionId: SESSION });
    if (!result.ok) throw new Error(`registration failed: ${result.reason}`);
    return { user, passkey: result.credential };
  }

  /** Starts a sign-in (userId given, or usernameless) and answers it with `auth`. */
  async function assertion(auth: SoftAuthenticator, userId: string | undefined, overrides: CeremonyOverrides = {}) {
    const options = await startPasskeyAuthentication(db, { purpose: 'webauthn.authenticate', userId });
    return { options, response: auth.authenticate(options, overrides) };
  }

  async function signIn(auth: SoftAuthenticator, userId: string | undefined, overrides: CeremonyOverrides = {}) {
    const { response } = await assertion(auth, userId, overrides);
    return finishPasskeyAuthentication(db, response, { purpose: 'webauthn.authenticate', userId });
  }

  function challengeOf(options: { challenge: string }) {
    return db.authChallenge.findUnique({ where: { challenge: options.challenge } });
  }

  async function storedCredential(credentialId: string) {
    return db.webAuthnCredential.findUniqueOrThrow({ where: { credentialId } });
  }

  describe('happy paths', () => {
    it.each(['ES256', 'EdDSA'] as const)(
      '%s: registers with the required options, then signs in (second factor and usernameless)',
      async (algorithm) => {
        const auth = device({ algorithm });
        const user = await newUser();
        const options = await startPasskeyRegistration(db, user, { sessionId: SESSION });
        expect(options.rp).toEqual({ id: RP_ID, name: 'Warden' });
        expect(options.authenticatorSelection).toMatchObject({
          residentKey: 'required',
          requireResidentKey: true,
          userVerification: 'required',
        });
        expect(options.attestation).toBe('none');
        expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-7, -8]);
        expect(options.excludeCredentials).toEqual([]);
        expect(Buffer.from(options.challenge, 'base64url')).toHaveLength(32);
        expect(options.user.id).toBe(Buffer.from(user.id).toString('base64url'));
        const row = await challengeOf(options);
        expect(row).toMatchObject({ purpose: 'webauthn.register', userId: user.id, sessionId: SESSION });
        expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(TTL);

        const registered = await finishPasskeyRegistration(db, user, auth.register(options), { name: ' Laptop ', sessionId: SESSION });
        expect(registered).toMatchObject({
          ok: true,
          credential: { name: 'Laptop', deviceType: 'device-bound', flagged: false, lastUsedAt: null },
        });
        expect(await challengeOf(options)).toBeNull();
        const stored = await storedCredential(auth.credentialId);
        expect(stored).toMatchObject({
          userId: user.id,
          counter: 0,
          deviceType: 'singleDevice',
          backedUp: false,
          algorithm: algorithm === 'ES256' ? -7 : -8,
          aaguid: '00000000-0000-0000-0000-000000000000',
          transports: '["internal"]',
        });
        expect(stored.publicKey).toMatch(/^[A-Za-z0-9_-]+$/);

        const again = await startPasskeyRegistration(db, user, { sessionId: SESSION });
        expect(again.excludeCredentials).toEqual([{ id: auth.credentialId, transports: ['internal'], type: 'public-key' }]);

        const { options: signInOptions, response } = await assertion(auth, user.id);
        expect(signInOptions.userVerification).toBe('required');
        expect(signInOptions.rpId).toBe(RP_ID);
        expect(signInOptions.allowCredentials).toEqual([{ id: auth.credentialId, transports: ['internal'], type: 'public-key' }]);
        const result = await finishPasskeyAuthentication(db, response, { purpose: 'webauthn.authenticate', userId: user.id });
        expect(result).toEqual({ ok: true, userId: user.id, credentialId: auth.credentialId, passkeyId: stored.id, binding: null });
        expect(await storedCredential(auth.credentialId)).toMatchObject({ counter: 1, lastUsedAt: expect.any(Date) });

        const usernameless = await assertion(auth, undefined);
        expect(usernameless.options.allowCredentials).toEqual([]);
        expect(await finishPasskeyAuthentication(db, usernameless.response, { purpose: 'webauthn.authenticate' })).toMatchObject({
          ok: true,
          userId: user.id,
        });
        expect((await storedCredential(auth.credentialId)).counter).toBe(2);
      },
    );

    it('step-up: the challenge stores user, session, operation and binding; the result returns the binding', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      const options = await startPasskeyAuthentication(db, {
        purpose: 'step_up',
        userId: user.id,
        sessionId: SESSION,
        binding: 'b1',
        operation: 'user.delete',
      });
      expect(await challengeOf(options)).toMatchObject({
        purpose: 'step_up',
        userId: user.id,
        sessionId: SESSION,
        binding: 'b1',
        operation: 'user.delete',
      });
      const result = await finishPasskeyAuthentication(db, auth.authenticate(options), {
        purpose: 'step_up',
        userId: user.id,
        sessionId: SESSION,
        binding: 'b1',
      });
      expect(result).toMatchObject({ ok: true, userId: user.id, binding: 'b1' });
    });

    it('step-up without user, session or binding is a programming error', async () => {
      await expect(startPasskeyAuthentication(db, { purpose: 'step_up', userId: 'u', sessionId: SESSION })).rejects.toThrow(/binding/);
      await expect(finishPasskeyAuthentication(db, {}, { purpose: 'step_up', userId: 'u', binding: 'b' })).rejects.toThrow(/sessionId/);
    });
  });

  describe('registration and its audit commit together', () => {
    it('T42 a failure in the caller’s audit step (onStored) leaves no credential behind', async () => {
      const user = await newUser();
      const auth = device();
      const options = await startPasskeyRegistration(db, user, { sessionId: SESSION });
      await expect(
        finishPasskeyRegistration(db, user, auth.register(options), {
          name: 'Laptop',
          sessionId: SESSION,
          onStored: async () => {
            throw new Error('audit append failed');
          },
        }),
      ).rejects.toThrow('audit append failed');
      expect(await db.webAuthnCredential.findUnique({ where: { credentialId: auth.credentialId } })).toBeNull();
    });
  });

  describe('T09 origin and RP ID come from configuration', () => {
    it.each([
      'https://admin.example.com.evil.io',
      'http://admin.example.com',
      'http://localhost:3000',
      'https://evil.example',
      'https://example.com',
    ])('T09 an assertion with clientDataJSON.origin %s is refused', async (origin) => {
      const auth = device();
      const { user } = await enrolled(auth);
      expect(await signIn(auth, user.id, { origin })).toEqual({ ok: false, reason: 'verification_failed' });
      expect((await storedCredential(auth.credentialId)).counter).toBe(0);
    });

    it.each(['evil.io', 'example.com', 'admin.example.com.evil.io', 'localhost'])(
      'T09 an assertion whose rpIdHash is for %s is refused',
      async (rpId) => {
        const auth = device();
        const { user } = await enrolled(auth);
        expect(await signIn(auth, user.id, { rpId })).toEqual({ ok: false, reason: 'verification_failed' });
      },
    );

    it('T09 a real assertion re-signed with a phishing origin or a wrong rpIdHash is refused', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      for (const tamper of [
        (a: ReturnType<SoftAuthenticator['authenticate']>) =>
          auth.resign(a, { clientData: (cd) => ({ ...cd, origin: 'https://admin.example.com.evil.io' }) }),
        (a: ReturnType<SoftAuthenticator['authenticate']>) =>
          auth.resign(a, { authenticatorData: (bytes) => Buffer.concat([rpIdHash('evil.io'), bytes.subarray(32)]) }),
      ]) {
        const { response } = await assertion(auth, user.id);
        const result = await finishPasskeyAuthentication(db, tamper(response), { purpose: 'webauthn.authenticate', userId: user.id });
        expect(result).toEqual({ ok: false, reason: 'verification_failed' });
      }
    });

    it('T09 an assertion made inside a cross-origin iframe is refused, with or without topOrigin', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      for (const frame of [{ crossOrigin: true }, { crossOrigin: true, topOrigin: 'https://evil.example' }]) {
        const { response } = await assertion(auth, user.id);
        const framed = auth.resign(response, { clientData: (cd) => ({ ...cd, ...frame }) });
        const result = await finishPasskeyAuthentication(db, framed, { purpose: 'webauthn.authenticate', userId: user.id });
        expect(result).toEqual({ ok: false, reason: 'verification_failed' });
      }
    });

    it('T09 a registration made for another origin or RP ID is refused', async () => {
      for (const overrides of [{ origin: 'https://admin.example.com.evil.io' }, { origin: 'http://localhost:3000' }, { rpId: 'evil.io' }]) {
        const user = await newUser();
        const options = await startPasskeyRegistration(db, user, { sessionId: SESSION });
        const result = await finishPasskeyRegistration(db, user, device().register(options, overrides), {
          name: 'Key',
          sessionId: SESSION,
        });
        expect(result).toEqual({ ok: false, reason: 'verification_failed' });
      }
    });
  });

  describe('T10 challenges are single-use, short-lived and scoped', () => {
    it('T10 replaying a captured assertion (same challenge) is refused', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      const { response } = await assertion(auth, user.id);
      const finish = () => finishPasskeyAuthentication(db, response, { purpose: 'webauthn.authenticate', userId: user.id });
      expect((await finish()).ok).toBe(true);
      expect(await finish()).toEqual({ ok: false, reason: 'challenge_invalid' });
    });

    it('T10 the same assertion submitted twice at once succeeds at most once', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      const { response } = await assertion(auth, user.id);
      const results = await Promise.all(
        [1, 2, 3].map(() => finishPasskeyAuthentication(db, response, { purpose: 'webauthn.authenticate', userId: user.id })),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect((await storedCredential(auth.credentialId)).counter).toBe(1);
    });

    it('T10 the challenge row is deleted by the first attempt even when verification fails', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      const { options, response } = await assertion(auth, user.id, { origin: 'https://evil.example' });
      expect(await challengeOf(options)).not.toBeNull();
      expect(await finishPasskeyAuthentication(db, response, { purpose: 'webauthn.authenticate', userId: user.id })).toEqual({
        ok: false,
        reason: 'verification_failed',
      });
      expect(await challengeOf(options)).toBeNull();
      // A corrected answer to the same challenge is now too late.
      const fixed = auth.resign(response, { clientData: (cd) => ({ ...cd, origin: ORIGIN }) });
      expect(await finishPasskeyAuthentication(db, fixed, { purpose: 'webauthn.authenticate', userId: user.id })).toEqual({
        ok: false,
        reason: 'challenge_invalid',
      });
    });

    it('T10 a challenge used after its 5-minute TTL is refused (and removed); just before, it works', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      const start = Date.now();
      vi.useFakeTimers({ toFake: ['Date'] });

      vi.setSystemTime(start);
      const late = await assertion(auth, user.id);
      vi.setSystemTime(start + TTL + 1_000);
      expect(await finishPasskeyAuthentication(db, late.response, { purpose: 'webauthn.authenticate', userId: user.id })).toEqual({
        ok: false,
        reason: 'challenge_invalid',
      });
      expect(await challengeOf(late.options)).toBeNull();

      vi.setSystemTime(start);
      const inTime = await assertion(auth, user.id);
      vi.setSystemTime(start + TTL - 1_000);
      expect((await finishPasskeyAuthentication(db, inTime.response, { purpose: 'webauthn.authenticate', userId: user.id })).ok).toBe(true);
    });

    it("T10 user A's challenge used in user B's sign-in is refused", async () => {
      const authA = device();
      const authB = device();
      const { user: a } = await enrolled(authA);
      const { user: b } = await enrolled(authB);
      const optionsForA = await startPasskeyAuthentication(db, { purpose: 'webauthn.authenticate', userId: a.id });
      const result = await finishPasskeyAuthentication(db, authB.authenticate(optionsForA), {
        purpose: 'webauthn.authenticate',
        userId: b.id,
      });
      expect(result).toEqual({ ok: false, reason: 'challenge_invalid' });
      expect(await challengeOf(optionsForA)).toBeNull();
    });

    it("T10 a passkey of user B cannot answer user A's sign-in or step-up", async () => {
      const authA = device();
      const authB = device();
      const { user: a } = await enrolled(authA);
      await enrolled(authB);
      expect(await signIn(authB, a.id)).toEqual({ ok: false, reason: 'credential_not_found' });
      const options = await startPasskeyAuthentication(db, { purpose: 'step_up', userId: a.id, sessionId: SESSION, binding: 'b' });
      const result = await finishPasskeyAuthentication(db, authB.authenticate(options), {
        purpose: 'step_up',
        userId: a.id,
        sessionId: SESSION,
        binding: 'b',
      });
      expect(result).toEqual({ ok: false, reason: 'credential_not_found' });
    });

    it('T10 a sign-in challenge used for step-up is refused (and the reverse)', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      const signInOptions = await startPasskeyAuthentication(db, { purpose: 'webauthn.authenticate', userId: user.id });
      const asStepUp = await finishPasskeyAuthentication(db, auth.authenticate(signInOptions), {
        purpose: 'step_up',
        userId: user.id,
        sessionId: SESSION,
        binding: 'b',
      });
      expect(asStepUp).toEqual({ ok: false, reason: 'challenge_invalid' });
      expect(await challengeOf(signInOptions)).toBeNull();

      const stepUpOptions = await startPasskeyAuthentication(db, { purpose: 'step_up', userId: user.id, sessionId: SESSION, binding: 'b' });
      const asSignIn = await finishPasskeyAuthentication(db, auth.authenticate(stepUpOptions), {
        purpose: 'webauthn.authenticate',
        userId: user.id,
      });
      expect(asSignIn).toEqual({ ok: false, reason: 'challenge_invalid' });
    });

    it.each([
      ['another binding', { binding: 'b-other' }],
      ['another session', { sessionId: 'ses_other' }],
    ])('T10 a step-up challenge presented with %s is refused', async (_label, change) => {
      const auth = device();
      const { user } = await enrolled(auth);
      const options = await startPasskeyAuthentication(db, {
        purpose: 'step_up',
        userId: user.id,
        sessionId: SESSION,
        binding: 'b1',
        operation: 'user.delete',
      });
      const result = await finishPasskeyAuthentication(db, auth.authenticate(options), {
        purpose: 'step_up',
        userId: user.id,
        sessionId: SESSION,
        binding: 'b1',
        ...change,
      });
      expect(result).toEqual({ ok: false, reason: 'challenge_invalid' });
    });

    it('T10 an invented challenge and a malformed response are refused without touching other challenges', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      const { options, response } = await assertion(auth, user.id, { challenge: Buffer.alloc(32, 1).toString('base64url') });
      expect(await finishPasskeyAuthentication(db, response, { purpose: 'webauthn.authenticate', userId: user.id })).toEqual({
        ok: false,
        reason: 'challenge_invalid',
      });
      expect(await challengeOf(options)).not.toBeNull();
      for (const junk of [null, 'x', { id: 1 }, { response: { clientDataJSON: 'AAAA' } }]) {
        expect(await finishPasskeyAuthentication(db, junk, { purpose: 'webauthn.authenticate' })).toEqual({
          ok: false,
          reason: 'challenge_invalid',
        });
      }
    });
  });

  describe('T11 user verification is required', () => {
    it.each<PasskeyAuthenticationPurpose>(['webauthn.authenticate', 'step_up'])(
      'T11 an assertion with UV=0 is refused for %s',
      async (purpose) => {
        const auth = device();
        const { user } = await enrolled(auth);
        const scope = purpose === 'step_up' ? { userId: user.id, sessionId: SESSION, binding: 'b' } : { userId: user.id };
        const options = await startPasskeyAuthentication(db, { purpose, ...scope });
        expect(options.userVerification).toBe('required');
        const result = await finishPasskeyAuthentication(db, auth.authenticate(options, { userVerified: false }), { purpose, ...scope });
        expect(result).toEqual({ ok: false, reason: 'user_not_verified' });
        expect((await storedCredential(auth.credentialId)).counter).toBe(0);
      },
    );

    it('T11 a usernameless sign-in with UV=0 is refused', async () => {
      const auth = device();
      await enrolled(auth);
      expect(await signIn(auth, undefined, { userVerified: false })).toEqual({ ok: false, reason: 'user_not_verified' });
    });

    it('T11 a registration with UV=0 is refused', async () => {
      const user = await newUser();
      const options = await startPasskeyRegistration(db, user, { sessionId: SESSION });
      const result = await finishPasskeyRegistration(db, user, device({ userVerified: false }).register(options), {
        name: 'Key',
        sessionId: SESSION,
      });
      expect(result).toEqual({ ok: false, reason: 'user_not_verified' });
      expect(await db.webAuthnCredential.count({ where: { userId: user.id } })).toBe(0);
    });
  });

  describe('T12 signature counter', () => {
    it('T12 stored counter 10, assertion 5: refused, credential flagged, and refused from then on', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      await db.webAuthnCredential.update({ where: { credentialId: auth.credentialId }, data: { counter: 10 } });
      const result = await signIn(auth, user.id, { signCount: 5 });
      const stored = await storedCredential(auth.credentialId);
      expect(result).toEqual({
        ok: false,
        reason: 'counter_regression',
        userId: user.id,
        credentialId: auth.credentialId,
        passkeyId: stored.id,
      });
      expect(stored.flaggedAt).toBeInstanceOf(Date);
      expect(stored.counter).toBe(10);
      expect(await signIn(auth, user.id, { signCount: 50 })).toEqual({ ok: false, reason: 'credential_flagged' });
      expect((await listPasskeys(db, user.id))[0]).toMatchObject({ flagged: true });
      const options = await startPasskeyAuthentication(db, { purpose: 'webauthn.authenticate', userId: user.id });
      expect(options.allowCredentials).toEqual([]);
    });

    it('T12 stored counter 10, assertion 10: refused and flagged', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      await db.webAuthnCredential.update({ where: { credentialId: auth.credentialId }, data: { counter: 10 } });
      expect(await signIn(auth, user.id, { signCount: 10 })).toMatchObject({ ok: false, reason: 'counter_regression', userId: user.id });
      expect((await storedCredential(auth.credentialId)).flaggedAt).not.toBeNull();
    });

    it('T12 stored counter 10, assertion 11: accepted and stored', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      await db.webAuthnCredential.update({ where: { credentialId: auth.credentialId }, data: { counter: 10 } });
      expect((await signIn(auth, user.id, { signCount: 11 })).ok).toBe(true);
      expect(await storedCredential(auth.credentialId)).toMatchObject({ counter: 11, flaggedAt: null });
    });

    it('T12 a synced passkey reporting 0 with stored 0 is accepted (repeatedly)', async () => {
      const auth = device({ backupEligible: true, backedUp: true, countsSignatures: false });
      const { user, passkey } = await enrolled(auth);
      expect(passkey.deviceType).toBe('synced');
      expect(await storedCredential(auth.credentialId)).toMatchObject({ deviceType: 'multiDevice', backedUp: true, counter: 0 });
      for (let i = 0; i < 2; i++) expect((await signIn(auth, user.id)).ok).toBe(true);
      expect(await storedCredential(auth.credentialId)).toMatchObject({ counter: 0, flaggedAt: null });
    });

    it('T12 two assertions carrying the same counter, finished concurrently on different challenges: only one is accepted', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      const pairs = await Promise.all([assertion(auth, user.id, { signCount: 1 }), assertion(auth, user.id, { signCount: 1 })]);
      const results = await Promise.all(
        pairs.map(({ response }) => finishPasskeyAuthentication(db, response, { purpose: 'webauthn.authenticate', userId: user.id })),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.find((r) => !r.ok)).toMatchObject({ reason: expect.stringMatching(/^counter_(conflict|regression)$/) });
      expect((await storedCredential(auth.credentialId)).counter).toBe(1);
    });

    it('T12 a forged assertion with a low counter does not flag the passkey (the signature is checked first)', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      await db.webAuthnCredential.update({ where: { credentialId: auth.credentialId }, data: { counter: 10 } });
      const { response } = await assertion(auth, user.id, { signCount: 5 });
      const forged = { ...response, response: { ...response.response, signature: Buffer.alloc(72, 1).toString('base64url') } };
      expect(await finishPasskeyAuthentication(db, forged, { purpose: 'webauthn.authenticate', userId: user.id })).toEqual({
        ok: false,
        reason: 'verification_failed',
      });
      expect((await storedCredential(auth.credentialId)).flaggedAt).toBeNull();
    });
  });

  describe('canonical base64url (issue 13: one spelling per value)', () => {
    /** The same bytes spelled otherwise: the lowest spare bit of the last character set ('Q' → 'R'). */
    function respell(value: string): string {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      if (value.length % 4 < 2) throw new Error('no spare bits');
      return value.slice(0, -1) + alphabet[alphabet.indexOf(value.at(-1)!) | 1]!;
    }

    it('an assertion whose authenticatorData is respelled (same bytes, last character changed) is refused; a canonical one then works', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      const { response } = await assertion(auth, user.id);
      const authenticatorData = respell(response.response.authenticatorData);
      expect(Buffer.from(authenticatorData, 'base64url').equals(Buffer.from(response.response.authenticatorData, 'base64url'))).toBe(true);
      const respelled = { ...response, response: { ...response.response, authenticatorData } };
      expect(await finishPasskeyAuthentication(db, respelled, { purpose: 'webauthn.authenticate', userId: user.id })).toEqual({
        ok: false,
        reason: 'verification_failed',
      });
      expect((await storedCredential(auth.credentialId)).counter).toBe(0);
      expect((await signIn(auth, user.id)).ok).toBe(true);
    });

    it('a registration whose attestation is respelled is refused and stores nothing', async () => {
      const user = await newUser();
      const auth = device();
      const options = await startPasskeyRegistration(db, user, { sessionId: SESSION });
      const response = auth.register(options);
      const field = (['attestationObject', 'clientDataJSON'] as const).find((f) => response.response[f].length % 4 >= 2)!;
      const respelled = { ...response, response: { ...response.response, [field]: respell(response.response[field]) } };
      expect(await finishPasskeyRegistration(db, user, respelled, { name: 'Key', sessionId: SESSION })).toEqual({
        ok: false,
        reason: 'verification_failed',
      });
      expect(await db.webAuthnCredential.count({ where: { userId: user.id } })).toBe(0);
    });
  });

  describe('T13 registration rules', () => {
    it("T13 a registration with a credential id already owned by another user is refused and the owner's passkey is unchanged", async () => {
      const victimDevice = device();
      const { user: victim } = await enrolled(victimDevice);
      const before = await storedCredential(victimDevice.credentialId);
      const attacker = await newUser();
      const options = await startPasskeyRegistration(db, attacker, { sessionId: SESSION });
      const clash = device({ credentialId: victimDevice.credentialId });
      expect(await finishPasskeyRegistration(db, attacker, clash.register(options), { name: 'Mine', sessionId: SESSION })).toEqual({
        ok: false,
        reason: 'credential_in_use',
      });
      expect(await storedCredential(victimDevice.credentialId)).toEqual(before);
      expect(before.userId).toBe(victim.id);
      expect(await db.webAuthnCredential.count({ where: { userId: attacker.id } })).toBe(0);
    });

    it('T13 re-registering the same credential for the same user is refused', async () => {
      const auth = device();
      const { user } = await enrolled(auth);
      const options = await startPasskeyRegistration(db, user, { sessionId: SESSION });
      expect(await finishPasskeyRegistration(db, user, auth.register(options), { name: 'Again', sessionId: SESSION })).toEqual({
        ok: false,
        reason: 'credential_in_use',
      });
    });

    it('T13 a credential with alg -257 (RS256) is refused when the policy allows ES256 and EdDSA only', async () => {
      const user = await newUser();
      const options = await startPasskeyRegistration(db, user, { sessionId: SESSION });
      const result = await finishPasskeyRegistration(db, user, device({ algorithm: 'RS256' }).register(options), {
        name: 'RSA',
        sessionId: SESSION,
      });
      expect(result).toEqual({ ok: false, reason: 'algorithm_not_allowed' });
      expect(await db.webAuthnCredential.count({ where: { userId: user.id } })).toBe(0);
    });

    it('T13 BE=1 for a superadmin is refused when the policy requires device-bound passkeys', async () => {
      const policy = { deviceBoundPasskeysFor: ['superadmin'] };
      const superadmin = await newUser('superadmin');
      const options = await startPasskeyRegistration(db, superadmin, { sessionId: SESSION, policy });
      const synced = device({ backupEligible: true, backedUp: true });
      expect(
        await finishPasskeyRegistration(db, superadmin, synced.register(options), { name: 'Phone', sessionId: SESSION, policy }),
      ).toEqual({
        ok: false,
        reason: 'device_bound_required',
      });
      const bound = await startPasskeyRegistration(db, superadmin, { sessionId: SESSION, policy });
      expect(
        (await finishPasskeyRegistration(db, superadmin, device().register(bound), { name: 'Key', sessionId: SESSION, policy })).ok,
      ).toBe(true);
      const admin = await newUser('admin');
      const adminOptions = await startPasskeyRegistration(db, admin, { sessionId: SESSION, policy });
      const adminSynced = device({ backupEligible: true });
      expect(
        (await finishPasskeyRegistration(db, admin, adminSynced.register(adminOptions), { name: 'Phone', sessionId: SESSION, policy })).ok,
      ).toBe(true);
    });

    it('T13 a replayed registration (same challenge) is refused', async () => {
      const user = await newUser();
      const options = await startPasskeyRegistration(db, user, { sessionId: SESSION });
      const response = device().register(options);
      expect((await finishPasskeyRegistration(db, user, response, { name: 'Key', sessionId: SESSION })).ok).toBe(true);
      expect(await finishPasskeyRegistration(db, user, response, { name: 'Key', sessionId: SESSION })).toEqual({
        ok: false,
        reason: 'challenge_invalid',
      });
      const other = await newUser();
      const second = await startPasskeyRegistration(db, user, { sessionId: SESSION });
      expect(await finishPasskeyRegistration(db, other, device().register(second), { name: 'Key', sessionId: SESSION })).toEqual({
        ok: false,
        reason: 'challenge_invalid',
      });
    });

    it('T13 a registration challenge cannot finish in another session or as a sign-in', async () => {
      const user = await newUser();
      const options = await startPasskeyRegistration(db, user, { sessionId: SESSION });
      expect(await finishPasskeyRegistration(db, user, device().register(options), { name: 'Key', sessionId: 'ses_other' })).toEqual({
        ok: false,
        reason: 'challenge_invalid',
      });
      const auth = device();
      const { user: owner } = await enrolled(auth);
      const registration = await startPasskeyRegistration(db, owner, { sessionId: SESSION });
      const asAssertion = auth.authenticate({ challenge: registration.challenge });
      expect(await finishPasskeyAuthentication(db, asAssertion, { purpose: 'webauthn.authenticate', userId: owner.id })).toEqual({
        ok: false,
        reason: 'challenge_invalid',
      });
    });

    it('refuses an unusable name before consuming the challenge', async () => {
      const user = await newUser();
      const options = await startPasskeyRegistration(db, user, { sessionId: SESSION });
      const response = device().register(options);
      expect(await finishPasskeyRegistration(db, user, response, { name: '  ', sessionId: SESSION })).toEqual({
        ok: false,
        reason: 'name_invalid',
      });
      expect((await finishPasskeyRegistration(db, user, response, { name: 'Key', sessionId: SESSION })).ok).toBe(true);
    });
  });

  describe('managing passkeys', () => {
    it("lists, renames and removes the owner's passkeys; another user's id is not found", async () => {
      const auth = device();
      const { user, passkey } = await enrolled(auth);
      const other = await newUser();
      expect(await listPasskeys(db, user.id)).toEqual([passkey]);
      expect(await listPasskeys(db, other.id)).toEqual([]);

      expect(await db.$transaction((tx) => renamePasskey(tx, other.id, passkey.id, 'Stolen'))).toBeNull();
      expect(await db.$transaction((tx) => renamePasskey(tx, user.id, passkey.id, ' Work laptop '))).toMatchObject({
        id: passkey.id,
        name: 'Work laptop',
      });
      await expect(db.$transaction((tx) => renamePasskey(tx, user.id, passkey.id, ''))).rejects.toThrow(RangeError);

      expect(await db.$transaction((tx) => removePasskey(tx, other.id, passkey.id))).toBeNull();
      expect(await listPasskeys(db, user.id)).toHaveLength(1);
      expect(await db.$transaction((tx) => removePasskey(tx, user.id, passkey.id))).toMatchObject({ id: passkey.id, name: 'Work laptop' });
      expect(await listPasskeys(db, user.id)).toEqual([]);
      expect(await signIn(auth, user.id)).toEqual({ ok: false, reason: 'credential_not_found' });
    });
  });

  it('writes no audit rows itself (callers audit, in their own transaction)', async () => {
    expect(await db.auditEvent.count()).toBe(0);
  });
});
