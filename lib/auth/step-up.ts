import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { canonicalize } from '@/lib/audit/canonical-json';
import { recordAudit } from '@/lib/audit/record';
import { now } from '@/lib/clock';
import { db } from '@/lib/db';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';
import { establishSession } from './next-auth';
import { recordAccountFailure } from './throttle';
import { mintTicket } from './tickets';
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
  | { method: 'passkey'; options: Awaited<ReturnType<typeof startPasskeyAuthentication>> }
  | { method: 'totp'; challengeId: string }
  | { method: 'unavailable' };

/** Issues the challenge for a step-up of `operation` with `input`. */
export async function beginStepUp(viewer: Viewer, operation: string, input: unknown): Promise<StepUpStart> {
  const client = await db();
  const binding = stepUpBinding(operation, input, viewer.sessionId);
  const user = await client.user.findUniqueOrThrow({
    where: { id: viewer.userId },
    select: { totpEnabledAt: true, _count: { select: { webauthnCredentials: true } } },
  });
  if (user._count.webauthnCredentials > 0) {
    const options = await startPasskeyAuthentication(client, {
      userId: viewer.userId,
      purpose: 'step_up',
      sessionId: viewer.sessionId,
      binding,
      operation,
    });
    return { method: 'passkey', options };
  }
  if (user.totpEnabledAt) {
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
  return { method: 'unavailable' };
}

export type StepUpEvidence = { method: 'passkey'; response: unknown } | { method: 'totp'; challengeId: string; code: string };

/**
 * Verifies the evidence against the binding recomputed from `operation`,
 * `input` and the current session, then issues a single-use proof and renews
 * the session. Returns the proof token for the action call.
 */
export async function completeStepUp(
  viewer: Viewer,
  operation: string,
  input: unknown,
  evidence: StepUpEvidence,
): Promise<{ ok: true; proof: string } | { ok: false; reason: string }> {
  const client = await db();
  const binding = stepUpBinding(operation, input, viewer.sessionId);
  const actor = { id: viewer.userId, role: viewer.role, sessionId: viewer.sessionId };
  let method: 'hwk' | 'otp';
  let failure: string | null = null;
  if (evidence.method === 'passkey') {
    method = 'hwk';
    const result = await finishPasskeyAuthentication(client, evidence.response as never, {
      purpose: 'step_up',
      userId: viewer.userId,
      sessionId: viewer.sessionId,
      binding,
    });
    if (!result.ok) failure = result.reason;
  } else {
    method = 'otp';
    // Single use: the pending record is deleted before the code is checked.
    const claimed = await client.authChallenge.deleteMany({
      where: {
        challenge: evidence.challengeId,
        purpose: 'step_up_otp',
        userId: viewer.userId,
        sessionId: viewer.sessionId,
        binding,
        expiresAt: { gt: now() },
      },
    });
    if (claimed.count !== 1) failure = 'challenge_invalid';
    else {
      const totp = await consumeTotp(client, viewer.userId, evidence.code);
      if (!totp.ok) failure = totp.reason;
    }
  }

  if (failure) {
    await client.$transaction(async (tx) => {
      if (failure !== 'challenge_invalid') await recordAccountFailure(tx, viewer.userId);
      await recordAudit(tx, {
        actor,
        operation: 'auth.step_up',
        outcome: 'failure',
        reasonCode: failure,
        details: { forOperation: operation, method },
        decision: 'authn.step_up',
      });
    });
    return { ok: false, reason: failure };
  }

  const proof = newToken();
  const at = now();
  const ticket = await client.$transaction(async (tx) => {
    await tx.stepUpProof.create({
      data: {
        tokenHash: hashToken(proof),
        userId: viewer.userId,
        sessionId: viewer.sessionId,
        operation,
        binding,
        method,
        createdAt: at,
        expiresAt: new Date(at.getTime() + AUTHENTICATION_POLICY.stepUpProofTtlMs),
      },
    });
    await recordAudit(tx, {
      actor,
      operation: 'auth.step_up',
      outcome: 'success',
      details: { forOperation: operation, method, binding },
      decision: 'authn.step_up',
    });
    return mintTicket(tx, { userId: viewer.userId, purpose: 'rotate', sessionId: viewer.sessionId, amr: method });
  });
  await establishSession(ticket);
  return { ok: true, proof };
}

/**
 * Spends a proof for exactly this operation, input, session and user, once,
 * within its TTL. Anything else — another operation or input, another session,
 * a replay, an old proof — is refused.
 */
export async function consumeStepUpProof(viewer: Viewer, operation: string, input: unknown, proof: unknown): Promise<boolean> {
  if (!isTokenShaped(proof)) return false;
  const client = await db();
  const used = await client.stepUpProof.updateMany({
    where: {
      tokenHash: hashToken(proof),
      userId: viewer.userId,
      sessionId: viewer.sessionId,
      operation,
      binding: stepUpBinding(operation, input, viewer.sessionId),
      usedAt: null,
      expiresAt: { gt: now() },
    },
    data: { usedAt: now() },
  });
  return used.count === 1;
}
