import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { canonicalize } from '@/lib/audit/canonical-json';
import {
  INTENT_FORMAT,
  intentChallenge,
  intentTargets,
  intentText,
  type SignatureEvidence,
  type SignedIntent,
  type StoredAssertion,
} from '@/lib/audit/signed-intent';
import { isPersonalInputField } from '@/lib/audit/intent-words';
import { piiDigest, recordAuditWith, type AuditSourceContext } from '@/lib/audit/record';
import { now } from '@/lib/clock';
import { settingIn } from '@/lib/config/settings';
import type { Db } from '@/lib/db';
import { POLICY_VERSION } from '@/lib/policy-version';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';
import { OPERATIONS, signatureRequired, type OperationDefinition } from '@/policies/operations';
import { checkAccountGate, recordAccountFailure } from './throttle';
import { hashToken, isTokenShaped, newToken } from './tokens';
import { consumeTotp } from './totp';
import type { Viewer } from './viewer';
import { finishPasskeyAuthentication, startPasskeyAuthentication } from './webauthn';

/**
 * Step-up: a fresh proof of presence bound to one exact operation and input
 * (ARCHITECTURE "Step-up"; SECURITY.md T23). The binding is
 *   SHA-256( "warden.step-up.v1" ‖ 0x00 ‖ operation ‖ 0x00 ‖ RFC 8785 canonical input ‖ 0x00 ‖ session id )
 * so a proof for "delete user A" cannot delete user B, cannot be used from
 * another session, and is single-use within its TTL. A passkey assertion (user
 * verification required) is the proof; users without a passkey use a TOTP code
 * against a server-side pending record bound the same way. A step-up is a new
 * authentication event: audited, and the session's secret and authentication
 * time are renewed (T14).
 */

const DOMAIN = 'warden.step-up.v1';

/** The binding of an operation and its input to a session. */
export function stepUpBinding(operation: string, input: unknown, sessionId: string): string {
  return createHash('sha256')
    .update(DOMAIN)
    .update('\0')
    .update(operation)
    .update('\0')
    .update(canonicalize(input ?? {}))
    .update('\0')
    .update(sessionId)
    .digest('hex');
}

export type StepUpStart =
  | {
      method: 'passkey';
      options: Awaited<ReturnType<typeof startPasskeyAuthentication>>;
      /** The RFC 8785 intent the passkey signs (its SHA-256 is options.challenge), shown in words before the prompt. */
      intent: string;
    }
  | { method: 'totp'; challengeId: string }
  /**
   * passkey_required: a critical operation must be signed and the user has no passkey;
   * no_method: the user has no factor the step-up policy accepts.
   */
  | { method: 'unavailable'; reason: 'passkey_required' | 'no_method' };

/**
 * Whether a step-up for `operation` must be a passkey signature over its intent
 * (policies/operations.ts signatureRequired). An id outside the catalog fails closed.
 */
export function mustSign(operation: string): boolean {
  const op = (OPERATIONS as Record<string, OperationDefinition | undefined>)[operation];
  return !op || signatureRequired(op);
}

/**
 * The intent a passkey step-up signs (issue 13; lib/audit/signed-intent.ts): the
 * same operation, input and session as the binding, plus the records the input
 * names, the catalog's target kind, the actor, the policy version, the approval
 * request it decides, a nonce and an expiry that covers the challenge and the
 * proof's lifetime. Its SHA-256 is the WebAuthn challenge.
 */
export function stepUpIntent(viewer: Viewer, operation: string, input: unknown, at: Date, nonce: string): SignedIntent {
  const op = (OPERATIONS as Record<string, OperationDefinition | undefined>)[operation];
  const plain = personalFieldsHashed(JSON.parse(canonicalize(input ?? {})) as unknown);
  const id = typeof plain === 'object' && plain !== null ? (plain as Record<string, unknown>).id : undefined;
  return {
    v: INTENT_FORMAT,
    operation,
    input: plain,
    targets: op?.target === 'self' ? [viewer.userId] : intentTargets(plain),
    targetKind: op?.target ?? 'none',
    actor: viewer.userId,
    sessionId: viewer.sessionId,
    policyVersion: POLICY_VERSION,
    approvalIds: (operation === 'approval.approve' || operation === 'approval.reject') && typeof id === 'string' ? [id] : [],
    nonce,
    expiresAt: new Date(
      at.getTime() + AUTHENTICATION_POLICY.challengeTtlMs + AUTHENTICATION_POLICY.stepUpProofTtlMs + INTENT_WRITE_GRACE_MS,
    ).toISOString(),
  };
}

/**
 * How long after the proof's own expiry the intent stays valid: the event that spends
 * a proof is written after the spend, once it holds the audit-chain lock, and its ts
 * must not fall after the intent's expiry (the event page and the offline verifier
 * check it). Spending is still bounded by the proof's expiry.
 */
export const INTENT_WRITE_GRACE_MS = 60_000;

/** The input as a signed intent records it: personal fields as keyed hashes (never in clear in the trail). */
function personalFieldsHashed(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  return Object.fromEntries(
    Object.entries(input as Record<string, unknown>).map(([k, v]) =>
      isPersonalInputField(k) && typeof v === 'string' ? [k, piiDigest(/email$/i.test(k) ? v.trim().toLowerCase() : v)] : [k, v],
    ),
  );
}

/** Issues the challenge for a step-up of `operation` with `input`. */
export async function beginStepUp(client: Db, viewer: Viewer, operation: string, input: unknown): Promise<StepUpStart> {
  const binding = stepUpBinding(operation, input, viewer.sessionId);
  const user = await client.user.findUniqueOrThrow({
    where: { id: viewer.userId },
    select: { totpEnabledAt: true, _count: { select: { webauthnCredentials: true } } },
  });
  if (user._count.webauthnCredentials > 0) {
    // The challenge is the SHA-256 of the signed intent (issue 13), not random bytes:
    // the intent's nonce makes it unpredictable and unique.
    const intent = intentText(stepUpIntent(viewer, operation, input, now(), randomBytes(16).toString('base64url')));
    const options = await startPasskeyAuthentication(client, {
      userId: viewer.userId,
      purpose: 'step_up',
      sessionId: viewer.sessionId,
      binding,
      operation,
      intent: { text: intent, challenge: new Uint8Array(intentChallenge(intent)) },
    });
    return { method: 'passkey', options, intent };
  }
  // A critical operation is signed or not done (issue 13): an authenticator code signs nothing.
  if (mustSign(operation)) return { method: 'unavailable', reason: 'passkey_required' };
  // mfa.step_up_methods (critical configuration): "passkey only" refuses the authenticator-code path.
  if (user.totpEnabledAt && (await settingIn(client, 'mfa.step_up_methods')) === 'passkey_or_totp') {
    const challengeId = randomBytes(32).toString('base64url');
    const at = now();
    await client.authChallenge.create({
      data: {
        challenge: challengeId,
        purpose: 'step_up_otp',
        userId: viewer.userId,
        sessionId: viewer.sessionId,
        binding,
        operation,
        createdAt: at,
        expiresAt: new Date(at.getTime() + AUTHENTICATION_POLICY.challengeTtlMs),
      },
    });
    return { method: 'totp', challengeId };
  }
  return { method: 'unavailable', reason: 'no_method' };
}

/** Refusals that are not a guess at a factor, so they do not count towards the account lockout. */
const NOT_A_GUESS = new Set(['challenge_invalid', 'method_not_allowed', 'passkey_required', 'signature_missing']);

export type StepUpEvidence = { method: 'passkey'; response: unknown } | { method: 'totp'; challengeId: string; code: string };

/**
 * Verifies the evidence against the binding recomputed from `operation`,
 * `input` and the current session, then issues a single-use proof (audited as
 * `auth.step_up`). The caller renews the session (lib/auth/step-up-flow).
 */
export async function issueStepUpProof(
  client: Db,
  viewer: Viewer,
  operation: string,
  input: unknown,
  evidence: StepUpEvidence,
  ctx: AuditSourceContext,
): Promise<{ ok: true; proof: string; method: 'hwk' | 'otp' } | { ok: false; reason: string }> {
  const binding = stepUpBinding(operation, input, viewer.sessionId);
  const actor = { id: viewer.userId, role: viewer.role, sessionId: viewer.sessionId };
  const method: 'hwk' | 'otp' = evidence.method === 'passkey' ? 'hwk' : 'otp';
  let failure: string | null = null;
  let signed: { intent: string; assertion: StoredAssertion } | null = null;
  // A locked or throttled account gets no proof, whatever it presents: step-up
  // shares the one failure counter with sign-in (T07).
  const account = await client.user.findUniqueOrThrow({ where: { id: viewer.userId }, select: { lockedAt: true, lockedUntil: true } });
  const gate = checkAccountGate(account, now());
  if (!gate.allowed) {
    await client.$transaction((tx) =>
      recordAuditWith(
        tx,
        {
          actor,
          operation: 'auth.step_up',
          outcome: 'denied',
          reasonCode: gate.reason,
          details: { forOperation: operation, method },
          decision: 'authn.step_up',
        },
        ctx,
      ),
    );
    return { ok: false, reason: gate.reason };
  }
  if (evidence.method === 'passkey') {
    const result = await finishPasskeyAuthentication(client, evidence.response, {
      purpose: 'step_up',
      userId: viewer.userId,
      sessionId: viewer.sessionId,
      binding,
    });
    if (!result.ok) failure = result.reason;
    else if (result.signed) signed = result.signed;
    else if (mustSign(operation)) failure = 'signature_missing';
  } else if (mustSign(operation)) {
    failure = 'passkey_required';
  } else if ((await settingIn(client, 'mfa.step_up_methods')) !== 'passkey_or_totp') {
    failure = 'method_not_allowed';
  } else {
    // Single use: the viewer's own pending record is deleted before the binding,
    // expiry or code is compared, so presenting it with the wrong binding burns it
    // too. Someone else's record (or a passkey challenge) is left alone.
    const record = await client.authChallenge.findUnique({ where: { challenge: evidence.challengeId } });
    const owned = !!record && record.purpose === 'step_up_otp' && record.userId === viewer.userId && record.sessionId === viewer.sessionId;
    const claimed = owned ? await client.authChallenge.deleteMany({ where: { id: record.id } }) : { count: 0 };
    const matches = owned && claimed.count === 1 && record.binding === binding && record.expiresAt > now();
    if (!matches) failure = 'challenge_invalid';
    else {
      const totp = await consumeTotp(client, viewer.userId, evidence.code);
      if (!totp.ok) failure = totp.reason;
    }
  }

  if (failure) {
    const refused = failure;
    await client.$transaction(async (tx) => {
      // Only a wrong factor counts towards the lockout, not a refused method or a stale challenge.
      if (!NOT_A_GUESS.has(refused)) await recordAccountFailure(tx, viewer.userId);
      await recordAuditWith(
        tx,
        {
          actor,
          operation: 'auth.step_up',
          outcome: 'failure',
          reasonCode: failure,
          details: { forOperation: operation, method },
          decision: 'authn.step_up',
        },
        ctx,
      );
    });
    return { ok: false, reason: failure };
  }

  const proof = newToken();
  const at = now();
  await client.$transaction(async (tx) => {
    await tx.stepUpProof.create({
      data: {
        tokenHash: hashToken(proof),
        userId: viewer.userId,
        sessionId: viewer.sessionId,
        operation,
        binding,
        method,
        intent: signed?.intent ?? null,
        assertion: signed ? JSON.stringify(signed.assertion) : null,
        createdAt: at,
        expiresAt: new Date(at.getTime() + AUTHENTICATION_POLICY.stepUpProofTtlMs),
      },
    });
    await recordAuditWith(
      tx,
      {
        actor,
        operation: 'auth.step_up',
        outcome: 'success',
        details: { forOperation: operation, method, binding },
        decision: 'authn.step_up',
      },
      ctx,
    );
  });
  return { ok: true, proof, method };
}

/**
 * Spends a proof for exactly this operation, input, session and user, once,
 * within its TTL. Anything else — another operation or input, another session,
 * a replay, an old proof — is refused.
 */
export async function consumeStepUpProof(client: Db, viewer: Viewer, operation: string, input: unknown, proof: unknown): Promise<boolean> {
  return (await spendStepUpEvidence(client, viewer, operation, input, proof)) !== null;
}

/** How a spent step-up was made, and for a passkey the signed intent and assertion (issue 13). */
export interface StepUpSpent {
  method: 'passkey' | 'otp';
  signature: SignatureEvidence | null;
  /** The parsed intent of `signature`, for the caller's target check. */
  intent: SignedIntent | null;
}

/** As {@link consumeStepUpProof}, returning what the proof carries (null: refused). */
export async function spendStepUpEvidence(
  client: Db,
  viewer: Viewer,
  operation: string,
  input: unknown,
  proof: unknown,
): Promise<StepUpSpent | null> {
  if (!isTokenShaped(proof)) return null;
  const tokenHash = hashToken(proof);
  const used = await client.stepUpProof.updateMany({
    where: {
      tokenHash,
      userId: viewer.userId,
      sessionId: viewer.sessionId,
      operation,
      binding: stepUpBinding(operation, input, viewer.sessionId),
      usedAt: null,
      expiresAt: { gt: now() },
    },
    data: { usedAt: now() },
  });
  if (used.count !== 1) return null;
  const row = await client.stepUpProof.findUnique({ where: { tokenHash }, select: { method: true, intent: true, assertion: true } });
  if (!row) return null;
  if (row.method !== 'hwk' || !row.intent || !row.assertion) {
    // A critical operation runs only on a signed intent, whatever made the proof (fail closed).
    if (mustSign(operation)) return null;
    return { method: row.method === 'hwk' ? 'passkey' : 'otp', signature: null, intent: null };
  }
  const intent = JSON.parse(row.intent) as SignedIntent;
  // An intent for another operation, session or policy version, or one past its expiry, authorizes nothing.
  if (
    intent.operation !== operation ||
    intent.sessionId !== viewer.sessionId ||
    intent.actor !== viewer.userId ||
    intent.policyVersion !== POLICY_VERSION ||
    !(Date.parse(intent.expiresAt) > now().getTime())
  ) {
    return null;
  }
  const assertion = JSON.parse(row.assertion) as StoredAssertion;
  return { method: 'passkey', signature: { format: INTENT_FORMAT, intent: row.intent, assertion }, intent };
}
