import 'server-only';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { COSEALG, cose, decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';
import { intentChallenge, type StoredAssertion } from '@/lib/audit/signed-intent';
import { now } from '@/lib/clock';
import type { Db, Tx } from '@/lib/db';
import { AuthenticationResponseSchema, RegistrationResponseSchema } from '@/lib/validation/auth';
import {
  checkSignCount,
  isCrossOriginClientData,
  normalizePasskeyName,
  readClientChallenge,
  resolvePasskeyPolicy,
  toPasskeyDTO,
  userHandleOf,
  webauthnConfig,
  type PasskeyDTO,
  type PasskeyPolicy,
} from './webauthn-config';

/**
 * Passkey ceremonies (WebAuthn L3 §7.1 registration, §7.2 authentication) and the
 * passkey list of an account. Nothing here audits: callers write the audit row.
 *
 * Challenges (T10; ASVS V6.7.2, V11.5.1): 32 random bytes, ≤ 5 minutes, bound to a
 * purpose and to the userId / sessionId / binding given when they were issued; the
 * finishing call must present the same values. A challenge row is deleted before the
 * response is verified, so it is single-use even when verification then fails.
 * The ceremonies take the client `Db`, not a transaction: a rollback must never
 * bring a consumed challenge back.
 */

export type { PasskeyDTO, PasskeyPolicy } from './webauthn-config';

/** AuthChallenge purposes of passkey sign-in and step-up. */
export type PasskeyAuthenticationPurpose = 'webauthn.authenticate' | 'step_up';
type ChallengePurpose = 'webauthn.register' | PasskeyAuthenticationPurpose;
type ChallengeScope = { purpose: ChallengePurpose; userId: string | null; sessionId: string | null; binding: string | null };

/** Why a registration was refused. */
export type PasskeyRegistrationFailure =
  | 'name_invalid'
  | 'challenge_invalid'
  | 'verification_failed'
  | 'user_not_verified'
  | 'algorithm_not_allowed'
  | 'credential_in_use'
  | 'credential_registered_before'
  | 'device_bound_required';
/** The outcome of {@link finishPasskeyRegistration}: the new passkey, or why it was refused (for the caller's audit row). */
export type PasskeyRegistrationResult = { ok: true; credential: PasskeyDTO } | { ok: false; reason: PasskeyRegistrationFailure };

/** Why an assertion was refused. `counter_regression` is audited by the caller as `auth.webauthn_counter_regression`. */
export type PasskeyAuthenticationFailure =
  | 'challenge_invalid'
  | 'credential_not_found'
  | 'credential_flagged'
  | 'verification_failed'
  | 'user_not_verified'
  | 'counter_regression'
  | 'counter_conflict';
/**
 * The outcome of {@link finishPasskeyAuthentication}. `userId` on success is the verified
 * owner; on `counter_regression` it names the owner of the flagged passkey (the signature
 * was valid), so the caller can audit it. Other refusals name nobody.
 */
export type PasskeyAuthenticationResult =
  | {
      ok: true;
      userId: string;
      credentialId: string;
      passkeyId: string;
      binding: string | null;
      /** For a step-up with a signed intent (issue 13): the intent whose SHA-256 was the challenge, and the verified assertion. */
      signed?: { intent: string; assertion: StoredAssertion };
    }
  | { ok: false; reason: 'counter_regression'; userId: string; credentialId: string; passkeyId: string }
  | { ok: false; reason: Exclude<PasskeyAuthenticationFailure, 'counter_regression'> };

/** The user a passkey is registered for. */
export interface PasskeyUser {
  id: string;
  email: string;
  name: string;
  role: string;
}

/** The counter column is a signed 32-bit Int; a larger signCount cannot be stored faithfully. */
const MAX_STORED_COUNTER = 2 ** 31 - 1;
/** Every algorithm the library knows, for the diagnosis pass only (see labelRegistrationFailure). */
const ANY_ALGORITHM = Object.values(COSEALG).filter((v): v is number => typeof v === 'number');

/**
 * Registration options for `startRegistration({ optionsJSON })` (WebAuthn L3 §5.4):
 * user verification and a discoverable credential required, attestation 'none',
 * only the policy's algorithms (ES256, EdDSA), the user's existing passkeys excluded.
 * Call only after a fresh step-up (T13; ASVS V6.4.1).
 */
export async function startPasskeyRegistration(
  db: Db,
  user: PasskeyUser,
  opts: { sessionId?: string | null; policy?: Partial<PasskeyPolicy> } = {},
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const policy = resolvePasskeyPolicy(opts.policy);
  const { rpID, rpName } = webauthnConfig();
  const existing = await db.webAuthnCredential.findMany({ where: { userId: user.id }, select: { credentialId: true, transports: true } });
  const challenge = await issueChallenge(
    db,
    { purpose: 'webauthn.register', userId: user.id, sessionId: opts.sessionId ?? null, binding: null },
    null,
    policy,
  );
  return generateRegistrationOptions({
    rpName,
    rpID,
    userName: user.email,
    userDisplayName: user.name,
    userID: userHandleOf(user.id),
    challenge,
    timeout: policy.challengeTtlMs,
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.credentialId, transports: parseTransports(c.transports) })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    supportedAlgorithmIDs: [...policy.passkeyAlgorithms],
  });
}

/**
 * Verifies a `startRegistration` response and stores the passkey (WebAuthn L3 §7.1).
 * Refused: a consumed, expired or foreign challenge; origin or RP ID other than the
 * configured ones (T09); UV = 0; an algorithm outside the policy; a credential id
 * already registered by anyone (T13), or registered at any time before, even if
 * that passkey was removed since (`credential_registered_before`; issue 13); a
 * backup-eligible credential for a role the policy requires device-bound passkeys
 * for (T13). `response` is untrusted input.
 */
export async function finishPasskeyRegistration(
  db: Db,
  user: PasskeyUser,
  response: unknown,
  opts: {
    name: string;
    sessionId?: string | null;
    policy?: Partial<PasskeyPolicy>;
    /**
     * Runs in the transaction that stores the credential (the caller's audit event), so both commit or neither.
     * `key` is what an offline verifier needs to re-check this passkey's signatures (issue 13).
     */
    onStored?: (tx: Tx, credential: PasskeyDTO, key: { credentialId: string; publicKey: string; algorithm: number }) => Promise<void>;
  },
): Promise<PasskeyRegistrationResult> {
  const refuse = (reason: PasskeyRegistrationFailure) => ({ ok: false, reason }) as const;
  const name = normalizePasskeyName(opts.name);
  if (name === null) return refuse('name_invalid');
  const policy = resolvePasskeyPolicy(opts.policy);
  const challenge = readClientChallenge(response);
  const scope: ChallengeScope = { purpose: 'webauthn.register', userId: user.id, sessionId: opts.sessionId ?? null, binding: null };
  if (challenge === null || !(await consumeChallenge(db, challenge, scope))) return refuse('challenge_invalid');
  const parsed = RegistrationResponseSchema.safeParse(response);
  if (!parsed.success || isCrossOriginClientData(parsed.data.response.clientDataJSON)) return refuse('verification_failed');

  const { rpID, expectedOrigin } = webauthnConfig();
  const verify = (strict: boolean) =>
    verifyRegistrationResponse({
      // The schema checked shapes and sizes; the library's type differs only in its extension-output typing.
      response: parsed.data as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin,
      expectedRPID: rpID,
      requireUserPresence: true,
      requireUserVerification: strict,
      supportedAlgorithmIDs: strict ? [...policy.passkeyAlgorithms] : ANY_ALGORITHM,
    });
  let verified: Awaited<ReturnType<typeof verify>>;
  try {
    verified = await verify(true);
  } catch {
    return refuse(await labelRegistrationFailure(verify, policy));
  }
  if (!verified.verified) return refuse('verification_failed');
  const info = verified.registrationInfo;
  const algorithm = decodeCredentialPublicKey(info.credential.publicKey).get(cose.COSEKEYS.alg);
  if (!info.userVerified) return refuse('user_not_verified');
  if (algorithm === undefined || !policy.passkeyAlgorithms.includes(algorithm)) return refuse('algorithm_not_allowed');
  if (info.credential.counter > MAX_STORED_COUNTER) return refuse('verification_failed');
  const synced = info.credentialDeviceType === 'multiDevice' || info.credentialBackedUp;
  if (synced && policy.deviceBoundPasskeysFor.includes(user.role)) return refuse('device_bound_required');
  // Never attach, overwrite or move a credential id that exists, whoever owns it (T13).
  const taken = await db.webAuthnCredential.findUnique({ where: { credentialId: info.credential.id }, select: { id: true } });
  if (taken) return refuse('credential_in_use');
  // Nor reuse one that was ever registered (issue 13): the trail would hold two keys or owners for one
  // id, and an offline verifier could attribute a signature to neither, or to the wrong one.
  if (await registeredBefore(db, info.credential.id)) return refuse('credential_registered_before');
  try {
    const credential = await db.$transaction(async (tx) => {
      const row = await tx.webAuthnCredential.create({
        data: {
          userId: user.id,
          credentialId: info.credential.id,
          publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
          counter: info.credential.counter,
          transports: JSON.stringify(sanitizeTransports(info.credential.transports)),
          deviceType: info.credentialDeviceType,
          backedUp: info.credentialBackedUp,
          algorithm,
          aaguid: info.aaguid,
          name,
          createdAt: now(),
        },
      });
      const dto = toPasskeyDTO(row);
      await opts.onStored?.(tx, dto, { credentialId: row.credentialId, publicKey: row.publicKey, algorithm });
      return dto;
    });
    return { ok: true, credential };
  } catch (error) {
    // Two registrations of one credential id racing: the unique index decides.
    if (isUniqueViolation(error)) return refuse('credential_in_use');
    throw error;
  }
}

/**
 * Assertion options for `startAuthentication({ optionsJSON })` with user verification
 * required (T11). With `userId`, only that user's unflagged passkeys are allowed;
 * without, the list is empty (usernameless, discoverable credentials). A step-up
 * challenge must carry the user, the session and the binding of the operation it
 * will authorize (T23); missing ones are a programming error and throw.
 */
export async function startPasskeyAuthentication(
  db: Db,
  input: {
    purpose: PasskeyAuthenticationPurpose;
    userId?: string;
    sessionId?: string;
    binding?: string;
    operation?: string;
    policy?: Partial<PasskeyPolicy>;
    /** A signed intent (issue 13): its SHA-256 is the challenge instead of random bytes; stored with the challenge. */
    intent?: { text: string; challenge: Uint8Array };
  },
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const scope = authenticationScope(input);
  const policy = resolvePasskeyPolicy(input.policy);
  const credentials = input.userId
    ? await db.webAuthnCredential.findMany({
        where: { userId: input.userId, flaggedAt: null },
        select: { credentialId: true, transports: true },
      })
    : [];
  const challenge = await issueChallenge(db, scope, input.operation ?? null, policy, input.intent);
  return generateAuthenticationOptions({
    rpID: webauthnConfig().rpID,
    challenge,
    timeout: policy.challengeTtlMs,
    userVerification: 'required',
    allowCredentials: credentials.map((c) => ({ id: c.credentialId, transports: parseTransports(c.transports) })),
  });
}

/**
 * Verifies a `startAuthentication` response (WebAuthn L3 §7.2). The challenge row is
 * consumed first (T10); the credential must exist, be unflagged and, when a user is
 * expected (step-up, second factor), belong to that user; origin and RP ID come from
 * configuration (T09); UV is required (T11); the signature counter must increase
 * unless both values are 0 (T12): a regression flags the credential. On success the
 * counter and lastUsedAt are updated with a compare-and-swap on the old counter.
 */
export async function finishPasskeyAuthentication(
  db: Db,
  response: unknown,
  input: { purpose: PasskeyAuthenticationPurpose; userId?: string; sessionId?: string; binding?: string },
): Promise<PasskeyAuthenticationResult> {
  const refuse = (reason: Exclude<PasskeyAuthenticationFailure, 'counter_regression'>) => ({ ok: false, reason }) as const;
  const scope = authenticationScope(input);
  const challenge = readClientChallenge(response);
  // A signed intent stays with its challenge; read before the row is consumed (it never changes).
  const issued = challenge === null ? null : await db.authChallenge.findUnique({ where: { challenge }, select: { intent: true } });
  if (challenge === null || !(await consumeChallenge(db, challenge, scope))) return refuse('challenge_invalid');
  const intent = issued?.intent ?? null;
  if (intent !== null && intentChallenge(intent).toString('base64url') !== challenge) return refuse('challenge_invalid');
  const parsed = AuthenticationResponseSchema.safeParse(response);
  if (!parsed.success || isCrossOriginClientData(parsed.data.response.clientDataJSON)) return refuse('verification_failed');
  // The schema checked shapes and sizes; the library's type differs only in its extension-output typing.
  const assertion = parsed.data as AuthenticationResponseJSON;

  const credential = await db.webAuthnCredential.findUnique({ where: { credentialId: assertion.id } });
  if (!credential || (scope.userId !== null && credential.userId !== scope.userId)) return refuse('credential_not_found');
  if (credential.flaggedAt) return refuse('credential_flagged');
  // §7.2 step 6: the user handle, when given, names the credential's owner; a usernameless ceremony must have one.
  const handle = assertion.response.userHandle;
  const expectedHandle = Buffer.from(userHandleOf(credential.userId)).toString('base64url');
  if (handle ? handle !== expectedHandle : scope.userId === null) return refuse('verification_failed');

  const { rpID, expectedOrigin } = webauthnConfig();
  const verify = (requireUserVerification: boolean) =>
    verifyAuthenticationResponse({
      response: assertion,
      expectedChallenge: challenge,
      expectedOrigin,
      expectedRPID: rpID,
      expectedType: 'webauthn.get',
      // Counter 0: the library compares counters before it checks the signature. The rule is
      // applied below on a verified assertion, so a forged response cannot get a passkey flagged.
      credential: { id: credential.credentialId, publicKey: new Uint8Array(Buffer.from(credential.publicKey, 'base64url')), counter: 0 },
      requireUserVerification,
    });
  let verified: Awaited<ReturnType<typeof verify>>;
  try {
    verified = await verify(true);
  } catch {
    return refuse(await labelAuthenticationFailure(verify));
  }
  const info = verified.authenticationInfo;
  if (!verified.verified) return refuse('verification_failed');
  if (!info.userVerified) return refuse('user_not_verified');
  if (info.newCounter > MAX_STORED_COUNTER) return refuse('verification_failed');

  const ids = { userId: credential.userId, credentialId: credential.credentialId, passkeyId: credential.id };
  if (checkSignCount(credential.counter, info.newCounter) === 'regression') {
    await db.webAuthnCredential.updateMany({ where: { id: credential.id, flaggedAt: null }, data: { flaggedAt: now() } });
    return { ok: false, reason: 'counter_regression', ...ids };
  }
  // Compare-and-swap on the counter read above: of two racing assertions only one is accepted.
  const { count } = await db.webAuthnCredential.updateMany({
    where: { id: credential.id, counter: credential.counter, flaggedAt: null },
    data: { counter: info.newCounter, lastUsedAt: now(), backedUp: info.credentialBackedUp },
  });
  if (count !== 1) return refuse('counter_conflict');
  const stored: StoredAssertion = {
    credentialId: credential.credentialId,
    authenticatorData: assertion.response.authenticatorData,
    clientDataJSON: assertion.response.clientDataJSON,
    signature: assertion.response.signature,
    ...(handle ? { userHandle: handle } : {}),
  };
  return { ok: true, ...ids, binding: scope.binding, ...(intent !== null ? { signed: { intent, assertion: stored } } : {}) };
}

/**
 * Whether an `account.passkey_register` event ever recorded this credential id
 * (`details.credentialId`, events since issue 13), whether or not the passkey still
 * exists: the audit trail is append-only, so it remembers removed passkeys.
 * `contains` is a LIKE, where `_` matches any character and SQLite ignores ASCII
 * case: every candidate is parsed and compared exactly, so another credential id
 * that merely matches the pattern does not block this one.
 */
async function registeredBefore(db: Db, credentialId: string): Promise<boolean> {
  const candidates = await db.auditEvent.findMany({
    where: { operation: 'account.passkey_register', details: { contains: `"credentialId":"${credentialId}"` } },
    select: { details: true },
  });
  return candidates.some((e) => {
    try {
      return (JSON.parse(e.details) as { credentialId?: unknown }).credentialId === credentialId;
    } catch {
      return false;
    }
  });
}

/** The user's passkeys, oldest first. */
export async function listPasskeys(db: Tx, userId: string): Promise<PasskeyDTO[]> {
  const rows = await db.webAuthnCredential.findMany({ where: { userId }, orderBy: { createdAt: 'asc' }, select: DTO_FIELDS });
  return rows.map(toPasskeyDTO);
}

/**
 * Renames one of the user's passkeys; null when the user has no passkey with that id
 * (ownership is part of the WHERE: another user's passkey is "not found"). Throws a
 * RangeError for a name the input schema should already have refused.
 */
export async function renamePasskey(tx: Tx, userId: string, id: string, name: string): Promise<PasskeyDTO | null> {
  const normalized = normalizePasskeyName(name);
  if (normalized === null) throw new RangeError('Invalid passkey name.');
  const { count } = await tx.webAuthnCredential.updateMany({ where: { id, userId }, data: { name: normalized } });
  if (count !== 1) return null;
  const row = await tx.webAuthnCredential.findFirst({ where: { id, userId }, select: DTO_FIELDS });
  return row ? toPasskeyDTO(row) : null;
}

/** Removes one of the user's passkeys and returns what was removed (for the caller's audit row); null when not found. */
export async function removePasskey(tx: Tx, userId: string, id: string): Promise<PasskeyDTO | null> {
  const row = await tx.webAuthnCredential.findFirst({ where: { id, userId }, select: DTO_FIELDS });
  if (!row) return null;
  const { count } = await tx.webAuthnCredential.deleteMany({ where: { id, userId } });
  return count === 1 ? toPasskeyDTO(row) : null;
}

const DTO_FIELDS = { id: true, name: true, createdAt: true, lastUsedAt: true, deviceType: true, flaggedAt: true } as const;

function authenticationScope(input: {
  purpose: PasskeyAuthenticationPurpose;
  userId?: string;
  sessionId?: string;
  binding?: string;
}): ChallengeScope {
  if (input.purpose === 'step_up' && !(input.userId && input.sessionId && input.binding)) {
    throw new Error('A step-up passkey challenge needs userId, sessionId and binding.');
  }
  return { purpose: input.purpose, userId: input.userId ?? null, sessionId: input.sessionId ?? null, binding: input.binding ?? null };
}

/** Stores a fresh challenge (and sweeps expired ones); returns its bytes for the options. */
async function issueChallenge(
  db: Db,
  scope: ChallengeScope,
  operation: string | null,
  policy: PasskeyPolicy,
  intent?: { text: string; challenge: Uint8Array },
): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = intent ? new Uint8Array(intent.challenge) : crypto.getRandomValues(new Uint8Array(32));
  const at = now();
  await db.authChallenge.deleteMany({ where: { expiresAt: { lte: at } } });
  await db.authChallenge.create({
    data: {
      challenge: Buffer.from(bytes).toString('base64url'),
      ...scope,
      operation,
      intent: intent?.text ?? null,
      createdAt: at,
      expiresAt: new Date(at.getTime() + policy.challengeTtlMs),
    },
  });
  return bytes;
}

/**
 * Deletes the challenge row if it matches the scope exactly and is unexpired; true when
 * this call deleted it. Whatever the outcome, the challenge is gone afterwards: a
 * challenge presented with the wrong purpose, user, session or binding, or too late,
 * is burnt as well, so each challenge is presented at most once (T10).
 */
async function consumeChallenge(db: Db, challenge: string, scope: ChallengeScope): Promise<boolean> {
  const { count } = await db.authChallenge.deleteMany({ where: { challenge, ...scope, expiresAt: { gt: now() } } });
  if (count === 1) return true;
  await db.authChallenge.deleteMany({ where: { challenge } });
  return false;
}

/**
 * Names a refusal precisely when the response passes every other check: the strict
 * verification failed, so re-run it without the UV and algorithm requirements. The
 * label is for the audit trail only; the response stays refused either way.
 */
async function labelRegistrationFailure(
  verify: (strict: boolean) => ReturnType<typeof verifyRegistrationResponse>,
  policy: PasskeyPolicy,
): Promise<PasskeyRegistrationFailure> {
  try {
    const lenient = await verify(false);
    if (!lenient.verified) return 'verification_failed';
    if (!lenient.registrationInfo.userVerified) return 'user_not_verified';
    const alg = decodeCredentialPublicKey(lenient.registrationInfo.credential.publicKey).get(cose.COSEKEYS.alg);
    return alg === undefined || !policy.passkeyAlgorithms.includes(alg) ? 'algorithm_not_allowed' : 'verification_failed';
  } catch {
    return 'verification_failed';
  }
}

/** As {@link labelRegistrationFailure}: 'user_not_verified' only for an otherwise valid, signed assertion with UV = 0. */
async function labelAuthenticationFailure(
  verify: (requireUserVerification: boolean) => ReturnType<typeof verifyAuthenticationResponse>,
): Promise<'user_not_verified' | 'verification_failed'> {
  try {
    const lenient = await verify(false);
    return lenient.verified && !lenient.authenticationInfo.userVerified ? 'user_not_verified' : 'verification_failed';
  } catch {
    return 'verification_failed';
  }
}

/** Transport hints as stored (a JSON array); unreadable or odd values are dropped, they are only hints. */
function parseTransports(json: string): string[] {
  try {
    return sanitizeTransports(JSON.parse(json));
  } catch {
    return [];
  }
}

function sanitizeTransports(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string' && /^[a-z-]{1,32}$/.test(t)).slice(0, 10) : [];
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
