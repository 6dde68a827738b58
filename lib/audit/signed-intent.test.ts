import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeAttestationObject, parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import { describe, expect, it } from 'vitest';
import { SoftAuthenticator, type SoftAlgorithm } from '../../tests/helpers/soft-authenticator';
import { AuthenticationResponseSchema, isCanonicalBase64url, RegistrationResponseSchema } from '../validation/auth';
import { intentInWords, isPersonalInputField } from './intent-words';
import {
  checkSignedEvent,
  INTENT_FORMAT,
  intentChallenge,
  intentTargets,
  intentText,
  verifyIntentAssertion,
  type BundleCredential,
  type SignedEventView,
  type SignedIntent,
  type StoredAssertion,
} from './signed-intent';

/**
 * Signed intents (issue 13): an assertion made by a (software) authenticator over
 * an intent's SHA-256 verifies offline against the intent and the credential's COSE
 * key; any changed byte of the intent, its input or the stored assertion fails; an
 * assertion for intent A attached to event B fails. The same vectors run through
 * the standalone verifier (tools/warden-verify.mjs), which must agree.
 */

const ORIGIN = 'https://admin.example.com';
const RP_ID = 'admin.example.com';
const EXPECTED = { rpId: RP_ID, origin: ORIGIN };
const POLICY = 'policy-v1';

interface ToolApi {
  assertionProblem(text: string, assertion: StoredAssertion, key: string, expected: { rpId: string; origin: string }): string | null;
  intentMismatch(event: SignedEventView, intent: SignedIntent, credential: BundleCredential): string | null;
}
const tool = (await import(pathToFileURL(path.resolve(import.meta.dirname, '../../tools/warden-verify.mjs')).href)) as ToolApi;

function registered(algorithm: SoftAlgorithm = 'ES256') {
  const auth = new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID, algorithm });
  const reg = auth.register({
    challenge: Buffer.alloc(32, 1).toString('base64url'),
    rp: { id: RP_ID, name: 'Warden' },
    user: { id: Buffer.from('user-1').toString('base64url'), name: 'alice@example.test', displayName: 'Alice' },
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
  });
  const attestation = decodeAttestationObject(Buffer.from(reg.response.attestationObject, 'base64url'));
  const cose = parseAuthenticatorData(attestation.get('authData')).credentialPublicKey!;
  const credential: BundleCredential = {
    credentialId: auth.credentialId,
    userId: 'user-1',
    name: 'Laptop',
    userName: 'Alice',
    publicKey: Buffer.from(cose).toString('base64url'),
    algorithm: { ES256: -7, EdDSA: -8, RS256: -257 }[algorithm],
    createdAt: '2026-03-01T08:00:00.000Z',
    registrationSeq: 3,
  };
  return { auth, credential };
}

function intentFor(overrides: Partial<SignedIntent> = {}): SignedIntent {
  return {
    v: INTENT_FORMAT,
    operation: 'user.suspend',
    input: { id: 'u-target', reason: 'INC-1 compromised' },
    targets: ['u-target'],
    targetKind: 'record',
    actor: 'user-1',
    sessionId: 'sess-1',
    policyVersion: POLICY,
    approvalIds: [],
    nonce: 'bm9uY2Utbm9uY2Utbm9uYw',
    expiresAt: '2026-03-01T08:10:00.000Z',
    ...overrides,
  };
}

function sign(auth: SoftAuthenticator, text: string): StoredAssertion {
  const response = auth.authenticate({ challenge: intentChallenge(text).toString('base64url'), rpId: RP_ID, allowCredentials: [] });
  return {
    credentialId: response.id,
    authenticatorData: response.response.authenticatorData,
    clientDataJSON: response.response.clientDataJSON,
    signature: response.response.signature,
  };
}

function eventFor(
  intent: SignedIntent,
  text: string,
  assertion: StoredAssertion,
  overrides: Partial<SignedEventView> = {},
): SignedEventView {
  return {
    seq: 10,
    ts: '2026-03-01T08:01:00.000Z',
    actorId: intent.actor,
    actorSessionId: intent.sessionId,
    operation: intent.operation,
    targetType: 'User',
    targetId: 'u-target',
    policyVersion: POLICY,
    details: { stepUp: true, stepUpMethod: 'passkey', signature: { format: INTENT_FORMAT, intent: text, assertion } },
    ...overrides,
  };
}

/** Flips one bit of byte `i` of a base64url value. */
function flipB64(value: string, i: number): string {
  const bytes = Buffer.from(value, 'base64url');
  const j = i % bytes.length;
  bytes[j] = bytes[j]! ^ 0x01;
  return bytes.toString('base64url');
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Another spelling of the same bytes: the lowest spare bit of the last character set
 * (decoders ignore it), e.g. authenticatorData's last 'Q' becomes 'R'. Null when the
 * value has no spare bits (a length of 4n).
 */
function respell(value: string): string | null {
  if (value.length % 4 < 2) return null;
  return value.slice(0, -1) + BASE64URL_ALPHABET[BASE64URL_ALPHABET.indexOf(value.at(-1)!) | 1]!;
}

/** Both implementations' verdict on an assertion: null when it verifies. */
function verdicts(text: string, assertion: StoredAssertion, key: string) {
  const lib = verifyIntentAssertion(text, assertion, key, EXPECTED);
  return { lib: lib.ok ? null : lib.reason, tool: tool.assertionProblem(text, assertion, key, EXPECTED) };
}

describe('signed intents', () => {
  it.each(['ES256', 'EdDSA', 'RS256'] as const)(
    '%s: an assertion over an intent verifies offline, in the library and the standalone verifier',
    (alg) => {
      const { auth, credential } = registered(alg);
      const intent = intentFor();
      const text = intentText(intent);
      const assertion = sign(auth, text);
      expect(verdicts(text, assertion, credential.publicKey)).toEqual({ lib: null, tool: null });
      const checked = checkSignedEvent(eventFor(intent, text, assertion), new Map([[credential.credentialId, credential]]), EXPECTED);
      expect(checked.status).toBe('valid');
      expect(tool.intentMismatch(eventFor(intent, text, assertion), intent, credential)).toBeNull();
    },
  );

  it('the challenge is SHA-256 of the RFC 8785 text, whatever the key order given', () => {
    const a = intentText(intentFor({ input: { b: 1, a: [2, { d: 'x', c: null }] } }));
    const b = intentText({ ...intentFor(), input: { a: [2, { c: null, d: 'x' }], b: 1 } } as SignedIntent);
    expect(a).toBe(b);
    expect(a.startsWith('{"actor":"user-1","approvalIds":[]')).toBe(true);
    expect(intentChallenge(a)).toHaveLength(32);
  });

  it('changing any byte of the intent (including its input) fails verification', () => {
    const { auth, credential } = registered();
    const text = intentText(intentFor());
    const assertion = sign(auth, text);
    for (let i = 0; i < text.length; i++) {
      const changed = text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ 0x01) + text.slice(i + 1);
      const v = verdicts(changed, assertion, credential.publicKey);
      expect(v.lib, `byte ${i}`).toBe('challenge_mismatch');
      expect(v.tool, `byte ${i}`).toBe('challenge_mismatch');
    }
    // Another input, canonicalized the same way, is another intent.
    const other = intentText(intentFor({ input: { id: 'u-target', reason: 'INC-1 compromised!' } }));
    expect(verdicts(other, assertion, credential.publicKey)).toEqual({ lib: 'challenge_mismatch', tool: 'challenge_mismatch' });
  });

  it('changing any byte of the stored assertion fails verification', () => {
    const { auth, credential } = registered();
    const text = intentText(intentFor());
    const assertion = sign(auth, text);
    for (const field of ['authenticatorData', 'clientDataJSON', 'signature'] as const) {
      const length = Buffer.from(assertion[field], 'base64url').length;
      for (let i = 0; i < length; i++) {
        const changed = { ...assertion, [field]: flipB64(assertion[field], i) };
        const v = verdicts(text, changed, credential.publicKey);
        expect(v.lib, `${field} byte ${i}`).not.toBeNull();
        expect(v.tool, `${field} byte ${i}`).not.toBeNull();
      }
    }
    // The key too: another passkey's key does not verify it.
    const other = registered();
    expect(verdicts(text, assertion, other.credential.publicKey)).toEqual({ lib: 'bad_signature', tool: 'bad_signature' });
  });

  it('a respelled (non-canonical base64url) assertion value is refused, though it decodes to the same bytes', () => {
    const { auth, credential } = registered();
    const text = intentText(intentFor());
    const assertion = sign(auth, text);
    expect(verdicts(text, assertion, credential.publicKey)).toEqual({ lib: null, tool: null });
    let respelled = 0;
    for (const field of ['authenticatorData', 'clientDataJSON', 'signature'] as const) {
      const other = respell(assertion[field]);
      if (other === null) continue;
      respelled += 1;
      expect(Buffer.from(other, 'base64url').equals(Buffer.from(assertion[field], 'base64url')), field).toBe(true);
      expect(verdicts(text, { ...assertion, [field]: other }, credential.publicKey), field).toEqual({
        lib: 'malformed',
        tool: 'malformed',
      });
    }
    // authenticatorData (37 bytes, 50 characters) always has spare bits: the reviewer's 'Q' → 'R'.
    expect(respell(assertion.authenticatorData)).not.toBeNull();
    expect(respelled).toBeGreaterThan(0);
    // Padding and stray characters are not base64url either; nor is a respelled key.
    expect(verdicts(text, { ...assertion, signature: `${assertion.signature}=` }, credential.publicKey)).toEqual({
      lib: 'malformed',
      tool: 'malformed',
    });
    const key = respell(credential.publicKey);
    if (key !== null) expect(verdicts(text, assertion, key)).toEqual({ lib: 'key_unreadable', tool: 'key_unreadable' });
  });

  it('the WebAuthn response schemas accept canonical unpadded base64url only (what browsers send)', () => {
    // isCanonicalBase64url is exactly "decodes and re-encodes to itself", for every string of up to 3 characters.
    const sample = `${BASE64URL_ALPHABET}=+/ .`;
    const strings = [''];
    for (let n = 1; n <= 3; n++)
      for (const prefix of strings.filter((x) => x.length === n - 1)) for (const c of sample) strings.push(prefix + c);
    const disagreements = strings.filter((v) => isCanonicalBase64url(v) !== (Buffer.from(v, 'base64url').toString('base64url') === v));
    expect(disagreements).toEqual([]);
    for (let n = 0; n < 200; n++) {
      const value = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff)).toString('base64url');
      expect(isCanonicalBase64url(value)).toBe(true);
      if (respell(value) !== null) expect(isCanonicalBase64url(respell(value)!)).toBe(false);
    }

    const { auth } = registered();
    const response = auth.authenticate({ challenge: Buffer.alloc(32, 2).toString('base64url'), rpId: RP_ID });
    expect(AuthenticationResponseSchema.safeParse(response).success).toBe(true);
    const authenticatorData = respell(response.response.authenticatorData)!;
    expect(AuthenticationResponseSchema.safeParse({ ...response, response: { ...response.response, authenticatorData } }).success).toBe(
      false,
    );
    for (const field of ['clientDataJSON', 'signature', 'userHandle'] as const) {
      const value = response.response[field];
      const other = value === undefined ? null : respell(value);
      if (other !== null)
        expect(
          AuthenticationResponseSchema.safeParse({ ...response, response: { ...response.response, [field]: other } }).success,
          field,
        ).toBe(false);
    }
    const registration = auth.register({
      challenge: Buffer.alloc(32, 3).toString('base64url'),
      rp: { id: RP_ID, name: 'Warden' },
      user: { id: Buffer.from('user-1').toString('base64url'), name: 'alice@example.test', displayName: 'Alice' },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    });
    expect(RegistrationResponseSchema.safeParse(registration).success).toBe(true);
    for (const field of ['clientDataJSON', 'attestationObject', 'authenticatorData', 'publicKey'] as const) {
      const other = respell(registration.response[field]!);
      if (other !== null)
        expect(
          RegistrationResponseSchema.safeParse({ ...registration, response: { ...registration.response, [field]: other } }).success,
          field,
        ).toBe(false);
    }
    // The credential id: a 32-byte id is 43 characters, with 2 spare bits.
    const id = respell(response.id)!;
    expect(AuthenticationResponseSchema.safeParse({ ...response, id, rawId: id }).success).toBe(false);
    expect(RegistrationResponseSchema.safeParse({ ...registration, id, rawId: id }).success).toBe(false);
  });

  it('refuses assertions without user verification, for another RP or origin, or of type webauthn.create, even when signed', () => {
    const { auth, credential } = registered();
    const text = intentText(intentFor());
    const challenge = intentChallenge(text).toString('base64url');
    const make = (overrides: Parameters<SoftAuthenticator['authenticate']>[1]) => {
      const r = auth.authenticate({ challenge, rpId: RP_ID }, overrides);
      return {
        credentialId: r.id,
        authenticatorData: r.response.authenticatorData,
        clientDataJSON: r.response.clientDataJSON,
        signature: r.response.signature,
      };
    };
    expect(verdicts(text, make({ userVerified: false }), credential.publicKey).lib).toBe('user_not_verified');
    expect(verdicts(text, make({ userPresent: false }), credential.publicKey).tool).toBe('user_not_present');
    expect(verdicts(text, make({ rpId: 'evil.example' }), credential.publicKey)).toEqual({ lib: 'rp_mismatch', tool: 'rp_mismatch' });
    expect(verdicts(text, make({ origin: 'https://evil.example' }), credential.publicKey)).toEqual({
      lib: 'origin_mismatch',
      tool: 'origin_mismatch',
    });
    expect(verdicts(text, make({ type: 'webauthn.create' }), credential.publicKey)).toEqual({ lib: 'wrong_type', tool: 'wrong_type' });
  });

  it('an assertion for intent A attached to event B fails (another operation, target, actor, session, policy, or too late)', () => {
    const { auth, credential } = registered();
    const intent = intentFor();
    const text = intentText(intent);
    const assertion = sign(auth, text);
    const creds = new Map([[credential.credentialId, credential]]);
    const cases: Partial<SignedEventView>[] = [
      { operation: 'user.delete' },
      { targetId: 'u-other' },
      { actorId: 'user-2' },
      { actorSessionId: 'sess-2' },
      { policyVersion: 'policy-v2' },
      { ts: '2026-03-01T08:10:00.001Z' },
    ];
    for (const overrides of cases) {
      const event = eventFor(intent, text, assertion, overrides);
      const checked = checkSignedEvent(event, creds, EXPECTED);
      expect(checked.status, JSON.stringify(overrides)).toBe('invalid');
      expect(checked.status === 'invalid' && checked.problem).toBe('intent_mismatch');
      expect(tool.intentMismatch(event, intent, credential), JSON.stringify(overrides)).not.toBeNull();
    }
    // Intent B's text with A's assertion: the signature is over A's hash.
    const textB = intentText(intentFor({ input: { id: 'u-other' }, targets: ['u-other'] }));
    const swapped = checkSignedEvent(eventFor(intent, textB, assertion, { targetId: 'u-other' }), creds, EXPECTED);
    expect(swapped.status === 'invalid' && swapped.problem).toBe('forged_signature');
    // A passkey not in the bundle.
    expect(checkSignedEvent(eventFor(intent, text, assertion), new Map(), EXPECTED)).toMatchObject({ problem: 'unknown_credential' });
  });

  it('an approval signature covers exactly the frozen request: its id and its digest', () => {
    const { auth, credential } = registered();
    const digest = 'a'.repeat(64);
    const intent = intentFor({
      operation: 'approval.approve',
      input: { id: 'req-1', digest },
      targets: ['req-1'],
      approvalIds: ['req-1'],
    });
    const text = intentText(intent);
    const assertion = sign(auth, text);
    const creds = new Map([[credential.credentialId, credential]]);
    const approval = (overrides: Partial<SignedEventView> = {}, details: Record<string, unknown> = {}) => {
      const base = eventFor(intent, text, assertion, {
        operation: 'approval.approve',
        targetType: 'ApprovalRequest',
        targetId: 'req-1',
        ...overrides,
      });
      return { ...base, details: { ...base.details, operation: 'user.delete', digest, requesterId: 'user-9', ...details } };
    };
    expect(checkSignedEvent(approval(), creds, EXPECTED).status).toBe('valid');
    expect(tool.intentMismatch(approval(), intent, credential)).toBeNull();
    // Another frozen request (another digest), or another request id: not what was signed.
    const otherDigest = approval({}, { digest: 'b'.repeat(64) });
    expect(checkSignedEvent(otherDigest, creds, EXPECTED)).toMatchObject({ status: 'invalid', problem: 'intent_mismatch' });
    expect(tool.intentMismatch(otherDigest, intent, credential)).toMatch(/digest/);
    const otherRequest = approval({ targetId: 'req-2' });
    expect(checkSignedEvent(otherRequest, creds, EXPECTED)).toMatchObject({ status: 'invalid', problem: 'intent_mismatch' });
  });

  it('a step-up by authenticator code is reported as such (no signature)', () => {
    const base: SignedEventView = eventFor(intentFor(), '', { credentialId: '', authenticatorData: '', clientDataJSON: '', signature: '' });
    expect(checkSignedEvent({ ...base, details: { stepUp: true, stepUpMethod: 'otp' } }, new Map(), EXPECTED)).toEqual({ status: 'code' });
    expect(checkSignedEvent({ ...base, details: { stepUp: false } }, new Map(), EXPECTED)).toEqual({ status: 'none' });
  });

  it('an event that says it was stepped up with a passkey but carries no signature is not valid (as the verifier’s signature_missing)', () => {
    const base: SignedEventView = eventFor(intentFor(), '', { credentialId: '', authenticatorData: '', clientDataJSON: '', signature: '' });
    expect(checkSignedEvent({ ...base, details: { stepUp: true, stepUpMethod: 'passkey' } }, new Map(), EXPECTED)).toMatchObject({
      status: 'invalid',
      problem: 'signature_missing',
    });
  });

  it('the intent in words lists every signed field, and a reason (up to 500 characters) whole', () => {
    const input: Record<string, unknown> = { reason: `INC-1 ${'x'.repeat(494)}` };
    for (let i = 0; i < 14; i++) input[`field${String(i).padStart(2, '0')}`] = i;
    const words = intentInWords(JSON.parse(intentText(intentFor({ input }))));
    expect(words?.fields).toHaveLength(15);
    expect(words?.fields.find((f) => f.name === 'reason')?.value).toBe(input.reason);
    // Beyond that, the cut says so.
    const long = intentInWords(intentFor({ input: { blob: 'y'.repeat(1500) } }))?.fields[0]?.value;
    expect(long).toBe(`${'y'.repeat(1000)}… (500 more characters)`);
  });

  it('personal data and secrets of an input are signed as keyed hashes; ids never are (they are the targets)', () => {
    for (const name of ['email', 'confirmEmail', 'name', 'displayName', 'code', 'sealed', 'recoveryCode', 'newPassword', 'secret', 'token'])
      expect(isPersonalInputField(name), name).toBe(true);
    for (const name of ['id', 'ids', 'userId', 'reviewId', 'role', 'digest', 'reason', 'ticketRef', 'signOutOthers', 'minutes'])
      expect(isPersonalInputField(name), name).toBe(false);
  });

  it('targets are the ids the input names', () => {
    expect(intentTargets({ id: 'u1', reason: 'x', reviewId: 'r1', role: 'admin', userIds: ['b', 'a'], count: 3 })).toEqual([
      'a',
      'admin',
      'b',
      'r1',
      'u1',
    ]);
    expect(intentTargets(null)).toEqual([]);
  });
});
