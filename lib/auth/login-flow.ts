import 'server-only';
import { recordAudit, type AuditActor } from '@/lib/audit/record';
import { now } from '@/lib/clock';
import { db, type Tx } from '@/lib/db';
import { auditLimitHit, consumeOperationLimit, limitRefusalMessage } from '@/lib/dal/operation-limits';
import { requestContext } from '@/lib/request/context';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';
import { refusalFor, verifyPasswordFactor } from './first-factor';
import { establishSession } from './next-auth';
import {
  clearPendingCookie,
  consumePendingLogin,
  readPendingLogin,
  recordPendingFailure,
  startPendingLogin,
  type PendingLoginDTO,
} from './pending-login';
import { consumeRecoveryCode } from './recovery-codes';
import { checkAccountGate, checkRateLimits, recordAccountFailure, recordRateLimitFailure } from './throttle';
import { mintTicket } from './tickets';
import { consumeTotp } from './totp';
import { finishPasskeyAuthentication, startPasskeyAuthentication } from './webauthn';

/**
 * The sign-in flow, factor by factor. Each step verifies on the server, audits,
 * counts failures against the account's single counter, and only at the end
 * mints a one-time ticket that next-auth turns into the session cookie.
 *
 *   password ──► (no factor yet) session limited to enrolment
 *            └─► pending sign-in ──► TOTP | recovery code | passkey ──► session
 *   passkey (usernameless, user verification required) ──────────────► session
 */

export type FlowResult = { ok: true; next: 'console' | 'second-factor' | 'enrol' } | { ok: false; reason: 'refused' | 'restart' };

/** Step 1: email + password. */
export async function signInWithPassword(email: string, password: string): Promise<FlowResult> {
  const first = await verifyPasswordFactor(email, password);
  if (!first.ok) return { ok: false, reason: 'refused' };
  if (first.user.hasTotp || first.user.passkeys > 0) {
    await startPendingLogin(first.user.id);
    return { ok: true, next: 'second-factor' };
  }
  const client = await db();
  const ticket = await client.$transaction((tx) => mintTicket(tx, { userId: first.user.id, purpose: 'sign_in', amr: 'pwd' }));
  return (await establishSession(ticket)) ? { ok: true, next: 'enrol' } : { ok: false, reason: 'refused' };
}

type SecondFactor = 'otp' | 'rc' | 'hwk';

/** Step 2 with a TOTP code. */
export async function completeWithTotp(code: string): Promise<FlowResult> {
  return completeSecondFactor('otp', async (pending) => {
    const result = await consumeTotp(await db(), pending.userId, code);
    return result.ok ? { ok: true } : { ok: false, reasonCode: result.reason };
  });
}

/** Step 2 with a recovery code (instead of the second factor). */
export async function completeWithRecoveryCode(code: string): Promise<FlowResult> {
  return completeSecondFactor('rc', async (pending) => {
    const result = await consumeRecoveryCode(await db(), pending.userId, code);
    return result.ok ? { ok: true, details: { remaining: result.remaining } } : { ok: false, reasonCode: result.reason };
  });
}

/** Step 2 with a passkey: the options for the pending user's credentials. */
export async function beginPasskeyForPending() {
  const pending = await readPendingLogin();
  if (!pending || pending.passkeys === 0) return null;
  return startPasskeyAuthentication(await db(), { userId: pending.userId, purpose: 'webauthn.authenticate' });
}

/** Step 2 with a passkey: the browser's assertion. */
export async function completeWithPasskeyForPending(response: unknown): Promise<FlowResult> {
  return completeSecondFactor('hwk', async (pending) => {
    const result = await finishPasskeyAuthentication(await db(), response, {
      purpose: 'webauthn.authenticate',
      userId: pending.userId,
    });
    if (!result.ok && result.reason === 'counter_regression') await auditCounterRegression(pending.userId);
    return result.ok ? { ok: true } : { ok: false, reasonCode: result.reason };
  });
}

async function completeSecondFactor(
  factor: SecondFactor,
  verify: (pending: PendingLoginDTO) => Promise<{ ok: true; details?: Record<string, unknown> } | { ok: false; reasonCode: string }>,
): Promise<FlowResult> {
  const pending = await readPendingLogin();
  if (!pending) return { ok: false, reason: 'restart' };
  const client = await db();
  const user = await client.user.findUnique({
    where: { id: pending.userId },
    select: { id: true, role: true, status: true, lockedAt: true, lockedUntil: true },
  });
  if (!user) return { ok: false, reason: 'restart' };
  const actor: AuditActor = { id: user.id, role: user.role, sessionId: null };
  const gate = checkAccountGate(user, now());
  const refusal = gate.allowed ? await refusalFor(user.role, user.status) : gate.reason;
  if (refusal) {
    await client.$transaction((tx) => auditFactor(tx, actor, factor, 'denied', refusal));
    return { ok: false, reason: 'refused' };
  }
  const verdict = await verify(pending);
  if (!verdict.ok) {
    const { exhausted } = await client.$transaction(async (tx) => {
      const failure = await recordAccountFailure(tx, user.id);
      const p = await recordPendingFailure(tx, pending.id);
      await auditFactor(tx, actor, factor, 'failure', verdict.reasonCode, { failures: failure.count, attempts: pending.attempts + 1 });
      if (failure.lockedNow) {
        await recordAudit(tx, {
          actor,
          operation: 'auth.lockout',
          target: { type: 'User', id: user.id },
          outcome: 'success',
          reasonCode: 'hard_lock',
          details: { failures: failure.count },
          decision: 'authn.throttle',
        });
      }
      return p;
    });
    if (exhausted) await clearPendingCookie();
    return { ok: false, reason: exhausted ? 'restart' : 'refused' };
  }
  const ticket = await client.$transaction(async (tx) => {
    if (!(await consumePendingLogin(tx, pending.id))) return null;
    await auditFactor(tx, actor, factor, 'success', null, verdict.details ?? {});
    return mintTicket(tx, { userId: user.id, purpose: 'sign_in', amr: `pwd+${factor}` });
  });
  await clearPendingCookie();
  if (!ticket) return { ok: false, reason: 'restart' };
  return (await establishSession(ticket)) ? { ok: true, next: 'console' } : { ok: false, reason: 'refused' };
}

/**
 * Whether an anonymous passkey sign-in may start from this address (SECURITY.md
 * T01, T48): not while the address or everyone is blocked by the sign-in
 * throttle, and at most so many starts per address and overall
 * (`auth.passkey_sign_in_start` in policies/limits.ts). A refusal is audited as
 * a denied auth.sign_in (reasonCode rate_limited) and returns what to tell the
 * person; null means go ahead.
 */
export async function passkeySignInStartRefusal(): Promise<string | null> {
  const client = await db();
  const { ip } = await requestContext();
  const gate = await checkRateLimits(client, ip);
  if (!gate.allowed) {
    const rule = gate.scope === 'ip' ? AUTHENTICATION_POLICY.ipLimit : AUTHENTICATION_POLICY.globalLimit;
    const refusal = { scope: gate.scope, limit: rule.maxFailures, windowMs: rule.windowMs, retryAt: gate.retryAt };
    await auditLimitHit(null, 'auth.passkey_sign_in_start', refusal, 'auth.sign_in');
    return `Too many sign-in attempts. Try again after ${gate.retryAt.toISOString().slice(11, 16)} UTC.`;
  }
  const decision = await consumeOperationLimit(null, 'auth.passkey_sign_in_start', { ip });
  if (decision.allowed) return null;
  await auditLimitHit(null, 'auth.passkey_sign_in_start', decision, 'auth.sign_in');
  return limitRefusalMessage(decision);
}

/** Usernameless passkey sign-in: options with no user (discoverable credentials). */
export async function beginPasskeySignIn() {
  return startPasskeyAuthentication(await db(), { purpose: 'webauthn.authenticate' });
}

/**
 * Usernameless passkey sign-in: a passkey with user verification is itself
 * multi-factor (something you have + a PIN or biometric), so it opens a session.
 */
export async function completePasskeySignIn(response: unknown): Promise<FlowResult> {
  const client = await db();
  const result = await finishPasskeyAuthentication(client, response, { purpose: 'webauthn.authenticate' });
  if (!result.ok) {
    if (result.reason === 'counter_regression') await auditCounterRegression(result.userId);
    const { ip } = await requestContext();
    await client.$transaction(async (tx) => {
      // A failed passkey counts toward the address's sign-in limit like a wrong password (T01).
      await recordRateLimitFailure(tx, ip);
      await recordAudit(tx, {
        actor: null,
        operation: 'auth.sign_in',
        outcome: 'failure',
        reasonCode: `passkey_${result.reason}`,
        decision: 'authn.passkey',
      });
    });
    return { ok: false, reason: 'refused' };
  }
  const user = await client.user.findUnique({
    where: { id: result.userId },
    select: { id: true, role: true, status: true, lockedAt: true, lockedUntil: true, deletedAt: true },
  });
  if (!user || user.deletedAt) return { ok: false, reason: 'refused' };
  const actor: AuditActor = { id: user.id, role: user.role, sessionId: null };
  const gate = checkAccountGate(user, now());
  const refusal = gate.allowed ? await refusalFor(user.role, user.status) : gate.reason;
  if (refusal) {
    await client.$transaction((tx) =>
      recordAudit(tx, {
        actor,
        operation: 'auth.sign_in',
        target: { type: 'User', id: user.id },
        outcome: 'denied',
        reasonCode: refusal,
        decision: 'authn.passkey',
      }),
    );
    return { ok: false, reason: 'refused' };
  }
  const ticket = await client.$transaction((tx) => mintTicket(tx, { userId: user.id, purpose: 'sign_in', amr: 'hwk' }));
  return (await establishSession(ticket)) ? { ok: true, next: 'console' } : { ok: false, reason: 'refused' };
}

function auditFactor(
  tx: Tx,
  actor: AuditActor,
  factor: SecondFactor,
  outcome: 'success' | 'denied' | 'failure',
  reasonCode: string | null,
  details: Record<string, unknown> = {},
) {
  return recordAudit(tx, {
    actor,
    operation: 'auth.second_factor',
    target: { type: 'User', id: actor.id },
    outcome,
    reasonCode,
    details: { factor, ...details },
    decision: 'authn.second_factor',
  });
}

async function auditCounterRegression(userId: string) {
  const client = await db();
  const user = await client.user.findUnique({ where: { id: userId }, select: { role: true } });
  await client.$transaction((tx) =>
    recordAudit(tx, {
      actor: { id: userId, role: user?.role ?? 'unknown', sessionId: null },
      operation: 'auth.webauthn_counter_regression',
      target: { type: 'User', id: userId },
      outcome: 'denied',
      reasonCode: 'counter_regression',
      decision: 'authn.passkey',
    }),
  );
}
