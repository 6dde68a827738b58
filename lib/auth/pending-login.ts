import 'server-only';
import { cookies } from 'next/headers';
import { now } from '@/lib/clock';
import { db, type Tx } from '@/lib/db';
import { isSecureOrigin } from '@/lib/env';
import { requestContext } from '@/lib/request/context';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';
import { hashToken, isTokenShaped, newToken } from './tokens';

/**
 * A sign-in between its password and its second factor (T04). It is not a
 * session: the pending cookie reaches only the second-factor step, lives ≤ 5
 * minutes and allows ≤ 5 second-factor attempts, then the person starts over.
 */
export function pendingCookieName(): string {
  return isSecureOrigin() ? '__Host-warden.pending' : 'warden.pending';
}

/** Starts the second-factor step for a user whose password was just verified. */
export async function startPendingLogin(userId: string): Promise<void> {
  const client = await db();
  const ctx = await requestContext();
  const token = newToken();
  const at = now();
  await client.$transaction(async (tx) => {
    // One pending sign-in per user at a time: starting a new one ends the others.
    await tx.pendingLogin.updateMany({ where: { userId, consumedAt: null }, data: { consumedAt: at } });
    await tx.pendingLogin.create({
      data: {
        tokenHash: hashToken(token),
        userId,
        createdAt: at,
        expiresAt: new Date(at.getTime() + AUTHENTICATION_POLICY.pendingLoginTtlMs),
        ip: ctx.ip,
        userAgent: ctx.userAgent,
      },
    });
  });
  (await cookies()).set(pendingCookieName(), token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: isSecureOrigin(),
    path: '/',
    maxAge: AUTHENTICATION_POLICY.pendingLoginTtlMs / 1000,
  });
}

export interface PendingLoginDTO {
  id: string;
  userId: string;
  attempts: number;
  email: string;
  hasTotp: boolean;
  passkeys: number;
  recoveryCodes: number;
}

/** The live pending sign-in of this browser, or null (absent, expired, used up or consumed). */
export async function readPendingLogin(): Promise<PendingLoginDTO | null> {
  const token = (await cookies()).get(pendingCookieName())?.value;
  if (!isTokenShaped(token)) return null;
  const client = await db();
  const row = await client.pendingLogin.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, userId: true, attempts: true, expiresAt: true, consumedAt: true },
  });
  if (!row || row.consumedAt || row.expiresAt <= now() || row.attempts >= AUTHENTICATION_POLICY.pendingLoginMaxAttempts) return null;
  const user = await client.user.findUnique({
    where: { id: row.userId },
    select: {
      email: true,
      totpEnabledAt: true,
      _count: { select: { webauthnCredentials: true, recoveryCodes: { where: { usedAt: null } } } },
    },
  });
  if (!user) return null;
  return {
    id: row.id,
    userId: row.userId,
    attempts: row.attempts,
    email: user.email,
    hasTotp: !!user.totpEnabledAt,
    passkeys: user._count.webauthnCredentials,
    recoveryCodes: user._count.recoveryCodes,
  };
}

/**
 * Counts one failed second-factor attempt; at the limit the pending sign-in ends
 * and the person must start again at the password (T07).
 */
export async function recordPendingFailure(tx: Tx, pendingId: string): Promise<{ exhausted: boolean }> {
  const row = await tx.pendingLogin.update({ where: { id: pendingId }, data: { attempts: { increment: 1 } }, select: { attempts: true } });
  const exhausted = row.attempts >= AUTHENTICATION_POLICY.pendingLoginMaxAttempts;
  if (exhausted) await tx.pendingLogin.update({ where: { id: pendingId }, data: { consumedAt: now() } });
  return { exhausted };
}

/** Ends the pending sign-in (used once, on success). Returns false if it was already used. */
export async function consumePendingLogin(tx: Tx, pendingId: string): Promise<boolean> {
  const done = await tx.pendingLogin.updateMany({
    where: { id: pendingId, consumedAt: null, expiresAt: { gt: now() } },
    data: { consumedAt: now() },
  });
  return done.count === 1;
}

/** Removes the pending cookie. */
export async function clearPendingCookie(): Promise<void> {
  (await cookies()).delete(pendingCookieName());
}
