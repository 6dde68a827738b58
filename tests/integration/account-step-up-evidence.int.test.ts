import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { beginPasskeyRegistrationAction } from '@/app/(console)/account/security/_actions/begin-passkey-registration';
import { changePasswordAction } from '@/app/(console)/account/security/_actions/change-password';
import { disableTotpAction } from '@/app/(console)/account/security/_actions/disable-totp';
import { enableTotpAction } from '@/app/(console)/account/security/_actions/enable-totp';
import { finishPasskeyRegistrationAction } from '@/app/(console)/account/security/_actions/finish-passkey-registration';
import { generateRecoveryCodesAction } from '@/app/(console)/account/security/_actions/generate-recovery-codes';
import { removePasskeyAction } from '@/app/(console)/account/security/_actions/remove-passkey';
import { exportAuditBundle } from '@/lib/audit/export';
import { INTENT_FORMAT, type SignedIntent } from '@/lib/audit/signed-intent';
import { verifyChain } from '@/lib/audit/verify';
import { totpCodeAt } from '@/lib/auth/totp';
import { invalidateSettings } from '@/lib/config/settings';
import { getSecurityOverview } from '@/lib/dal/account-security';
import { eventSignature } from '@/lib/dal/audit-signature';
import { env } from '@/lib/env';
import { ActionHarness, type Caller, type ServerAction } from '../helpers/action-harness';
import { SoftAuthenticator } from '../helpers/soft-authenticator';
import { testProviders } from '../helpers/test-db';

vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('WEBAUTHN_RP_ID', undefined);
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('WARDEN_AUDIT_PUBLIC_KEYS_FILE', '/nonexistent/warden-account-step-up-test/public-keys.json');
  vi.stubEnv('LOG_LEVEL', 'silent');
});
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const CURRENT = 'the current passphrase of this account';
const NEW_PASSWORD = 'an entirely different long passphrase';

interface SignedEntry {
  seq: number;
  operation: string;
  eventOperation: string;
  actorId: string;
}
interface VerifierApi {
  verifyBundle(
    dir: string,
    opts?: { requireSignatures?: boolean },
  ): Promise<{
    ok: true;
    signatures: {
      stepUps: number;
      signed: SignedEntry[];
      byCode: number;
      unsigned: number;
      enrolments: { seq: number; operation: string; signedInAt: string | null }[];
    };
  }>;
}
const verifier = (await import(pathToFileURL(path.resolve(__dirname, '../../tools/warden-verify.mjs')).href)) as VerifierApi;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-account-step-up-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Details = Record<string, unknown>;

/**
 * Issue 13: the self-service step-up operations (authenticator app on and off,
 * passkey added and removed, new recovery codes, password change) record their
 * step-up like every other step-up operation — `stepUp`, `stepUpMethod` and, for a
 * passkey, the signed intent and assertion — so the offline verifier counts them as
 * signed. Enrolment, where a fresh sign-in stands in for a step-up nobody can make
 * yet, is recorded as enrolment, not as a step-up without a signature.
 */
describe.each(testProviders())('self-service step-up operations record their step-up on %s', (provider) => {
  let h: ActionHarness;
  /** The events that must come out of the verifier as signed, by seq. */
  const signedSeqs = new Map<number, string>();
  const byCodeSeqs: number[] = [];
  const enrolmentSeqs: number[] = [];

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'acct-stepup');
  });
  afterAll(async () => {
    await h?.cleanup();
  });
  beforeEach(() => invalidateSettings());

  /** The one `outcome` event of `op` written by the call with this correlation id, with its details. */
  async function eventOf(correlationId: string, op: string, outcome: 'success' | 'failure' = 'success') {
    const events = (await h.eventsOf(correlationId)).filter((e) => e.operation === op && e.outcome === outcome);
    expect(events).toHaveLength(1);
    const event = events[0]!;
    return { event, details: JSON.parse(event.details) as Details };
  }

  /** The event carries a passkey step-up whose signed intent names `op`, this actor and session; the event page agrees. */
  async function expectSigned(caller: Caller, correlationId: string, op: string, outcome: 'success' | 'failure' = 'success') {
    const { event, details } = await eventOf(correlationId, op, outcome);
    expect(details).toMatchObject({ stepUp: true, stepUpMethod: 'passkey', signature: { format: INTENT_FORMAT } });
    const intent = JSON.parse((details.signature as { intent: string }).intent) as SignedIntent;
    expect(intent).toMatchObject({ operation: op, actor: caller.user!.id, sessionId: caller.sessionId, targetKind: 'self' });
    expect(await eventSignature(h.db, event.seq)).toMatchObject({ status: 'valid' });
    signedSeqs.set(event.seq, op);
    return details;
  }

  /** Calls a step-up action with a proof obtained the real way for exactly this input. */
  async function stepped<T>(caller: Caller, op: Parameters<ActionHarness['stepUpProof']>[1], action: ServerAction<T>, input: unknown) {
    const stepUpProof = await h.stepUpProof(caller, op, input);
    const called = await h.call(caller, action, input, { stepUpProof });
    expect(called.result).toMatchObject({ ok: true });
    return called;
  }

  /** Registers a second passkey through the two real actions; the finish call's correlation id and the authenticator. */
  async function registerThroughActions(caller: Caller, name: string, withProof: boolean) {
    const url = new URL(env().APP_URL);
    const input = { name };
    const begin = withProof
      ? await stepped(caller, 'account.passkey_register', beginPasskeyRegistrationAction, input)
      : await h.call(caller, beginPasskeyRegistrationAction, input);
    expect(begin.result).toMatchObject({ ok: true });
    const { options } = (begin.result as { data: { options: Parameters<SoftAuthenticator['register']>[0] } }).data;
    const auth = new SoftAuthenticator({ origin: url.origin, rpId: url.hostname });
    const finish = await h.call(caller, finishPasskeyRegistrationAction, { name, response: auth.register(options) });
    expect(finish.result).toMatchObject({ ok: true });
    return { correlationId: finish.correlationId, auth };
  }

  it('with a passkey, each of the six operations records a passkey step-up and a signature whose intent names it', async () => {
    const caller = await h.caller('admin', { password: CURRENT });
    await h.addPasskey(caller, 'Work laptop');

    const codes = await stepped(caller, 'account.recovery_codes_generate', generateRecoveryCodesAction, {});
    const codesDetails = await expectSigned(caller, codes.correlationId, 'account.recovery_codes_generate');
    expect(codesDetails).toMatchObject({ count: expect.any(Number) });

    const registered = await registerThroughActions(caller, 'Desk key', true);
    const registration = await expectSigned(caller, registered.correlationId, 'account.passkey_register');
    // The registration's own details (what makes the new key's signatures verifiable) are kept.
    expect(registration).toMatchObject({ name: 'Desk key', credentialId: registered.auth.credentialId, publicKey: expect.any(String) });
    // Signed by the passkey that stepped up, not by the one being added.
    const signer = (registration.signature as { assertion: { credentialId: string } }).assertion.credentialId;
    expect(signer).toBe(h.passkeyOf(caller)!.credentialId);

    const desk = await h.db.webAuthnCredential.findUniqueOrThrow({ where: { credentialId: registered.auth.credentialId } });
    const removed = await stepped(caller, 'account.passkey_remove', removePasskeyAction, { id: desk.id });
    await expectSigned(caller, removed.correlationId, 'account.passkey_remove');

    const disabled = await stepped(caller, 'account.totp_disable', disableTotpAction, {});
    await expectSigned(caller, disabled.correlationId, 'account.totp_disable');

    const overview = await h.as(caller, () => getSecurityOverview(h.viewerOf(caller)));
    const setup = overview.totpSetup!;
    const enabled = await stepped(caller, 'account.totp_enable', enableTotpAction, {
      sealed: setup.sealed,
      code: totpCodeAt(setup.secret, new Date()),
    });
    await expectSigned(caller, enabled.correlationId, 'account.totp_enable');

    // A wrong current password: the step-up was spent on the attempt, and its refusal says so.
    const wrong = { currentPassword: 'not the current passphrase at all', newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD };
    const refused = await h.call(
      caller,
      changePasswordAction,
      { ...wrong, signOutOthers: false },
      { stepUpProof: await h.stepUpProof(caller, 'account.password_change', { ...wrong, signOutOthers: false }) },
    );
    expect(refused.result).toMatchObject({ ok: false, code: 'VALIDATION' });
    await expectSigned(caller, refused.correlationId, 'account.password_change', 'failure');

    const changed = await stepped(caller, 'account.password_change', changePasswordAction, {
      currentPassword: CURRENT,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
      signOutOthers: false,
    });
    const changedDetails = await expectSigned(caller, changed.correlationId, 'account.password_change');
    expect(changedDetails).toMatchObject({ otherSessionsEnded: 0 });
    // The password is never in the trail, not even inside the signed intent (stepUpBinds).
    expect(JSON.stringify(changedDetails)).not.toContain(NEW_PASSWORD);
  });

  it('with an authenticator code, the events say so (no signature); the passkey added records the code that authorized it', async () => {
    const first = await h.caller('support');
    const codes = await stepped(first, 'account.recovery_codes_generate', generateRecoveryCodesAction, {});
    const { event, details } = await eventOf(codes.correlationId, 'account.recovery_codes_generate');
    expect(details).toMatchObject({ stepUp: true, stepUpMethod: 'otp' });
    expect(details).not.toHaveProperty('signature');
    byCodeSeqs.push(event.seq);

    const second = await h.caller('support');
    const registered = await registerThroughActions(second, 'Phone', true);
    const registration = await eventOf(registered.correlationId, 'account.passkey_register');
    expect(registration.details).toMatchObject({ stepUp: true, stepUpMethod: 'otp', name: 'Phone' });
    expect(registration.details).not.toHaveProperty('signature');
    byCodeSeqs.push(registration.event.seq);
  });

  it('enrolment (no factor yet, a fresh sign-in instead of a step-up) is recorded as enrolment, not as an unsigned step-up', async () => {
    const totpUser = await h.caller('support', { mfa: false });
    const overview = await h.as(totpUser, () => getSecurityOverview(h.viewerOf(totpUser)));
    const setup = overview.totpSetup!;
    const enabled = await h.call(totpUser, enableTotpAction, { sealed: setup.sealed, code: totpCodeAt(setup.secret, new Date()) });
    expect(enabled.result).toMatchObject({ ok: true, data: { recoveryCodes: expect.any(Array) } });
    const enable = await eventOf(enabled.correlationId, 'account.totp_enable');
    expect(enable.details).toEqual({ stepUp: false, enrolment: true, signedInAt: expect.any(String) });
    enrolmentSeqs.push(enable.event.seq);
    // The first recovery codes come with the enrolment: they name it and carry no step-up of their own.
    const firstCodes = await eventOf(enabled.correlationId, 'account.recovery_codes_generate');
    expect(firstCodes.details).toEqual({ count: expect.any(Number), first: true, issuedWith: 'account.totp_enable' });

    const passkeyUser = await h.caller('support', { mfa: false });
    const registered = await registerThroughActions(passkeyUser, 'First key', false);
    const registration = await eventOf(registered.correlationId, 'account.passkey_register');
    expect(registration.details).toMatchObject({ stepUp: false, enrolment: true, signedInAt: expect.any(String), name: 'First key' });
    expect(registration.details).not.toHaveProperty('signature');
    enrolmentSeqs.push(registration.event.seq);
  });

  it('an exported bundle verifies: the passkey step-ups count as signed, the codes as by code, enrolment as neither', async () => {
    expect(signedSeqs.size).toBe(7);
    const head = await h.db.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' }, select: { seq: true } });
    const dir = path.join(tmp, `${provider}-account`);
    await exportAuditBundle(h.db, { from: 1, to: head.seq, outDir: dir });
    const { signatures } = await verifier.verifyBundle(dir, { requireSignatures: true });

    const signed = new Map(signatures.signed.map((s) => [s.seq, s]));
    for (const [seq, op] of signedSeqs) expect(signed.get(seq)).toMatchObject({ operation: op, eventOperation: op });
    expect(signatures.signed).toHaveLength(signedSeqs.size);
    expect(signatures.byCode).toBe(byCodeSeqs.length);
    // Nothing in range is an unsigned step-up: enrolment events are not step-ups at all.
    expect(signatures.unsigned).toBe(0);
    expect(signatures.stepUps).toBe(signedSeqs.size + byCodeSeqs.length);
    expect(enrolmentSeqs.every((seq) => !signed.has(seq))).toBe(true);
    // They are reported as what they are: enrolments authorized by a fresh sign-in.
    expect(signatures.enrolments.map((x) => x.seq)).toEqual(expect.arrayContaining(enrolmentSeqs));
    expect(signatures.enrolments.every((x) => typeof x.signedInAt === 'string')).toBe(true);
    expect((await verifyChain(h.db)).ok).toBe(true);
  });
});
