import 'server-only';
import { piiDigest, recordAudit, type AuditActor } from '@/lib/audit/record';
import { now } from '@/lib/clock';
import { db, type Tx } from '@/lib/db';
import { requestContext } from '@/lib/request/context';
import { isConsoleRole } from '@/policies/roles';
import { dummyVerify, verifyPassword } from './password';
import { checkAccountGate, checkRateLimits, recordAccountFailure, recordRateLimitFailure } from './throttle';

export type SignInRefusal =
  | 'rate_limited'
  | 'unknown_account'
  | 'no_password'
  | 'bad_password'
  | 'locked'
  | 'delayed'
  | 'account_suspended'
  | 'account_disabled'
  | 'not_console_role'
  | 'role_suspended'
  | 'lockdown';

export interface VerifiedUser {
  id: string;
  role: string;
  hasTotp: boolean;
  passkeys: number;
}

/**
 * The first factor: email + password. Every refusal looks the same to the person
 * signing in (one generic message, the same work: an unknown account still costs
 * one argon2 verification, T02); the true reason is only in the audit trail.
 * Failures count toward the account's one failure counter (T01/T07) and the
 * per-IP and global limits. Success does not sign in: the caller continues with
 * the second factor (or enrolment).
 */
export async function verifyPasswordFactor(
  email: string,
  password: string,
): Promise<{ ok: true; user: VerifiedUser } | { ok: false; reason: SignInRefusal }> {
  const client = await db();
  const ctx = await requestContext();
  const limits = await checkRateLimits(client, ctx.ip);
  const user = await client.user.findUnique({
    where: { email },
    select: {
      id: true,
      role: true,
      status: true,
      passwordHash: true,
      deletedAt: true,
      lockedAt: true,
      lockedUntil: true,
      totpEnabledAt: true,
      _count: { select: { webauthnCredentials: true } },
    },
  });
  const passwordOk =
    user?.passwordHash && !user.deletedAt ? await verifyPassword(user.passwordHash, password) : await dummyVerify(password);

  if (!limits.allowed) {
    await audit(null, user ? { type: 'User', id: user.id } : null, 'denied', 'rate_limited', { scope: limits.scope });
    return { ok: false, reason: 'rate_limited' };
  }
  if (!user || user.deletedAt) {
    await client.$transaction(async (tx) => {
      await recordRateLimitFailure(tx, ctx.ip);
      await auditIn(tx, null, null, 'failure', 'unknown_account', { email: piiDigest(email) });
    });
    return { ok: false, reason: 'unknown_account' };
  }

  const actor: AuditActor = { id: user.id, role: user.role, sessionId: null };
  const target = { type: 'User', id: user.id };
  const gate = checkAccountGate(user, now());
  if (!gate.allowed) {
    await audit(actor, target, 'denied', gate.reason, gate.retryAt ? { retryAt: gate.retryAt.toISOString() } : {});
    return { ok: false, reason: gate.reason };
  }
  if (!passwordOk) {
    const reason: SignInRefusal = user.passwordHash ? 'bad_password' : 'no_password';
    await client.$transaction(async (tx) => {
      const failure = await recordAccountFailure(tx, user.id);
      await recordRateLimitFailure(tx, ctx.ip);
      await auditIn(tx, actor, target, 'failure', reason, { failures: failure.count });
      if (failure.lockedNow || failure.delayedUntil) {
        await auditIn(
          tx,
          actor,
          target,
          'success',
          failure.lockedNow ? 'hard_lock' : 'delay',
          {
            failures: failure.count,
            ...(failure.delayedUntil ? { until: failure.delayedUntil.toISOString() } : {}),
          },
          'auth.lockout',
        );
      }
    });
    return { ok: false, reason };
  }

  const refusal = await refusalFor(user.role, user.status);
  if (refusal) {
    await audit(actor, target, 'denied', refusal, {});
    return { ok: false, reason: refusal };
  }
  return { ok: true, user: { id: user.id, role: user.role, hasTotp: !!user.totpEnabledAt, passkeys: user._count.webauthnCredentials } };
}

/** Account and role state that refuses a sign-in even with the right credentials. */
export async function refusalFor(role: string, status: string): Promise<SignInRefusal | null> {
  if (status === 'suspended') return 'account_suspended';
  if (status !== 'active') return 'account_disabled';
  if (!isConsoleRole(role)) return 'not_console_role';
  const client = await db();
  const state = await client.roleState.findUnique({ where: { role }, select: { suspended: true } });
  if (state?.suspended) return 'role_suspended';
  // Lockdown in sign-out mode: only superadmins may sign in.
  if (role !== 'superadmin') {
    const lockdown = await client.systemState.findUnique({ where: { id: 'lockdown' }, select: { enabled: true, mode: true } });
    if (lockdown?.enabled && lockdown.mode === 'sign_out') return 'lockdown';
  }
  return null;
}

type Outcome = 'success' | 'denied' | 'failure';

async function audit(
  actor: AuditActor | null,
  target: { type: string; id: string } | null,
  outcome: Outcome,
  reasonCode: string,
  details: Record<string, unknown>,
) {
  // A refused attempt counts toward the per-address limit like a failed one, and
  // does the same writes, so a refusal cannot be told apart by timing (T02).
  const client = await db();
  const { ip } = await requestContext();
  await client.$transaction(async (tx) => {
    await recordRateLimitFailure(tx, ip);
    await auditIn(tx, actor, target, outcome, reasonCode, details);
  });
}

function auditIn(
  tx: Tx,
  actor: AuditActor | null,
  target: { type: string; id: string } | null,
  outcome: Outcome,
  reasonCode: string,
  details: Record<string, unknown>,
  operation: 'auth.sign_in' | 'auth.lockout' = 'auth.sign_in',
) {
  return recordAudit(tx, { actor, operation, target, outcome, reasonCode, details, decision: 'authn.password' });
}
