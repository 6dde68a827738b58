import 'server-only';
import { recordAudit } from '@/lib/audit/record';
import type { Tx } from '@/lib/db';
import { absoluteExpiry } from './session-policy';
import { hashToken, newToken } from './tokens';

/**
 * Session rows. The browser holds a 256-bit random secret (inside next-auth's
 * encrypted cookie); the database holds only its SHA-256, so a copy of the
 * database cannot be turned into working cookies.
 */

/** A fresh session secret (lib/auth/tokens: 32 random bytes, base64url; ASVS V7.2.3). */
export const newSessionSecret = newToken;

/** The stored form of a session secret (SHA-256). */
export const hashSessionSecret = hashToken;

/** Creates the row for a new session; returns the secret for the cookie and the row id. */
export async function createSessionRow(
  tx: Tx,
  input: {
    userId: string;
    sessionVersion: number;
    now: Date;
    ip: string | null;
    userAgent: string | null;
    amr: string;
    /** The configured session lifetime (session.absolute_lifetime); the 12 h ceiling when absent. */
    lifetimeMs?: number;
  },
): Promise<{ secret: string; sessionId: string }> {
  const secret = newSessionSecret();
  const row = await tx.session.create({
    data: {
      tokenHash: hashSessionSecret(secret),
      userId: input.userId,
      sessionVersion: input.sessionVersion,
      authTime: input.now,
      createdAt: input.now,
      lastSeenAt: input.now,
      expiresAt: absoluteExpiry(input.now, input.lifetimeMs),
      ip: input.ip,
      userAgent: input.userAgent,
      amr: input.amr,
      rotatedAt: input.now,
    },
    select: { id: true },
  });
  return { secret, sessionId: row.id };
}

/**
 * The concurrent-session limit (T22; ASVS V7.1.2): after a sign-in, if the user
 * holds more than `limit` live sessions, the oldest ones (by creation) end with
 * reason `session_limit`, each with a `session.end` event naming the sign-in that
 * pushed it out. Live: not revoked, not past its absolute expiry, of the user's
 * current sessionVersion. Runs in the sign-in's transaction; returns the ended ids.
 */
export async function endSessionsOverLimit(
  tx: Tx,
  input: { user: { id: string; role: string; sessionVersion: number }; keepSessionId: string; now: Date; limit: number },
): Promise<string[]> {
  const { user, keepSessionId, now, limit } = input;
  const live = await tx.session.findMany({
    where: { userId: user.id, revokedAt: null, expiresAt: { gt: now }, sessionVersion: user.sessionVersion },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true },
  });
  const excess = live.length - limit;
  if (excess <= 0) return [];
  const victims = live
    .filter((s) => s.id !== keepSessionId)
    .slice(0, excess)
    .map((s) => s.id);
  const ended: string[] = [];
  for (const id of victims) {
    const done = await tx.session.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now, revokedReason: 'session_limit' } });
    if (done.count !== 1) continue;
    ended.push(id);
    await recordAudit(tx, {
      actor: { id: user.id, role: user.role, sessionId: keepSessionId },
      operation: 'session.end',
      target: { type: 'Session', id },
      outcome: 'success',
      reasonCode: 'session_limit',
      details: { userId: user.id, role: user.role, limit, newSessionId: keepSessionId },
      decision: 'authn.session_policy',
    });
  }
  return ended;
}
