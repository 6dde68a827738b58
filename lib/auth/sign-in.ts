import 'server-only';
import { piiDigest, recordAudit } from '@/lib/audit/record';
import { now } from '@/lib/clock';
import { db } from '@/lib/db';
import { logFor } from '@/lib/log';
import { requestContext } from '@/lib/request/context';
import { isConsoleRole } from '@/policies/roles';
import { dummyVerify, verifyPassword } from './password';
import { createSessionRow } from './sessions';

export type PasswordCheck = { ok: true; userId: string; sessionSecret: string } | { ok: false; reasonCode: SignInFailure };

export type SignInFailure =
  'unknown_account' | 'no_password' | 'bad_password' | 'account_suspended' | 'account_disabled' | 'not_console_role' | 'role_suspended';

/**
 * Checks email + password and, on success, creates the session row — both audited
 * in the same transaction as their state change. Every failure looks the same to
 * the caller's user (one generic message); the reason is only in the audit trail.
 * An unknown account still costs one argon2 verification (T02 timing parity).
 */
export async function checkPasswordAndOpenSession(email: string, password: string): Promise<PasswordCheck> {
  const client = await db();
  const ctx = await requestContext();
  const at = now();
  const user = await client.user.findUnique({
    where: { email },
    select: { id: true, role: true, status: true, passwordHash: true, sessionVersion: true, deletedAt: true },
  });

  if (!user || user.deletedAt) {
    await dummyVerify(password);
    await client.$transaction((tx) =>
      recordAudit(tx, {
        actor: null,
        operation: 'auth.sign_in',
        outcome: 'failure',
        reasonCode: 'unknown_account',
        details: { email: piiDigest(email) },
        decision: 'authn.password',
      }),
    );
    return { ok: false, reasonCode: 'unknown_account' };
  }

  const passwordOk = user.passwordHash ? await verifyPassword(user.passwordHash, password) : await dummyVerify(password);
  const actor = { id: user.id, role: user.role, sessionId: null };
  const target = { type: 'User', id: user.id };

  if (!passwordOk) {
    const reasonCode: SignInFailure = user.passwordHash ? 'bad_password' : 'no_password';
    await client.$transaction(async (tx) => {
      await tx.user.update({
        where: { id: user.id },
        data: { failedLoginCount: { increment: 1 }, lastFailedLoginAt: at },
      });
      await recordAudit(tx, { actor, operation: 'auth.sign_in', target, outcome: 'failure', reasonCode, decision: 'authn.password' });
    });
    return { ok: false, reasonCode };
  }

  const refusal = await refusalFor(user.role, user.status);
  if (refusal) {
    await client.$transaction((tx) =>
      recordAudit(tx, {
        actor,
        operation: 'auth.sign_in',
        target,
        outcome: 'denied',
        reasonCode: refusal,
        decision: 'authn.account_state',
      }),
    );
    return { ok: false, reasonCode: refusal };
  }

  const opened = await client.$transaction(async (tx) => {
    await tx.user.update({
      where: { id: user.id },
      data: { failedLoginCount: 0, lastActiveAt: at },
    });
    const session = await createSessionRow(tx, {
      userId: user.id,
      sessionVersion: user.sessionVersion,
      now: at,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    await recordAudit(tx, {
      actor: { ...actor, sessionId: session.sessionId },
      operation: 'auth.sign_in',
      target: { type: 'Session', id: session.sessionId },
      outcome: 'success',
      decision: 'authn.password',
    });
    return session;
  });
  logFor(ctx.correlationId).info({ userId: user.id, sessionId: opened.sessionId }, 'signed in');
  return { ok: true, userId: user.id, sessionSecret: opened.secret };
}

async function refusalFor(role: string, status: string): Promise<SignInFailure | null> {
  if (status === 'suspended') return 'account_suspended';
  if (status !== 'active') return 'account_disabled';
  if (!isConsoleRole(role)) return 'not_console_role';
  const client = await db();
  const state = await client.roleState.findUnique({ where: { role }, select: { suspended: true } });
  return state?.suspended ? 'role_suspended' : null;
}
