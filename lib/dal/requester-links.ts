import 'server-only';
import { piiDigest } from '@/lib/audit/record';
import { hashToken, newToken } from '@/lib/auth/tokens';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { settingIn } from '@/lib/config/settings';
import { env } from '@/lib/env';
import { spoolMessage } from '@/lib/outbox/spool';
import { workOnTicket } from './ticket-work';

/**
 * One-time links sent from a ticket to its requester's address (never shown to
 * the agent): a new invitation for an account that has no password yet, or a
 * password reset for one that has. The token exists only in the spooled message
 * and, hashed, in the database; the audit event records that a link was sent, to
 * which address (as a keyed digest), and until when it works — never the link.
 */

/** A name on one line: whoever controls it must not be able to add lines to a message that carries a credential. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, ' ').trim();
}

/** Sends a new invitation link; older unused invitations of the requester stop working. */
export function resendRequesterInvitation(authz: Authorization, input: { ticketId: string }) {
  return workOnTicket(authz, 'resend_invitation', input.ticketId, async (tx, ticket) => {
    if (ticket.requester.hasPassword) {
      throw new ActionError('CONFLICT', 'The requester has already set a password; send a password-reset link instead.');
    }
    if (ticket.requester.status !== 'active') {
      throw new ActionError('CONFLICT', 'The requester’s account is not active; an administrator has to reactivate it first.');
    }
    const at = now();
    const token = newToken();
    const expiresAt = new Date(at.getTime() + (await settingIn(tx, 'invitations.ttl')));
    await tx.invitation.updateMany({ where: { userId: ticket.requesterId, usedAt: null, revokedAt: null }, data: { revokedAt: at } });
    await tx.invitation.create({
      data: { userId: ticket.requesterId, tokenHash: hashToken(token), createdById: authz.viewer.userId, expiresAt },
    });
    spoolMessage({
      to: ticket.requester.email,
      subject: 'Your invitation to set up your account',
      text: [
        `Hello ${oneLine(ticket.requester.name)},`,
        '',
        `As you asked in ticket SUP-${ticket.number}, here is a new link to set the password of your account:`,
        '',
        `${new URL('/invite', env().APP_URL).toString()}#${token}`,
        '',
        `The link works once, until ${expiresAt.toUTCString()}. Earlier invitation links no longer work.`,
        'If you did not ask for this, ignore this message.',
      ].join('\n'),
    });
    return {
      value: { expiresAt },
      details: { sentTo: piiDigest(ticket.requester.email), expiresAt: expiresAt.toISOString() },
      target: { type: 'User', id: ticket.requesterId },
      note: 'A new invitation link was sent to the requester’s address.',
    };
  });
}

/** Sends a one-hour password-reset link; older unused reset links of the requester stop working. */
export function sendRequesterPasswordReset(authz: Authorization, input: { ticketId: string }) {
  return workOnTicket(authz, 'send_password_reset', input.ticketId, async (tx, ticket) => {
    if (!ticket.requester.hasPassword) {
      throw new ActionError('CONFLICT', 'The requester has not set a password yet; send a new invitation instead.');
    }
    if (ticket.requester.status !== 'active') {
      throw new ActionError('CONFLICT', 'The requester’s account is not active; an administrator has to reactivate it first.');
    }
    const at = now();
    const token = newToken();
    const expiresAt = new Date(at.getTime() + (await settingIn(tx, 'password_reset.ttl')));
    await tx.passwordReset.updateMany({ where: { userId: ticket.requesterId, usedAt: null, revokedAt: null }, data: { revokedAt: at } });
    await tx.passwordReset.create({
      data: { userId: ticket.requesterId, tokenHash: hashToken(token), createdById: authz.viewer.userId, ticketId: ticket.id, expiresAt },
    });
    spoolMessage({
      to: ticket.requester.email,
      subject: 'Reset your password',
      text: [
        `Hello ${oneLine(ticket.requester.name)},`,
        '',
        `As you asked in ticket SUP-${ticket.number}, here is a link to choose a new password:`,
        '',
        `${new URL('/reset-password', env().APP_URL).toString()}#${token}`,
        '',
        `The link works once, for one hour (until ${expiresAt.toUTCString()}). Setting a new password signs you out everywhere.`,
        'If you did not ask for this, ignore this message; your password stays as it is.',
      ].join('\n'),
    });
    return {
      value: { expiresAt },
      details: { sentTo: piiDigest(ticket.requester.email), expiresAt: expiresAt.toISOString() },
      target: { type: 'User', id: ticket.requesterId },
      note: 'A password-reset link was sent to the requester’s address.',
    };
  });
}
