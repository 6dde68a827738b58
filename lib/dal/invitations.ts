import 'server-only';
import { lockAuditChain } from '@/lib/audit/append';
import { piiDigest, recordAudit } from '@/lib/audit/record';
import { dummyVerify, hashPassword } from '@/lib/auth/password';
import { hashToken, newToken } from '@/lib/auth/tokens';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { setting } from '@/lib/config/settings';
import { db } from '@/lib/db';
import type { Role } from '@/policies/roles';
import { assertActorStillLive, recordAuthorized } from './audit-details';

export interface InvitationDTO {
  userId: string;
  /** The one-time token, shown once to the inviting administrator; only its hash is stored. */
  token: string;
  expiresAt: Date;
}

/**
 * Creates an account without a password and a one-time invitation for it.
 * Warden sends no email: the administrator hands the link over themselves.
 * The role was checked by defineAction on the user as it would be created.
 */
export async function inviteUser(authz: Authorization, input: { email: string; name: string; role: Role }): Promise<InvitationDTO> {
  const client = await db();
  const token = newToken();
  const expiresAt = new Date(now().getTime() + (await setting('invitations.ttl')));
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const existing = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (existing) {
      throw new ActionError('CONFLICT', 'An account with this email address already exists.', {
        email: ['An account with this email address already exists.'],
      });
    }
    const user = await tx.user.create({
      data: { email: input.email, name: input.name, role: input.role, status: 'active' },
      select: { id: true },
    });
    await tx.invitation.create({ data: { userId: user.id, tokenHash: hashToken(token), createdById: authz.viewer.userId, expiresAt } });
    await recordAuthorized(tx, authz, {
      target: { type: 'User', id: user.id },
      details: { role: input.role, email: piiDigest(input.email), expiresAt: expiresAt.toISOString() },
    });
    return { userId: user.id, token, expiresAt };
  });
}

/** The one message every unusable invitation link gets: it never says which check failed. */
export const INVALID_INVITATION = 'This invitation link is not valid or has expired. Ask your administrator for a new one.';

/**
 * Sets the password of an invited account with its one-time token. The token is
 * spent in the same transaction (a second use finds nothing), the account must
 * still be live and without a password, and the event is audited with the
 * invited user as the actor. The second factor is enrolled at first sign-in.
 */
export async function acceptInvitation(token: string, password: string): Promise<void> {
  const client = await db();
  const tokenHash = hashToken(token);
  const at = now();
  const live = {
    tokenHash,
    usedAt: null,
    revokedAt: null,
    expiresAt: { gt: at },
    user: { deletedAt: null, passwordHash: null, status: 'active' },
  };
  const found = await client.invitation.findFirst({ where: live, select: { id: true } });
  if (!found) {
    await dummyVerify(password);
    throw new ActionError('NOT_FOUND', INVALID_INVITATION);
  }
  const passwordHash = await hashPassword(password);
  await client.$transaction(async (tx) => {
    const spent = await tx.invitation.updateMany({ where: { id: found.id, ...live }, data: { usedAt: now() } });
    if (spent.count !== 1) throw new ActionError('NOT_FOUND', INVALID_INVITATION);
    const invitation = await tx.invitation.findUniqueOrThrow({
      where: { id: found.id },
      select: { user: { select: { id: true, role: true } } },
    });
    await tx.user.update({ where: { id: invitation.user.id }, data: { passwordHash } });
    await recordAudit(tx, {
      actor: { id: invitation.user.id, role: invitation.user.role, sessionId: null },
      operation: 'user.invite_accept',
      target: { type: 'User', id: invitation.user.id },
      outcome: 'success',
      decision: 'public.invitation_token',
    });
  });
}
