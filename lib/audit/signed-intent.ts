/**
 * Signed intents (issue 13, non-repudiation). For every operation the catalog
 * marks as step-up, a passkey step-up signs an *intent*: the operation, its
 * canonical input, the records it targets, the actor, the session, the policy
 * version, the approvals it decides, a nonce and an expiry. The WebAuthn
 * challenge is SHA-256 of the intent's RFC 8785 (JCS) text, so the assertion the
 * passkey returns is a signature by that person's key over exactly that intent
 * (authenticatorData ‖ SHA-256(clientDataJSON), clientDataJSON naming the
 * challenge). The audit event of the operation stores the intent text and the
 * assertion; the export bundle adds every credential's public key
 * (credentials.json), so anyone can re-check the signature offline.
 *
 * This module is pure (node:crypto only, no server-only imports): the server
 * (event detail page) and the tests use it; tools/warden-verify.mjs carries the
 * same checks as standalone JavaScript. Keep the two in step.
 */
import { createHash, createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';
import { canonicalize } from './canonical-json';

export const INTENT_FORMAT = 'warden.intent.v1';
export const CREDENTIALS_FORMAT = 'warden.credentials.v1';

/** What the catalog says the operation acts on (signed, so an offline verifier needs no catalog). */
export type IntentTargetKind = 'none' | 'self' | 'record' | 'draft';

/** The intent a passkey signs. Every field is part of the signed JCS text. */
export interface SignedIntent {
  v: typeof INTENT_FORMAT;
  operation: string;
  /** The input the step-up binds (the catalog's stepUpBinds, else the whole input), as JSON. */
  input: unknown;
  /** The ids of the records the input names (for "record" operations the action's target is one of them). */
  targets: string[];
  targetKind: IntentTargetKind;
  /** User id of the signer. */
  actor: string;
  sessionId: string;
  policyVersion: string;
  /** Approval requests this operation decides (approval.approve / approval.reject), else []. */
  approvalIds: string[];
  /** 16 random bytes, base64url: two intents are never the same text. */
  nonce: string;
  /** ISO 8601 (ms, UTC): the intent may not be acted on after this time. */
  expiresAt: string;
}

/** A stored WebAuthn assertion (binary values base64url, as SimpleWebAuthn hands them over). */
export interface StoredAssertion {
  credentialId: string;
  authenticatorData: string;
  clientDataJSON: string;
  signature: string;
  userHandle?: string;
}

/** What an audit event's `details.signature` holds for a passkey step-up. */
export interface SignatureEvidence {
  format: typeof INTENT_FORMAT;
  /** The exact JCS text whose SHA-256 was the challenge. */
  intent: string;
  assertion: StoredAssertion;
}

/** One credential in credentials.json. */
export interface BundleCredential {
  credentialId: string;
  userId: string;
  /** The passkey's name, as its owner named it. */
  name: string;
  userName: string | null;
  /** COSE_Key, base64url, as registered. */
  publicKey: string;
  algorithm: number;
  createdAt: string;
  /** The seq of the event that recorded its registration, when it can be found. */
  registrationSeq: number | null;
}

/** The RFC 8785 text of an intent (what is hashed and stored). */
export function intentText(intent: SignedIntent): string {
  return canonicalize(intent);
}

/** The WebAuthn challenge of an intent: SHA-256 of its JCS text. */
export function intentChallenge(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The ids an input names, for the intent's `targets`: the string values (or
 * string arrays) of top-level `id`, `ids`, `role` and `…Id` / `…Ids` members,
 * sorted and de-duplicated. Every record operation's target function reads one
 * of these (defineAction refuses a proof whose intent does not name the target).
 */
export function intentTargets(input: unknown): string[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [];
  const out = new Set<string>();
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (!/^(id|ids|role|[a-z][A-Za-z0-9]*Ids?)$/.test(key)) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) if (typeof v === 'string' && v.length > 0 && v.length <= 256) out.add(v);
  }
  return [...out].sort();
}

export type AssertionFailure =
  | 'malformed'
  | 'key_unreadable'
  | 'wrong_type'
  | 'challenge_mismatch'
  | 'origin_mismatch'
  | 'cross_origin'
  | 'rp_mismatch'
  | 'user_not_present'
  | 'user_not_verified'
  | 'bad_signature';

/**
 * Re-checks a stored assertion against an intent text and a COSE public key,
 * as WebAuthn L3 §7.2 does: clientDataJSON.type "webauthn.get", its challenge
 * = base64url(SHA-256(intent)), its origin the console's, not cross-origin;
 * authenticatorData's rpIdHash = SHA-256(rpId), UP and UV set; the signature
 * over authenticatorData ‖ SHA-256(clientDataJSON) valid under the key (ES256
 * DER, EdDSA, RS256 PKCS#1 v1.5).
 */
export function verifyIntentAssertion(
  text: string,
  assertion: StoredAssertion,
  publicKeyCose: string,
  expected: { rpId: string; origin: string },
): { ok: true; signCount: number } | { ok: false; reason: AssertionFailure } {
  const fail = (reason: AssertionFailure) => ({ ok: false, reason }) as const;
  let clientDataBytes: Buffer;
  let authData: Buffer;
  let signature: Buffer;
  let clientData: Record<string, unknown>;
  try {
    clientDataBytes = fromB64url(assertion.clientDataJSON);
    authData = fromB64url(assertion.authenticatorData);
    signature = fromB64url(assertion.signature);
    const parsed: unknown = JSON.parse(clientDataBytes.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('malformed');
    clientData = parsed as Record<string, unknown>;
  } catch {
    return fail('malformed');
  }
  if (authData.length < 37 || signature.length === 0) return fail('malformed');
  let key: { alg: number; key: KeyObject };
  try {
    key = coseToKey(fromB64url(publicKeyCose));
  } catch {
    return fail('key_unreadable');
  }
  if (clientData.type !== 'webauthn.get') return fail('wrong_type');
  if (clientData.challenge !== intentChallenge(text).toString('base64url')) return fail('challenge_mismatch');
  if (clientData.origin !== expected.origin) return fail('origin_mismatch');
  if (clientData.crossOrigin === true) return fail('cross_origin');
  if (!authData.subarray(0, 32).equals(createHash('sha256').update(expected.rpId, 'utf8').digest())) return fail('rp_mismatch');
  const flags = authData[32]!;
  if (!(flags & 0x01)) return fail('user_not_present');
  if (!(flags & 0x04)) return fail('user_not_verified');
  const data = Buffer.concat([authData, createHash('sha256').update(clientDataBytes).digest()]);
  let valid = false;
  try {
    if (key.alg === -8) valid = verifySignature(null, data, key.key, signature);
    else if (key.alg === -7) valid = verifySignature('sha256', data, { key: key.key, dsaEncoding: 'der' }, signature);
    else if (key.alg === -257) valid = verifySignature('sha256', data, key.key, signature);
  } catch {
    valid = false;
  }
  if (!valid) return fail('bad_signature');
  return { ok: true, signCount: authData.readUInt32BE(33) };
}

/** The audit event fields a signature is checked against (as events.jsonl has them). */
export interface SignedEventView {
  seq: number;
  ts: string;
  actorId: string | null;
  actorSessionId: string | null;
  operation: string;
  targetType: string | null;
  targetId: string | null;
  policyVersion: string;
  details: Record<string, unknown>;
}

export type SignedEventCheck =
  | { status: 'none' }
  | { status: 'code' }
  | {
      status: 'valid';
      intent: SignedIntent;
      credential: BundleCredential;
    }
  | {
      status: 'invalid';
      /**
       * forged_signature: the assertion does not verify; intent_mismatch: a valid signature over another operation;
       * signature_missing: the event says "stepped up with a passkey" but carries no signature; intent_replayed: the
       * signed intent already authorized an earlier event (the same classes as tools/warden-verify.mjs).
       */
      problem:
        'forged_signature' | 'intent_mismatch' | 'unknown_credential' | 'malformed_signature' | 'signature_missing' | 'intent_replayed';
      message: string;
      intent?: SignedIntent;
    };

/**
 * Checks one event's signature evidence: the intent must describe this event
 * (operation — for `approval.request` the operation requested —, actor,
 * session, policy version, the target for record operations, the approval and
 * its frozen digest for approval decisions, not expired before the event), and
 * the assertion must verify under the credential of the event's actor.
 * `status: 'code'` is a step-up by authenticator code (no user signature). Whether the
 * intent already authorized an earlier event (intent_replayed) needs the trail: the
 * caller checks it (lib/dal/audit-signature.ts).
 */
export function checkSignedEvent(
  event: SignedEventView,
  credentials: ReadonlyMap<string, BundleCredential>,
  expected: { rpId: string; origin: string },
): SignedEventCheck {
  const details = event.details;
  const evidence = details.signature;
  if (evidence === undefined) {
    if (details.stepUp === true && details.stepUpMethod === 'otp') return { status: 'code' };
    // A passkey step-up always records its signature: one without it was removed (as the verifier's signature_missing).
    if (details.stepUp === true && details.stepUpMethod === 'passkey') {
      return {
        status: 'invalid',
        problem: 'signature_missing',
        message: 'the event says it was stepped up with a passkey but carries no signature',
      };
    }
    return { status: 'none' };
  }
  const malformed = (message: string): SignedEventCheck => ({ status: 'invalid', problem: 'malformed_signature', message });
  if (!isRecord(evidence) || evidence.format !== INTENT_FORMAT || typeof evidence.intent !== 'string' || !isRecord(evidence.assertion)) {
    return malformed('the signature evidence is not a warden.intent.v1 record');
  }
  const a = evidence.assertion;
  if (!['credentialId', 'authenticatorData', 'clientDataJSON', 'signature'].every((k) => typeof a[k] === 'string')) {
    return malformed('the stored assertion is incomplete');
  }
  const assertion = a as unknown as StoredAssertion;
  let intent: SignedIntent;
  try {
    intent = JSON.parse(evidence.intent) as SignedIntent;
    if (!isRecord(intent) || canonicalize(intent) !== evidence.intent) return malformed('the stored intent is not RFC 8785 canonical JSON');
  } catch {
    return malformed('the stored intent is not JSON');
  }
  const credential = credentials.get(assertion.credentialId);
  if (!credential) {
    return {
      status: 'invalid',
      problem: 'unknown_credential',
      message: `credential ${assertion.credentialId.slice(0, 16)}… is not in the bundle`,
      intent,
    };
  }
  const checked = verifyIntentAssertion(evidence.intent, assertion, credential.publicKey, expected);
  if (!checked.ok)
    return { status: 'invalid', problem: 'forged_signature', message: `the assertion does not verify (${checked.reason})`, intent };
  const mismatch = intentMismatch(event, intent, credential);
  if (mismatch) return { status: 'invalid', problem: 'intent_mismatch', message: mismatch, intent };
  return { status: 'valid', intent, credential };
}

/** Why a (validly signed) intent does not describe this event, or null. */
export function intentMismatch(event: SignedEventView, intent: SignedIntent, credential: BundleCredential): string | null {
  const details = event.details;
  const operation = event.operation === 'approval.request' ? details.operation : event.operation;
  if (intent.v !== INTENT_FORMAT) return 'the intent has an unknown format';
  if (intent.operation !== operation) return `the signed intent is for ${String(intent.operation)}, the event is ${String(operation)}`;
  if (intent.actor !== event.actorId) return 'the signed intent names another actor';
  if (credential.userId !== event.actorId) return 'the passkey belongs to someone other than the actor';
  if (intent.sessionId !== event.actorSessionId) return 'the signed intent names another session';
  if (intent.policyVersion !== event.policyVersion) return 'the signed intent names another policy version';
  if (typeof intent.expiresAt !== 'string' || !(Date.parse(intent.expiresAt) >= Date.parse(event.ts))) {
    return 'the event was recorded after the signed intent expired';
  }
  if (!Array.isArray(intent.targets) || !Array.isArray(intent.approvalIds)) return 'the signed intent is incomplete';
  if (intent.targetKind === 'record') {
    // A frozen two-person request targets the request; the record it changes is in its details.
    const frozen = isRecord(details.target) ? details.target.id : undefined;
    const targetId = event.operation === 'approval.request' ? frozen : event.targetId;
    if (typeof targetId !== 'string' || !intent.targets.includes(targetId)) return 'the signed intent names another target';
  }
  if (event.operation === 'approval.approve' || event.operation === 'approval.reject') {
    if (!event.targetId || !intent.approvalIds.includes(event.targetId)) return 'the signed intent decides another approval request';
    const signedDigest = isRecord(intent.input) ? intent.input.digest : undefined;
    if (event.operation === 'approval.approve' && signedDigest !== details.digest) {
      return 'the signed digest is not the frozen request’s digest';
    }
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decodes unpadded base64url in its canonical spelling only: a text that does not
 * re-encode to itself (padding, a stray character, set bits after the last byte,
 * which decoders ignore) is refused, so every changed character of a stored value
 * is a changed value and fails verification.
 */
function fromB64url(text: string): Buffer {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) throw new TypeError('not base64url');
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw new TypeError('not canonical base64url');
  return bytes;
}

/** A COSE_Key (RFC 9052 §7; EC2 P-256, OKP Ed25519, RSA) as a node KeyObject. */
export function coseToKey(bytes: Buffer): { alg: number; key: KeyObject } {
  const [map] = decodeCbor(bytes, 0);
  if (!(map instanceof Map)) throw new TypeError('not a COSE key');
  const kty = map.get(1);
  const alg = map.get(3);
  const b64 = (v: unknown) => {
    if (!(v instanceof Uint8Array)) throw new TypeError('bad key parameter');
    return Buffer.from(v).toString('base64url');
  };
  let jwk: JsonWebKey;
  if (kty === 2 && alg === -7 && map.get(-1) === 1) jwk = { kty: 'EC', crv: 'P-256', x: b64(map.get(-2)), y: b64(map.get(-3)) };
  else if (kty === 1 && alg === -8 && map.get(-1) === 6) jwk = { kty: 'OKP', crv: 'Ed25519', x: b64(map.get(-2)) };
  else if (kty === 3 && alg === -257) jwk = { kty: 'RSA', n: b64(map.get(-1)), e: b64(map.get(-2)) };
  else throw new TypeError('unsupported COSE key');
  return { alg: alg as number, key: createPublicKey({ key: jwk, format: 'jwk' }) };
}

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor> | boolean | null;

/** Minimal CBOR decoder (RFC 8949): unsigned/negative integers, byte/text strings, arrays, maps, simple values. */
function decodeCbor(buf: Buffer, at: number, depth = 0): [Cbor, number] {
  if (depth > 8 || at >= buf.length) throw new TypeError('bad CBOR');
  const head = buf[at]!;
  const major = head >> 5;
  const info = head & 0x1f;
  let pos = at + 1;
  let len: number;
  if (info < 24) len = info;
  else if (info === 24) len = buf.readUInt8(pos++);
  else if (info === 25) {
    len = buf.readUInt16BE(pos);
    pos += 2;
  } else if (info === 26) {
    len = buf.readUInt32BE(pos);
    pos += 4;
  } else throw new TypeError('unsupported CBOR length');
  switch (major) {
    case 0:
      return [len, pos];
    case 1:
      return [-1 - len, pos];
    case 2:
    case 3: {
      if (pos + len > buf.length) throw new TypeError('truncated CBOR');
      const slice = buf.subarray(pos, pos + len);
      return [major === 2 ? new Uint8Array(slice) : slice.toString('utf8'), pos + len];
    }
    case 4: {
      const out: Cbor[] = [];
      for (let i = 0; i < len; i++) {
        const [v, next] = decodeCbor(buf, pos, depth + 1);
        out.push(v);
        pos = next;
      }
      return [out, pos];
    }
    case 5: {
      const out = new Map<Cbor, Cbor>();
      for (let i = 0; i < len; i++) {
        const [k, afterKey] = decodeCbor(buf, pos, depth + 1);
        const [v, afterValue] = decodeCbor(buf, afterKey, depth + 1);
        out.set(k, v);
        pos = afterValue;
      }
      return [out, pos];
    }
    case 7:
      if (info === 20) return [false, pos];
      if (info === 21) return [true, pos];
      if (info === 22) return [null, pos];
      throw new TypeError('unsupported CBOR simple value');
    default:
      throw new TypeError('unsupported CBOR type');
  }
}
