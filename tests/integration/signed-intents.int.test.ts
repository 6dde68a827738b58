import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { approveRequestAction } from '@/app/(console)/approvals/_actions/approve-request';
import { grantPrivilegedRoleAction } from '@/app/(console)/users/_actions/grant-privileged-role';
import { suspendUserAction } from '@/app/(console)/users/_actions/suspend-user';
import { exportAuditBundle } from '@/lib/audit/export';
import { checkSignedEvent, INTENT_FORMAT, type SignedIntent } from '@/lib/audit/signed-intent';
import { verifyChain } from '@/lib/audit/verify';
import { beginStepUp, issueStepUpProof } from '@/lib/auth/step-up';
import { finishPasskeyRegistration, startPasskeyRegistration } from '@/lib/auth/webauthn';
import { invalidateSettings } from '@/lib/config/settings';
import { recordAuditWith } from '@/lib/audit/record';
import { removePasskeyForViewer } from '@/lib/dal/account-security';
import { eventSignature } from '@/lib/dal/audit-signature';
import { operation, stepUpBindingInput, type OperationId } from '@/policies/operations';
import { ActionHarness, type Caller } from '../helpers/action-harness';
import { SoftAuthenticator } from '../helpers/soft-authenticator';
import { testProviders } from '../helpers/test-db';

vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('WEBAUTHN_RP_ID', undefined);
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('WARDEN_AUDIT_PUBLIC_KEYS_FILE', '/nonexistent/warden-signed-intents-test/public-keys.json');
  vi.stubEnv('LOG_LEVEL', 'silent');
});
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const ORIGIN = 'http://localhost:3000';
const RP_ID = 'localhost';
const REASON = 'Signed intents integration test, CHG-1313';

interface VerifyApi {
  verifyBundle(dir: string): Promise<{
    ok: true;
    signatures: {
      stepUps: number;
      byCode: number;
      signed: { seq: number; operation: string; passkey: string; userName: string | null }[];
      approvalsSigned: number;
      executions: { total: number; approvalSigned: number };
    };
  }>;
}
const verifier = (await import(pathToFileURL(path.resolve(__dirname, '../../tools/warden-verify.mjs')).href)) as VerifyApi &
  Record<string, unknown>;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-signed-intents-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * Signed intents (issue 13) through the real step-up, server actions, export and
 * standalone verifier: a passkey step-up signs the intent of the exact operation;
 * the action's audit event stores the intent and the assertion; the export bundle
 * carries the passkey's public key (credentials.json) and the verifier re-checks
 * the signature offline; an approver's signature covers the frozen request digest.
 */
describe.each(testProviders())('signed intents on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'intents');
  });
  afterAll(async () => {
    await h?.cleanup();
  });
  beforeEach(() => {
    invalidateSettings();
  });

  /** A caller of `role` with one passkey (software authenticator), registered through the app (its event records the key). */
  async function passkeyCaller(role: 'admin' | 'superadmin') {
    const caller = await h.caller(role);
    return { caller, auth: await registerPasskey(caller, 'Work laptop') };
  }

  /** Registers a software passkey for `caller` through the app, with the credential id given (an authenticator chooses it). */
  function registerPasskey(caller: Caller, name: string, credentialId?: string) {
    return h.addPasskey(caller, name, credentialId ? { credentialId } : {});
  }

  /** `caller` suspends a new support user after a passkey step-up with `auth`; the operation's event. */
  async function signedSuspend(caller: Caller, auth: SoftAuthenticator) {
    const target = await h.caller('support');
    const input = { id: target.user!.id, reason: REASON };
    const step = await passkeyProof(caller, auth, 'user.suspend', input);
    expect(step.ok).toBe(true);
    const { result, correlationId } = await h.call(caller, suspendUserAction, input, { stepUpProof: step.ok ? step.proof : '' });
    expect(result.ok).toBe(true);
    const [event] = (await h.eventsOf(correlationId)).filter((e) => e.operation === 'user.suspend' && e.outcome === 'success');
    return event!;
  }

  /** Removes the caller's passkey with this credential id through the app. */
  async function removeOwnPasskey(caller: Caller, credentialId: string) {
    const row = await h.db.webAuthnCredential.findUniqueOrThrow({ where: { credentialId }, select: { id: true } });
    await h.as(caller, () => removePasskeyForViewer(h.viewerOf(caller), row.id));
  }

  /** A passkey step-up the way the dialog does it: begin, the authenticator signs the challenge, complete. */
  async function passkeyProof(
    caller: Caller,
    auth: SoftAuthenticator,
    op: OperationId,
    input: unknown,
    tamper?: (o: { challenge: string }) => void,
  ) {
    const bound = stepUpBindingInput(operation(op), JSON.parse(JSON.stringify(input)));
    const viewer = h.viewerOf(caller);
    const start = await beginStepUp(h.db, viewer, op, bound);
    if (start.method !== 'passkey') throw new Error(`expected a passkey step-up, got ${start.method}`);
    tamper?.(start.options);
    const response = auth.authenticate(start.options);
    const result = await issueStepUpProof(
      h.db,
      viewer,
      op,
      bound,
      { method: 'passkey', response },
      {
        correlationId: randomUUID(),
        ip: caller.peer,
        userAgent: 'vitest',
      },
    );
    return result;
  }

  /** Exports the trail from `from` (default: its first event) to its head. */
  async function exportAll(name: string, from = 1) {
    const head = await h.db.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' }, select: { seq: true } });
    const outDir = path.join(tmp, `${provider}-${name}`);
    await exportAuditBundle(h.db, { from, to: head.seq, outDir });
    return outDir;
  }

  /** The seq the next audit event will get (a test's own range starts there). */
  async function nextSeq() {
    const head = await h.db.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    return (head?.seq ?? 0) + 1;
  }

  /** The `account.passkey_register` events that recorded this credential id. */
  async function registrationsOf(credentialId: string) {
    const events = await h.db.auditEvent.findMany({ where: { operation: 'account.passkey_register' }, orderBy: { seq: 'asc' } });
    return events.filter((e) => (JSON.parse(e.details) as { credentialId?: unknown }).credentialId === credentialId);
  }

  /** The same bytes spelled otherwise: the lowest spare bit of the last base64url character set ('Q' → 'R'). */
  function respell(value: string): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    if (value.length % 4 < 2) throw new Error('no spare bits');
    return value.slice(0, -1) + alphabet[alphabet.indexOf(value.at(-1)!) | 1]!;
  }

  it('a passkey step-up signs the intent; the action event stores it and the assertion; it verifies on the server and offline', async () => {
    const { caller, auth } = await passkeyCaller('admin');
    const target = await h.caller('support');
    const input = { id: target.user!.id, reason: REASON };
    const step = await passkeyProof(caller, auth, 'user.suspend', input);
    expect(step.ok).toBe(true);
    const { result, correlationId } = await h.call(caller, suspendUserAction, input, { stepUpProof: step.ok ? step.proof : '' });
    expect(result.ok).toBe(true);

    const [event] = (await h.eventsOf(correlationId)).filter((e) => e.operation === 'user.suspend' && e.outcome === 'success');
    expect(event).toBeDefined();
    const details = JSON.parse(event!.details) as { stepUp: boolean; stepUpMethod: string; signature: { format: string; intent: string } };
    expect(details).toMatchObject({ stepUp: true, stepUpMethod: 'passkey', signature: { format: INTENT_FORMAT } });
    const intent = JSON.parse(details.signature.intent) as SignedIntent;
    expect(intent).toMatchObject({
      v: INTENT_FORMAT,
      operation: 'user.suspend',
      input,
      targets: [target.user!.id],
      targetKind: 'record',
      actor: caller.user!.id,
      sessionId: caller.sessionId,
      policyVersion: event!.policyVersion,
      approvalIds: [],
    });

    // The event detail page's check (the same logic as the standalone verifier).
    const shown = await eventSignature(h.db, event!.seq);
    expect(shown).toMatchObject({ status: 'valid', passkeyName: 'Work laptop', userName: caller.user!.name });

    const dir = await exportAll('signed');
    const credentials = JSON.parse(fs.readFileSync(path.join(dir, 'credentials.json'), 'utf8')) as {
      rpId: string;
      origin: string;
      credentials: { credentialId: string; userId: string; registrationSeq: number | null }[];
    };
    expect(credentials).toMatchObject({ rpId: RP_ID, origin: ORIGIN });
    expect(credentials.credentials).toEqual([
      expect.objectContaining({ credentialId: auth.credentialId, userId: caller.user!.id, registrationSeq: expect.any(Number) }),
    ]);
    const verified = await verifier.verifyBundle(dir);
    // What the auditor reads (the CLI's text output).
    let printed = '';
    const code = await (verifier.main as (argv: string[], out: { write(s: string): void }) => Promise<number>)([dir], {
      write: (s: string) => void (printed += s),
    });
    expect(code).toBe(0);
    expect(printed).toContain('PROVEN  1 operation carries a valid user signature');
    expect(printed).toContain(`signed by passkey "Work laptop" of ${caller.user!.name}`);
    expect(verified.signatures.signed).toEqual([
      expect.objectContaining({ seq: event!.seq, operation: 'user.suspend', passkey: 'Work laptop', userName: caller.user!.name }),
    ]);

    // The auditor pins the origin and RP ID instead of taking them from the bundle: the right
    // ones verify; another site's (an assertion phished through a look-alike) does not.
    let pinnedOut = '';
    const run = verifier.main as (argv: string[], out: { write(s: string): void }, err: { write(s: string): void }) => Promise<number>;
    const sink = { write: (s: string) => void (pinnedOut += s) };
    expect(await run([dir, '--origin', ORIGIN, '--rp-id', RP_ID], sink, sink)).toBe(0);
    expect(pinnedOut).toContain(`RP ID ${RP_ID} (pinned), origin ${ORIGIN} (pinned)`);
    for (const pins of [
      ['--origin', 'https://console.example'],
      ['--rp-id', 'console.example'],
    ]) {
      pinnedOut = '';
      expect(await run([dir, ...pins], sink, sink)).toBe(1);
      expect(pinnedOut).toMatch(/forged_signature/);
    }
    expect(await run([dir, '--origin', 'https://console.example/path'], sink, sink)).toBe(2);

    // A bundle whose credentials.json gives another key (manifest recomputed): refused.
    const forged = path.join(tmp, `${provider}-forged-key`);
    fs.cpSync(dir, forged, { recursive: true });
    const other = await passkeyCaller('admin');
    const otherKey = (await h.db.webAuthnCredential.findUniqueOrThrow({ where: { credentialId: other.auth.credentialId } })).publicKey;
    const file = JSON.parse(fs.readFileSync(path.join(forged, 'credentials.json'), 'utf8')) as { credentials: { publicKey: string }[] };
    file.credentials[0]!.publicKey = otherKey;
    const text = `${JSON.stringify(file, null, 2)}\n`;
    fs.writeFileSync(path.join(forged, 'credentials.json'), text);
    const manifest = JSON.parse(fs.readFileSync(path.join(forged, 'manifest.json'), 'utf8')) as {
      files: Record<string, { sha256: string }>;
    };
    manifest.files['credentials.json']!.sha256 = (await import('node:crypto')).createHash('sha256').update(text).digest('hex');
    fs.writeFileSync(path.join(forged, 'manifest.json'), JSON.stringify(manifest, null, 2));
    await expect(verifier.verifyBundle(forged)).rejects.toMatchObject({ problem: 'forged_signature', class: 'forged_signature' });

    expect((await verifyChain(h.db)).ok).toBe(true);
  });

  it('a proof whose signed intent names another target is refused; a challenge answered for another intent is refused', async () => {
    const { caller, auth } = await passkeyCaller('admin');
    const target = await h.caller('support');
    // The authenticator signs another challenge than the intent's: the step-up fails, nothing is stored.
    const swapped = await passkeyProof(caller, auth, 'user.suspend', { id: target.user!.id, reason: REASON }, (o) => {
      o.challenge = Buffer.alloc(32, 7).toString('base64url');
    });
    expect(swapped).toMatchObject({ ok: false, reason: 'challenge_invalid' });
    // A proof for user A cannot suspend user B (the binding and the signed targets both differ).
    const other = await h.caller('support');
    const step = await passkeyProof(caller, auth, 'user.suspend', { id: target.user!.id, reason: REASON });
    const { result } = await h.call(
      caller,
      suspendUserAction,
      { id: other.user!.id, reason: REASON },
      { stepUpProof: step.ok ? step.proof : '' },
    );
    expect(result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });
  });

  it('personal fields of the input are signed as keyed hashes, never in clear', async () => {
    const { caller } = await passkeyCaller('admin');
    const target = await h.caller('support');
    const input = { id: target.user!.id, confirmEmail: target.user!.email, reason: REASON };
    const start = await beginStepUp(h.db, h.viewerOf(caller), 'user.delete', input);
    if (start.method !== 'passkey') throw new Error('expected a passkey step-up');
    expect(start.intent).not.toContain(target.user!.email);
    const intent = JSON.parse(start.intent) as SignedIntent;
    expect(intent.input).toEqual({
      id: target.user!.id,
      confirmEmail: expect.stringMatching(/^hmac-sha256:[0-9a-f]{32}$/),
      reason: REASON,
    });
    expect(Buffer.from(start.options.challenge, 'base64url')).toEqual(
      (await import('@/lib/audit/signed-intent')).intentChallenge(start.intent),
    );
  });

  it('an approver’s passkey signs exactly the frozen request; the verifier links the execution to that signature', async () => {
    const requester = await h.caller('superadmin');
    const { caller: approver, auth } = await passkeyCaller('superadmin');
    const beneficiary = await h.caller('admin');
    const input = { id: beneficiary.user!.id, role: 'superadmin', reason: REASON };
    const asked = await h.call(requester, grantPrivilegedRoleAction, input, {
      stepUpProof: await h.stepUpProof(requester, 'user.role_grant_privileged', input),
    });
    expect(asked.result).toMatchObject({ ok: false, code: 'APPROVAL_REQUIRED' });
    const approvalId = (asked.result as unknown as { approval: { id: string } }).approval.id;
    const { digest } = await h.db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } });
    // The requester's step-up is recorded on the request event: by code (no signature), or by passkey (the
    // critical operations must be signed), its intent for the operation requested and the frozen request's target.
    const [requestEvent] = (await h.eventsOf(asked.correlationId)).filter((e) => e.operation === 'approval.request');
    const requestDetails = JSON.parse(requestEvent!.details) as { stepUp: boolean; stepUpMethod: string; signature?: { intent: string } };
    expect(requestDetails.stepUp).toBe(true);
    const requesterCode = requestDetails.stepUpMethod === 'otp';
    if (requesterCode) expect(requestDetails.signature).toBeUndefined();
    else
      expect(JSON.parse(requestDetails.signature!.intent)).toMatchObject({
        operation: 'user.role_grant_privileged',
        targetKind: 'record',
        targets: expect.arrayContaining([beneficiary.user!.id]),
      });
    expect(await eventSignature(h.db, requestEvent!.seq)).toMatchObject({ status: requesterCode ? 'code' : 'valid' });

    const step = await passkeyProof(approver, auth, 'approval.approve', { id: approvalId, digest });
    expect(step.ok).toBe(true);
    const approved = await h.call(approver, approveRequestAction, { id: approvalId, digest }, { stepUpProof: step.ok ? step.proof : '' });
    expect(approved.result.ok).toBe(true);
    const events = await h.eventsOf(approved.correlationId);
    const decision = events.find((e) => e.operation === 'approval.approve')!;
    const execution = events.find((e) => e.operation === 'user.role_grant_privileged')!;
    const intent = JSON.parse((JSON.parse(decision.details) as { signature: { intent: string } }).signature.intent) as SignedIntent;
    expect(intent).toMatchObject({
      operation: 'approval.approve',
      input: { id: approvalId, digest },
      approvalIds: [approvalId],
      targets: [approvalId],
    });
    expect(JSON.parse(execution.details)).toMatchObject({ approval: { id: approvalId, digest, decisionSeq: decision.seq } });
    expect(await eventSignature(h.db, decision.seq)).toMatchObject({ status: 'valid' });

    const dir = await exportAll('approval');
    const verified = await verifier.verifyBundle(dir);
    expect(verified.signatures.approvalsSigned).toBeGreaterThanOrEqual(1);
    expect(verified.signatures.executions.approvalSigned).toBeGreaterThanOrEqual(1);
    expect(verified.signatures.signed.some((s) => s.seq === decision.seq && s.operation === 'approval.approve')).toBe(true);
    if (requesterCode) expect(verified.signatures.byCode).toBeGreaterThanOrEqual(1);
    else
      expect(verified.signatures.signed.some((x) => x.seq === requestEvent!.seq && x.operation === 'user.role_grant_privileged')).toBe(
        true,
      );

    // The same signature is no proof for another frozen request (another digest).
    const row = await h.db.webAuthnCredential.findUniqueOrThrow({ where: { credentialId: auth.credentialId } });
    const view = {
      seq: decision.seq,
      ts: decision.ts.toISOString(),
      actorId: decision.actorId,
      actorSessionId: decision.actorSessionId,
      operation: decision.operation,
      targetType: decision.targetType,
      targetId: decision.targetId,
      policyVersion: decision.policyVersion,
      details: { ...(JSON.parse(decision.details) as Record<string, unknown>), digest: 'f'.repeat(64) },
    };
    const credential = {
      credentialId: row.credentialId,
      userId: row.userId,
      name: row.name,
      userName: null,
      publicKey: row.publicKey,
      algorithm: row.algorithm,
      createdAt: row.createdAt.toISOString(),
      registrationSeq: null,
    };
    expect(checkSignedEvent(view, new Map([[row.credentialId, credential]]), { rpId: RP_ID, origin: ORIGIN })).toMatchObject({
      status: 'invalid',
      problem: 'intent_mismatch',
    });
  });
  it('secrets in the input (a one-time code, a sealed authenticator seed) are signed as keyed hashes, never in clear', async () => {
    const { caller } = await passkeyCaller('admin');
    const input = { sealed: `sealed-seed-${randomUUID()}`, code: '493817' };
    const start = await beginStepUp(h.db, h.viewerOf(caller), 'account.totp_enable', input);
    if (start.method !== 'passkey') throw new Error('expected a passkey step-up');
    expect(start.intent).not.toContain(input.sealed);
    expect(start.intent).not.toContain(input.code);
    expect((JSON.parse(start.intent) as SignedIntent).input).toEqual({
      sealed: expect.stringMatching(/^hmac-sha256:[0-9a-f]{32}$/),
      code: expect.stringMatching(/^hmac-sha256:[0-9a-f]{32}$/),
    });
  });

  it('the passkey of a signature is its own registration, not another whose credential id merely matches the LIKE pattern', async () => {
    const caller = await h.caller('admin');
    // Two credential ids that differ in one character: "_" in the second is a LIKE wildcard that matches the first's "x".
    const base = randomBytes(32).toString('base64url');
    const decoy = `${base.slice(0, 5)}x${base.slice(6)}`;
    const signer = `${base.slice(0, 5)}_${base.slice(6)}`;
    await registerPasskey(caller, 'Decoy', decoy);
    const auth = await registerPasskey(caller, 'Signer', signer);
    // Neither blocks the other's registration ("registered before" compares exactly), nor does an id that
    // differs from the signer's in case only (SQLite's LIKE ignores ASCII case).
    const at = [...signer].findIndex((c, i) => i > 5 && /[a-z]/i.test(c));
    const flipped = signer[at] === signer[at]!.toLowerCase() ? signer[at]!.toUpperCase() : signer[at]!.toLowerCase();
    const caseVariant = `${signer.slice(0, at)}${flipped}${signer.slice(at + 1)}`;
    await registerPasskey(caller, 'Case', caseVariant);
    expect(await h.db.webAuthnCredential.count({ where: { credentialId: { in: [decoy, signer, caseVariant] } } })).toBe(3);
    const event = await signedSuspend(caller, auth);
    expect(await eventSignature(h.db, event.seq)).toMatchObject({ status: 'valid', passkeyName: 'Signer' });
    // Removed, the passkey's key is still found through its own registration event, not lost to the decoy's.
    await removeOwnPasskey(caller, signer);
    expect(await eventSignature(h.db, event.seq)).toMatchObject({ status: 'valid', userId: caller.user!.id, passkeyName: 'Signer' });
    const dir = await exportAll('like-pattern');
    const verified = await verifier.verifyBundle(dir);
    expect(verified.signatures.signed.some((x) => x.seq === event.seq && x.passkey === 'Signer')).toBe(true);
  });

  it('a removed passkey’s credential id cannot be registered again, by anyone; its owner’s signatures stay theirs', async () => {
    const from = await nextSeq();
    const { caller: owner, auth } = await passkeyCaller('admin');
    const event = await signedSuspend(owner, auth);
    await removeOwnPasskey(owner, auth.credentialId);
    // Another user, then the owner, present a key under the same credential id (an authenticator chooses the id).
    const other = await h.caller('admin');
    await expect(registerPasskey(other, 'Same id', auth.credentialId)).rejects.toMatchObject({
      name: 'ActionError',
      code: 'VALIDATION',
      message: 'This passkey was registered before; create a new one on your authenticator.',
    });
    await expect(registerPasskey(owner, 'Back again', auth.credentialId)).rejects.toMatchObject({ code: 'VALIDATION' });
    // The ceremony's own verdict (the caller turns it into that validation error).
    const viewer = h.viewerOf(other);
    const user = { id: viewer.userId, email: viewer.email, name: viewer.name, role: viewer.role };
    const options = await startPasskeyRegistration(h.db, user, { sessionId: viewer.sessionId });
    const again = new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID, credentialId: auth.credentialId }).register(options);
    expect(await finishPasskeyRegistration(h.db, user, again, { name: 'Same id', sessionId: viewer.sessionId })).toEqual({
      ok: false,
      reason: 'credential_registered_before',
    });
    expect(await h.db.webAuthnCredential.count({ where: { credentialId: auth.credentialId } })).toBe(0);
    expect(await registrationsOf(auth.credentialId)).toHaveLength(1);
    expect(await eventSignature(h.db, event.seq)).toMatchObject({ status: 'valid', userId: owner.user!.id, passkeyName: 'Work laptop' });
    const verified = await verifier.verifyBundle(await exportAll('not-registered-again', from));
    expect(verified.signatures.signed).toEqual([expect.objectContaining({ seq: event.seq, passkey: 'Work laptop' })]);
  });

  it('a trail with two registrations of one credential id (as a server before this rule wrote) fails offline as credential_mismatch', async () => {
    /** Records `caller` registering `credentialId` with `publicKey`, with the app's own append (a compromised or older server could). */
    const appendRegistration = async (caller: Caller, credentialId: string, publicKey: string) => {
      const [first] = await registrationsOf(credentialId);
      return h.db.$transaction((tx) =>
        recordAuditWith(
          tx,
          {
            actor: { id: caller.user!.id, role: 'admin', sessionId: caller.sessionId },
            operation: 'account.passkey_register',
            target: { type: 'WebAuthnCredential', id: first!.targetId! },
            outcome: 'success',
            details: { ...(JSON.parse(first!.details) as Record<string, unknown>), publicKey },
          },
          { correlationId: randomUUID(), ip: caller.peer, userAgent: 'vitest' },
        ),
      );
    };
    const keyOf = async (credentialId: string) => (await h.db.webAuthnCredential.findUniqueOrThrow({ where: { credentialId } })).publicKey;

    // The same key and owner registered twice: which registration counts is ambiguous, so neither is kept silently.
    const from = await nextSeq();
    const { caller: owner, auth } = await passkeyCaller('admin');
    await signedSuspend(owner, auth);
    const [first] = await registrationsOf(auth.credentialId);
    const twice = await appendRegistration(owner, auth.credentialId, await keyOf(auth.credentialId));
    await expect(verifier.verifyBundle(await exportAll('registered-twice', from))).rejects.toMatchObject({
      problem: 'credential_mismatch',
      class: 'forged_signature',
      seq: twice.seq,
      message: expect.stringContaining(`is registered twice (events ${first!.seq} and ${twice.seq})`),
    });

    // Someone else's key registered under a signer's credential id: the same explicit verdict, not "another key than its registration".
    const from2 = await nextSeq();
    const signer = await passkeyCaller('admin');
    await signedSuspend(signer.caller, signer.auth);
    const other = await passkeyCaller('admin');
    const stolen = await appendRegistration(other.caller, signer.auth.credentialId, await keyOf(other.auth.credentialId));
    await expect(verifier.verifyBundle(await exportAll('registered-by-another', from2))).rejects.toMatchObject({
      problem: 'credential_mismatch',
      seq: stolen.seq,
      message: expect.stringContaining('is registered twice'),
    });
  });

  it('a stored assertion respelled in base64url (same bytes, its last character changed) does not verify, on the server or offline', async () => {
    const from = await nextSeq();
    const { caller, auth } = await passkeyCaller('admin');
    const event = await signedSuspend(caller, auth);
    const details = JSON.parse(event.details) as { signature: { assertion: Record<string, string> } } & Record<string, unknown>;
    const assertion = details.signature.assertion;
    const respelled = {
      ...details,
      signature: { ...details.signature, assertion: { ...assertion, authenticatorData: respell(assertion.authenticatorData!) } },
    };
    // Written with the app's own append (a compromised server could): the chain stays intact.
    const forged = await h.db.$transaction((tx) =>
      recordAuditWith(
        tx,
        {
          actor: { id: caller.user!.id, role: 'admin', sessionId: caller.sessionId },
          operation: 'user.suspend',
          target: { type: event.targetType!, id: event.targetId! },
          outcome: 'success',
          reason: REASON,
          details: respelled,
        },
        { correlationId: randomUUID(), ip: caller.peer, userAgent: 'vitest' },
      ),
    );
    expect(await eventSignature(h.db, event.seq)).toMatchObject({ status: 'valid' });
    expect(await eventSignature(h.db, forged.seq)).toMatchObject({ status: 'invalid', problem: 'forged_signature' });
    await expect(verifier.verifyBundle(await exportAll('respelled', from))).rejects.toMatchObject({
      problem: 'forged_signature',
      seq: forged.seq,
    });
    expect((await verifyChain(h.db)).ok).toBe(true);
  });

  it('an event that says "passkey" without its signature, and an intent that already authorized an earlier event, are not valid', async () => {
    const { caller, auth } = await passkeyCaller('admin');
    const event = await signedSuspend(caller, auth);
    const details = JSON.parse(event.details) as Record<string, unknown>;
    const ctx = { correlationId: randomUUID(), ip: caller.peer, userAgent: 'vitest' };
    const actor = { id: caller.user!.id, role: 'admin', sessionId: caller.sessionId };
    const target = { type: event.targetType!, id: event.targetId! };
    // Written with the app's own append (a compromised server could): the chain stays intact.
    const replay = await h.db.$transaction((tx) =>
      recordAuditWith(tx, { actor, operation: 'user.suspend', target, outcome: 'success', reason: REASON, details }, ctx),
    );
    const unsigned = Object.fromEntries(Object.entries(details).filter(([k]) => k !== 'signature'));
    const stripped = await h.db.$transaction((tx) =>
      recordAuditWith(tx, { actor, operation: 'user.suspend', target, outcome: 'success', reason: REASON, details: unsigned }, ctx),
    );
    expect(await eventSignature(h.db, event.seq)).toMatchObject({ status: 'valid' });
    expect(await eventSignature(h.db, replay.seq)).toMatchObject({ status: 'invalid', problem: 'intent_replayed' });
    expect(await eventSignature(h.db, stripped.seq)).toMatchObject({ status: 'invalid', problem: 'signature_missing' });
    expect((await verifyChain(h.db)).ok).toBe(true);
  });
});
