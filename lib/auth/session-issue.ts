import 'server-only';
import { recordAudit } from '@/lib/audit/record';
import { now } from '@/lib/clock';
import { setting } from '@/lib/config/settings';
import { db } from '@/lib/db';
import { logFor } from '@/lib/log';
import { requestContext } from '@/lib/request/context';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';
import { absoluteExpiry } from './session-policy';
import { createSessionRow, endSessionsOverLimit, hashSessionSecret, newSessionSecret } from './sessions';
import { recordAccountSuccess } from './throttle';
import { consumeTicket } from './tickets';
import { refusalFor } from './first-factor';

/**
 * Exchanges a one-time ticket for a session secret. Called only from next-auth's
 * authorize(). sign_in: a new Session row (the cookie value is new at every
 * sign-in, T14) and the audited `auth.sign_in` success; beyond the per-person
 * session limit the oldest live session ends (T22). rotate: the same row
 * gets a new secret and a fresh authentication time (step-up and
 * re-authentication, T14/T23), so the previous cookie value stops working.
 */
export async function exchangeTicket(ticket: string): Promise<{ userId: string; secret: string } | null> {
  const client = await db();
  const ctx = await requestContext();
  const at = now();
  // Read before the transaction: new sessions get the lifetime configured now.
  const lifetimeMs = await setting('session.absolute_lifetime');
  const result = await client.$transaction(async (tx) => {
    const t = await consumeTicket(tx, ticket);
    if (!t) return null;
    const user = await tx.user.findUnique({
      where: { id: t.userId },
      select: { id: true, role: true, status: true, sessionVersion: true, deletedAt: true },
    });
    if (!user || user.deletedAt || (await refusalFor(user.role, user.status))) return null;
    if (t.purpose === 'rotate') {
      const secret = newSessionSecret();
      const rotated = await tx.session.updateMany({
        where: { id: t.sessionId ?? '', userId: user.id, revokedAt: null },
        data: {
          tokenHash: hashSessionSecret(secret),
          authTime: at,
          lastSeenAt: at,
          rotatedAt: at,
          amr: t.amr,
          expiresAt: absoluteExpiry(at, lifetimeMs),
        },
      });
      return rotated.count === 1 ? { userId: user.id, secret, sessionId: t.sessionId ?? '' } : null;
    }
    await recordAccountSuccess(tx, user.id);
    await tx.user.update({ where: { id: user.id }, data: { lastActiveAt: at } });
    const session = await createSessionRow(tx, {
      userId: user.id,
      sessionVersion: user.sessionVersion,
      now: at,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      amr: t.amr,
      lifetimeMs,
    });
    await recordAudit(tx, {
      actor: { id: user.id, role: user.role, sessionId: session.sessionId },
      operation: 'auth.sign_in',
      target: { type: 'Session', id: session.sessionId },
      outcome: 'success',
      details: { amr: t.amr },
      decision: 'authn.mfa',
    });
    // T22: at most maxLiveSessionsPerUser live sessions; the oldest beyond it end here.
    await endSessionsOverLimit(tx, {
      user: { id: user.id, role: user.role, sessionVersion: user.sessionVersion },
      keepSessionId: session.sessionId,
      now: at,
      limit: AUTHENTICATION_POLICY.maxLiveSessionsPerUser,
    });
    return { userId: user.id, secret: session.secret, sessionId: session.sessionId };
  });
  if (result) logFor(ctx.correlationId).info({ userId: result.userId, sessionId: result.sessionId }, 'session issued');
  return result ? { userId: result.userId, secret: result.secret } : null;
}
