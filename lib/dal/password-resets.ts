import 'server-only';
import { recordAudit } from '@/lib/audit/record';
import { dummyVerify, hashPassword } from '@/lib/auth/password';
import { hashToken } from '@/lib/auth/tokens';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { db } from '@/lib/db';
import { isConsoleRole } from '@/policies/roles';

/** The one message every unusable reset link gets: it never says which check failed. */
export const INVALID_PASSWORD_RESET = 'This password-reset link is not valid or has expired. Ask support for a new one.';

/**
 * Sets a new password with a one-time reset link. The token is spent in the same
 * transaction as the change (a second use finds nothing); the account must still
 * be live and active. The sign-in lock and failure counter are cleared and every
 * session ends (sessionVersion). Audited with the user as the actor.
 */
/** Returns whether the account signs in to the console (told only to the holder of the link, who owns the account). */
export async function completePasswordReset(token: string, password: string): Promise<{ consoleAccount: boolean }> {
  const client = await db();
  const tokenHash = hashToken(token);
  const at = now();
  const live = { tokenHash, usedAt: null, revokedAt: null, expiresAt: { gt: at }, user: { deletedAt: null, status: 'active' } };
  const found = await client.passwordReset.findFirst({ where: live, select: { id: true } });
  if (!found) {
    await dummyVerify(password);
    throw new ActionError('NOT_FOUND', INVALID_PASSWORD_RESET);
  }
  const passwordHash = await hashPassword(password);
  return client.$transaction(async (tx) => {
    const spent = await tx.passwordReset.updateMany({ where: { id: found.id, ...live }, data: { usedAt: now() } });
    if (spent.count !== 1) throw new ActionError('NOT_FOUND', INVALID_PASSWORD_RESET);
    const reset = await tx.passwordReset.findUniqueOrThrow({
      where: { id: found.id },
      select: { user: { select: { id: true, role: true } } },
    });
    await tx.user.update({
      where: { id: reset.user.id },
      data: { passwordHash, failedLoginCount: 0, lockedAt: null, lockedUntil: null, sessionVersion: { increment: 1 } },
    });
    const ended = await tx.session.updateMany({
      where: { userId: reset.user.id, revokedAt: null },
      data: { revokedAt: now(), revokedReason: 'password_reset' },
    });
    await recordAudit(tx, {
      actor: { id: reset.user.id, role: reset.user.role, sessionId: null },
      operation: 'account.password_reset',
      target: { type: 'User', id: reset.user.id },
      outcome: 'success',
      decision: 'public.password_reset_token',
      details: { sessionsEnded: ended.count },
    });
    return { consoleAccount: isConsoleRole(reset.user.role) };
  });
}
