import 'server-only';
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
