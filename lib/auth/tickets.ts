import 'server-only';
import type { Tx } from '@/lib/db';
import { now } from '@/lib/clock';
import { hashToken, newToken } from './tokens';

/** A ticket lives long enough to be handed from our action to next-auth in the same request. */
const TICKET_TTL_MS = 30_000;

export type TicketPurpose = 'sign_in' | 'rotate';

/**
 * Mints the one-time ticket that next-auth's authorize() exchanges for a session
 * (sign_in) or for a new secret of an existing session (rotate). Only our own
 * verification code mints tickets, after every factor has been checked, so
 * next-auth never decides who is authenticated.
 */
export async function mintTicket(
  tx: Tx,
  input: { userId: string; purpose: TicketPurpose; amr: string; sessionId?: string },
): Promise<string> {
  const token = newToken();
  const at = now();
  await tx.authTicket.create({
    data: {
      tokenHash: hashToken(token),
      userId: input.userId,
      purpose: input.purpose,
      amr: input.amr,
      sessionId: input.sessionId ?? null,
      createdAt: at,
      expiresAt: new Date(at.getTime() + TICKET_TTL_MS),
    },
  });
  return token;
}

/** Consumes a ticket atomically: valid, unexpired and unused, exactly once. */
export async function consumeTicket(tx: Tx, token: string) {
  const at = now();
  const tokenHash = hashToken(token);
  const used = await tx.authTicket.updateMany({
    where: { tokenHash, consumedAt: null, expiresAt: { gt: at } },
    data: { consumedAt: at },
  });
  if (used.count !== 1) return null;
  return tx.authTicket.findUnique({
    where: { tokenHash },
    select: { userId: true, purpose: true, amr: true, sessionId: true },
  });
}
