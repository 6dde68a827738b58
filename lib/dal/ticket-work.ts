import 'server-only';
import { lockAuditChain } from '@/lib/audit/append';
import { unlockAccount } from '@/lib/auth/throttle';
import { scopedWhere } from '@/lib/authz/ability';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { db, type Tx } from '@/lib/db';
import type { PolicyAction } from '@/policies/rules';
import { assertActorStillLive, recordAuthorized } from './audit-details';

/** Ticket statuses; "closed" is final (no rule allows working a closed ticket). */
export const TICKET_STATUSES = ['open', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
export const COMMENT_KINDS = ['reply', 'internal'] as const;
export type CommentKind = (typeof COMMENT_KINDS)[number];

const NOT_FOUND = 'That ticket does not exist or is no longer available to you.';

const TICKET_FIELDS = {
  id: true,
  number: true,
  status: true,
  assigneeId: true,
  requesterId: true,
  requester: {
    select: { id: true, name: true, email: true, phone: true, status: true, lockedAt: true, lockedUntil: true, passwordHash: true },
  },
} as const;

interface LoadedTicket {
  id: string;
  number: number;
  status: string;
  assigneeId: string | null;
  requesterId: string;
  requester: {
    id: string;
    name: string;
    email: string;
    phone: string | null;
    status: string;
    lockedAt: Date | null;
    lockedUntil: Date | null;
    /** Whether a password is set (the hash itself never leaves this module). */
    hasPassword: boolean;
  };
}

/**
 * One authorized change to a ticket, the same way every time: take the audit
 * chain lock, check the actor's session is still live, load the ticket THROUGH
 * the viewer's rule for this action (so a ticket reassigned or closed since the
 * page was opened is "not found" now), change it, and record the event in the
 * same transaction (fail closed).
 */
export async function workOnTicket<T>(
  authz: Authorization,
  action: PolicyAction,
  id: string,
  change: (
    tx: Tx,
    ticket: LoadedTicket,
  ) => Promise<{ value: T; details: Record<string, unknown>; target?: { type: string; id: string }; note?: string }>,
): Promise<T> {
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const row = await tx.ticket.findFirst({ where: scopedWhere(authz.ability, action, 'Ticket', { id }), select: TICKET_FIELDS });
    if (!row) throw new ActionError('NOT_FOUND', NOT_FOUND);
    const { passwordHash, ...requester } = row.requester;
    const ticket: LoadedTicket = { ...row, requester: { ...requester, hasPassword: passwordHash !== null } };
    const result = await change(tx, ticket);
    if (result.note) await systemNote(tx, ticket.id, authz.viewer.userId, result.note);
    await recordAuthorized(tx, authz, {
      target: result.target ?? { type: 'Ticket', id: ticket.id },
      details: { ticket: `SUP-${ticket.number}`, ...result.details },
    });
    return result.value;
  });
}

async function systemNote(tx: Tx, ticketId: string, authorId: string, body: string) {
  const at = now();
  await tx.ticketComment.create({ data: { ticketId, authorId, kind: 'system', body, createdAt: at } });
  await tx.ticket.update({ where: { id: ticketId }, data: { lastActivityAt: at } });
}

/** Adds a reply (the requester sees it) or an internal note. The text is not put in the audit trail, only its kind and length. */
export function commentOnTicket(authz: Authorization, input: { ticketId: string; kind: CommentKind; body: string }) {
  return workOnTicket(authz, 'comment', input.ticketId, async (tx, ticket) => {
    const at = now();
    const comment = await tx.ticketComment.create({
      data: { ticketId: ticket.id, authorId: authz.viewer.userId, kind: input.kind, body: input.body, createdAt: at },
      select: { id: true },
    });
    await tx.ticket.update({ where: { id: ticket.id }, data: { lastActivityAt: at } });
    return { value: { id: comment.id }, details: { kind: input.kind, chars: input.body.length } };
  });
}

/** Moves a ticket to another status; resolving or closing it ends the agent's view of the requester. */
export function setTicketStatus(authz: Authorization, input: { ticketId: string; status: TicketStatus }) {
  return workOnTicket(authz, 'set_status', input.ticketId, async (tx, ticket) => {
    if (ticket.status === input.status) throw new ActionError('CONFLICT', `The ticket is already ${input.status}.`);
    const at = now();
    await tx.ticket.update({
      where: { id: ticket.id },
      data: {
        status: input.status,
        resolvedAt: input.status === 'resolved' ? at : input.status === 'closed' ? undefined : null,
        closedAt: input.status === 'closed' ? at : null,
      },
    });
    await systemNote(tx, ticket.id, authz.viewer.userId, `Status changed from ${ticket.status} to ${input.status}.`);
    return { value: null, details: { before: { status: ticket.status }, after: { status: input.status } } };
  });
}

/**
 * Assigns the ticket to an active support agent, or to nobody. The previous
 * agent loses the ticket (and its requester) on their next request: every read
 * and write filters on the assignee in its WHERE.
 */
export function assignTicket(authz: Authorization, input: { ticketId: string; assigneeId: string | null }) {
  return workOnTicket(authz, 'assign', input.ticketId, async (tx, ticket) => {
    if (ticket.assigneeId === input.assigneeId) throw new ActionError('CONFLICT', 'The ticket is already assigned that way.');
    let name = 'nobody (the unassigned queue)';
    if (input.assigneeId) {
      const agent = await tx.user.findFirst({
        where: { id: input.assigneeId, role: 'support', status: 'active', deletedAt: null },
        select: { name: true },
      });
      if (!agent)
        throw new ActionError('VALIDATION', 'Choose an active support agent.', { assigneeId: ['Choose an active support agent.'] });
      name = agent.name;
    }
    await tx.ticket.update({ where: { id: ticket.id }, data: { assigneeId: input.assigneeId } });
    await systemNote(tx, ticket.id, authz.viewer.userId, `Assigned to ${name}.`);
    return { value: null, details: { before: { assigneeId: ticket.assigneeId }, after: { assigneeId: input.assigneeId } } };
  });
}

/** An agent gives a ticket back to the unassigned queue (and with it the view of the requester). */
export function unassignSelf(authz: Authorization, input: { ticketId: string }) {
  return workOnTicket(authz, 'unassign_self', input.ticketId, async (tx, ticket) => {
    await tx.ticket.update({ where: { id: ticket.id }, data: { assigneeId: null } });
    await systemNote(tx, ticket.id, authz.viewer.userId, 'Returned to the unassigned queue by the agent.');
    return { value: null, details: { before: { assigneeId: ticket.assigneeId }, after: { assigneeId: null } } };
  });
}

export const REVEALABLE_FIELDS = ['email', 'phone'] as const;
export type RevealableField = (typeof REVEALABLE_FIELDS)[number];

/**
 * Reveals one masked field of the requester to the assigned agent, with the
 * reason in the audit trail (the value is never recorded there). The event's
 * target is the requester, so "which personal data did agents reveal about this
 * person" is one filter in the audit browser.
 */
export function revealRequesterField(authz: Authorization, input: { ticketId: string; field: RevealableField }) {
  return workOnTicket(authz, 'reveal_requester', input.ticketId, async (_tx, ticket) => {
    const value = input.field === 'email' ? ticket.requester.email : ticket.requester.phone;
    return {
      value: { field: input.field, value: value ?? null },
      details: { field: input.field, present: value !== null },
      target: { type: 'User', id: ticket.requesterId },
    };
  });
}

/**
 * Asks an administrator to reset the requester's second factors. Support cannot
 * reset them itself; an administrator approves by resetting them on the user's
 * page (step-up, typed email), which marks this request approved.
 */
export function requestRequesterMfaReset(authz: Authorization, input: { ticketId: string }) {
  return workOnTicket(authz, 'request_mfa_reset', input.ticketId, async (tx, ticket) => {
    const pending = await tx.mfaResetRequest.findFirst({ where: { userId: ticket.requesterId, status: 'pending' }, select: { id: true } });
    if (pending) throw new ActionError('CONFLICT', 'A reset of this requester’s second factors is already waiting for an administrator.');
    const request = await tx.mfaResetRequest.create({
      data: {
        ticketId: ticket.id,
        userId: ticket.requesterId,
        requestedById: authz.viewer.userId,
        reason: authz.reason ?? '',
        createdAt: now(),
      },
      select: { id: true },
    });
    await systemNote(tx, ticket.id, authz.viewer.userId, 'Asked an administrator to reset the requester’s second factors.');
    return { value: { requestId: request.id }, details: { requestId: request.id }, target: { type: 'User', id: ticket.requesterId } };
  });
}

/** Unlocks the requester's account (locked by failed sign-ins) for the assigned agent. */
export function unlockRequester(authz: Authorization, input: { ticketId: string }) {
  return workOnTicket(authz, 'unlock_requester', input.ticketId, async (tx, ticket) => {
    const locked = !!ticket.requester.lockedAt || (!!ticket.requester.lockedUntil && ticket.requester.lockedUntil > now());
    if (!locked) throw new ActionError('CONFLICT', 'The requester’s account is not locked.');
    await unlockAccount(tx, ticket.requesterId);
    await systemNote(tx, ticket.id, authz.viewer.userId, 'The requester’s account was unlocked.');
    return { value: null, details: { unlocked: true }, target: { type: 'User', id: ticket.requesterId } };
  });
}
