import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assignTicketAction } from '@/app/(console)/tickets/_actions/assign-ticket';
import { commentOnTicketAction } from '@/app/(console)/tickets/_actions/comment-on-ticket';
import { requestRequesterMfaResetAction } from '@/app/(console)/tickets/_actions/request-requester-mfa-reset';
import { resendRequesterInvitationAction } from '@/app/(console)/tickets/_actions/resend-requester-invitation';
import { revealRequesterFieldAction } from '@/app/(console)/tickets/_actions/reveal-requester-field';
import { sendRequesterPasswordResetAction } from '@/app/(console)/tickets/_actions/send-requester-password-reset';
import { setTicketStatusAction } from '@/app/(console)/tickets/_actions/set-ticket-status';
import { unassignTicketAction } from '@/app/(console)/tickets/_actions/unassign-ticket';
import { unlockRequesterAction } from '@/app/(console)/tickets/_actions/unlock-requester';
import { verifyChain } from '@/lib/audit/verify';
import { hashToken } from '@/lib/auth/tokens';
import { abilityFor } from '@/lib/authz/ability';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { revealRequesterField } from '@/lib/dal/ticket-work';
import { getTicket, listTickets, TICKET_CONVERSATION_LIMIT, ticketWorkload } from '@/lib/dal/tickets';
import { POLICY_VERSION } from '@/lib/policy-version';
import type { OperationId } from '@/policies/operations';
import { ActionHarness, type Caller, type ServerAction } from '../helpers/action-harness';
import { testProviders } from '../helpers/test-db';

// lib/env validates and caches process.env on first use, which happens while the
// imports above load (lib/log): the deployment is fixed before them. The outbox
// (links sent to requesters) is a fresh directory of this run, which the app creates.
const OUTBOX = vi.hoisted(() => {
  const outbox = `${process.env.TMPDIR ?? '/tmp'}/warden-outbox-desk-${globalThis.crypto.randomUUID()}`;
  vi.stubEnv('WARDEN_OUTBOX_DIR', outbox);
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
  return outbox;
});
// Only the framework's request scope is replaced (tests/helpers/action-harness.ts).
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

/**
 * The support desk (issue 7) through the real server actions and DAL reads, on a
 * real database, on every provider: what an agent can reach (only the tickets
 * assigned to them, only while they are), what it sees of the requester (masked
 * until revealed with a reason), and what the trail keeps (the reason, never the
 * revealed value or a comment's text).
 */

const REASON = 'Requester called the help line about sign-in';
const PHONE = '+44 20 7946 0958';

type TicketStatus = 'open' | 'pending' | 'resolved' | 'closed';

interface NewTicket {
  id: string;
  number: number;
  requester: { id: string; email: string };
}

/** The ticket operations and the action that performs each. */
const ACTIONS: Record<string, ServerAction> = {
  'ticket.comment': commentOnTicketAction,
  'ticket.set_status': setTicketStatusAction,
  'ticket.assign': assignTicketAction,
  'ticket.unassign_self': unassignTicketAction,
  'ticket.reveal_requester_field': revealRequesterFieldAction,
  'ticket.unlock_requester': unlockRequesterAction,
  'ticket.request_requester_mfa_reset': requestRequesterMfaResetAction,
  'ticket.resend_requester_invitation': resendRequesterInvitationAction,
  'ticket.send_requester_password_reset': sendRequesterPasswordResetAction,
};
const ALL_OPS = Object.keys(ACTIONS) as OperationId[];
const REQUESTER_OPS: OperationId[] = [
  'ticket.reveal_requester_field',
  'ticket.unlock_requester',
  'ticket.request_requester_mfa_reset',
  'ticket.resend_requester_invitation',
  'ticket.send_requester_password_reset',
];

/** The names of the spooled messages (lib/outbox/spool.ts), oldest first; temporary files too, so a half-written one shows. */
function outboxFiles(): string[] {
  return fs.existsSync(OUTBOX) ? fs.readdirSync(OUTBOX).sort() : [];
}

/** One spooled message: the raw text, its header lines (in order) and its body. */
function readMessage(file: string) {
  const raw = fs.readFileSync(path.join(OUTBOX, file), 'utf8');
  const split = raw.indexOf('\r\n\r\n');
  const headerLines = raw.slice(0, split).split('\r\n');
  const headers = new Map(headerLines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
  return { raw, headerLines, headers, body: raw.slice(split + 4) };
}

// The outbox of this run holds (test) links: it goes with the run.
afterAll(() => fs.rmSync(OUTBOX, { recursive: true, force: true }));

describe.each(testProviders())('support desk on %s', (provider) => {
  let h: ActionHarness;
  let nextNumber = 200_000 + Math.floor(Math.random() * 100_000);

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'desk');
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  /** A member requester (locked unless told otherwise, with a phone) and their ticket. */
  async function newTicket(opts: {
    assigneeId: string | null;
    status?: TicketStatus;
    locked?: boolean;
    requesterRole?: 'member' | 'admin' | 'support';
  }): Promise<NewTicket> {
    const email = `jane.${randomBytes(4).toString('hex')}@example.com`;
    const requester = await h.createUser({ role: opts.requesterRole ?? 'member', mfa: false, locked: opts.locked ?? true, email });
    await h.db.user.update({ where: { id: requester.id }, data: { phone: PHONE } });
    const status = opts.status ?? 'open';
    const at = new Date();
    const ticket = await h.db.ticket.create({
      data: {
        number: nextNumber++,
        requesterId: requester.id,
        subject: 'I cannot sign in',
        body: 'It says my account is locked.',
        status,
        assigneeId: opts.assigneeId,
        resolvedAt: status === 'resolved' || status === 'closed' ? at : null,
        closedAt: status === 'closed' ? at : null,
      },
      select: { id: true, number: true },
    });
    return { ...ticket, requester: { id: requester.id, email } };
  }

  /** Gives the requester a password (its value does not matter here, only that one is set). */
  async function setPassword(userId: string) {
    await h.db.user.update({
      where: { id: userId },
      data: { passwordHash: `$argon2id$v=19$m=19456,t=2,p=1$${randomBytes(16).toString('base64')}` },
    });
  }

  /** Everything any ticket operation could change: the ticket, its conversation, the requester's account. */
  async function snapshot(t: NewTicket) {
    const ticket = await h.db.ticket.findUnique({
      where: { id: t.id },
      select: {
        status: true,
        assigneeId: true,
        resolvedAt: true,
        closedAt: true,
        lastActivityAt: true,
        comments: { select: { id: true, kind: true, body: true, authorId: true }, orderBy: { id: 'asc' } },
      },
    });
    const requester = await h.userState(t.requester.id);
    const mfaResetRequests = await h.db.mfaResetRequest.findMany({
      where: { userId: t.requester.id },
      select: { id: true, status: true, requestedById: true },
      orderBy: { id: 'asc' },
    });
    const links = {
      select: { id: true, tokenHash: true, expiresAt: true, usedAt: true, revokedAt: true },
      orderBy: { id: 'asc' },
    } as const;
    const invitations = await h.db.invitation.findMany({ where: { userId: t.requester.id }, ...links });
    const passwordResets = await h.db.passwordReset.findMany({ where: { userId: t.requester.id }, ...links });
    return { ticket, requester, mfaResetRequests, invitations, passwordResets, outbox: outboxFiles() };
  }

  /** A well-formed input of `op` on a ticket id (so a refusal comes from the policy, not from validation). */
  function inputOf(op: OperationId, ticketId: string, assigneeId = 'someagent1'): Record<string, unknown> {
    switch (op) {
      case 'ticket.comment':
        return { ticketId, kind: 'reply', body: 'We are looking into it.' };
      case 'ticket.set_status':
        return { ticketId, status: 'pending' };
      case 'ticket.assign':
        return { ticketId, assigneeId, reason: REASON };
      case 'ticket.unassign_self':
        return { ticketId };
      case 'ticket.reveal_requester_field':
        return { ticketId, field: 'email', reason: REASON };
      case 'ticket.unlock_requester':
      case 'ticket.request_requester_mfa_reset':
      case 'ticket.resend_requester_invitation':
      case 'ticket.send_requester_password_reset':
        return { ticketId, reason: REASON };
      default:
        throw new Error(`not a ticket operation: ${op}`);
    }
  }

  /** Calls `op` as `caller` and checks it was refused with `code`, audited as a denial of `op` by the caller. */
  async function expectRefused(caller: Caller, op: OperationId, input: Record<string, unknown>, code: 'NOT_FOUND' | 'FORBIDDEN') {
    const { result, correlationId } = await h.call(caller, ACTIONS[op]!, input);
    expect(result, `${op} on ${String(input.ticketId)}`).toMatchObject({ ok: false, code });
    const events = await h.eventsOf(correlationId);
    expect(events, `${op}: the refusal is audited`).toEqual([
      expect.objectContaining({
        operation: op,
        outcome: 'denied',
        actorId: caller.user!.id,
        actorRole: caller.user!.role,
        actorSessionId: caller.sessionId,
        targetType: 'Ticket',
        targetId: input.ticketId,
        reasonCode: code === 'FORBIDDEN' ? 'forbidden' : expect.stringMatching(/^(forbidden|not_found)$/),
        policyVersion: POLICY_VERSION,
      }),
    ]);
    return result;
  }

  async function expectAllowed<T>(caller: Caller, op: OperationId, input: Record<string, unknown>) {
    const { result, correlationId } = await h.call<T>(caller, ACTIONS[op] as ServerAction<T>, input);
    expect(result, `${op} by ${caller.user!.role}`).toMatchObject({ ok: true });
    const events = await h.eventsOf(correlationId);
    expect(events).toEqual([expect.objectContaining({ operation: op, outcome: 'success', actorId: caller.user!.id })]);
    if (!result.ok) throw new Error('unreachable');
    return { data: result.data, event: events[0]! };
  }

  async function expectInvalid(caller: Caller, op: OperationId, raw: unknown) {
    const { result, correlationId } = await h.call(caller, ACTIONS[op]!, raw);
    expect(result, `${op} with ${raw instanceof FormData ? 'form data' : JSON.stringify(raw)}`).toMatchObject({
      ok: false,
      code: 'VALIDATION',
    });
    expect((await h.eventsOf(correlationId)).filter((e) => e.outcome === 'success')).toEqual([]);
  }

  describe('T26 an agent reaches only the tickets assigned to it', () => {
    let agent: Caller;
    let other: Caller;
    beforeAll(async () => {
      agent = await h.caller('support');
      other = await h.caller('support');
    });

    it('T26 every ticket action on an unassigned ticket is NOT_FOUND, changes nothing, and is audited; getTicket is null', async () => {
      const t = await newTicket({ assigneeId: null });
      const before = await snapshot(t);
      for (const op of ALL_OPS) await expectRefused(agent, op, inputOf(op, t.id, agent.user!.id), 'NOT_FOUND');
      expect(await snapshot(t)).toEqual(before);
      expect(await getTicket(h.viewerOf(agent), t.id)).toBeNull();
    });

    it('T26 every ticket action on a ticket assigned to another agent is NOT_FOUND, changes nothing, and is audited', async () => {
      const t = await newTicket({ assigneeId: other.user!.id });
      const before = await snapshot(t);
      for (const op of ALL_OPS) await expectRefused(agent, op, inputOf(op, t.id, agent.user!.id), 'NOT_FOUND');
      expect(await snapshot(t)).toEqual(before);
      expect(await getTicket(h.viewerOf(agent), t.id)).toBeNull();
      // The other agent still has it, untouched.
      expect(await getTicket(h.viewerOf(other), t.id)).toMatchObject({ id: t.id, assignee: { id: other.user!.id } });
    });

    it('T26 on a closed ticket assigned to it the agent can read the conversation but do nothing, and sees no requester', async () => {
      const t = await newTicket({ assigneeId: agent.user!.id, status: 'closed' });
      const before = await snapshot(t);
      for (const op of ALL_OPS) await expectRefused(agent, op, inputOf(op, t.id, other.user!.id), 'FORBIDDEN');
      expect(await snapshot(t)).toEqual(before);
      const dto = await getTicket(h.viewerOf(agent), t.id);
      expect(dto).toMatchObject({ id: t.id, status: 'closed', requester: null });
      expect(Object.values(dto!.can).some(Boolean)).toBe(false);
      expect(JSON.stringify(dto)).not.toContain(t.requester.email);
    });

    it('T26 a closed ticket does not show its requester even while the same person has another open ticket with the agent', async () => {
      const closed = await newTicket({ assigneeId: agent.user!.id, status: 'closed' });
      await h.db.ticket.create({
        data: {
          number: nextNumber++,
          requesterId: closed.requester.id,
          subject: 'Again',
          body: 'Still locked',
          status: 'open',
          assigneeId: agent.user!.id,
        },
      });
      expect((await getTicket(h.viewerOf(agent), closed.id))?.requester).toBeNull();
      const admin = await h.caller('admin');
      expect((await getTicket(h.viewerOf(admin), closed.id))?.requester?.email).toEqual({ value: closed.requester.email, masked: false });
    });

    it('T26 on a resolved ticket assigned to it the requester actions are FORBIDDEN and the requester is hidden', async () => {
      const t = await newTicket({ assigneeId: agent.user!.id, status: 'resolved' });
      const before = await snapshot(t);
      for (const op of REQUESTER_OPS) await expectRefused(agent, op, inputOf(op, t.id), 'FORBIDDEN');
      expect(await snapshot(t)).toEqual(before);
      const dto = await getTicket(h.viewerOf(agent), t.id);
      expect(dto).toMatchObject({ id: t.id, status: 'resolved', requester: null });
      expect(dto!.can).toMatchObject({
        comment: true,
        setStatus: true,
        readRequester: false,
        revealRequester: false,
        unlockRequester: false,
        resendInvitation: false,
        sendPasswordReset: false,
      });
    });

    it('T26/T27 a user with no ticket: no input names a user; an added userId is refused by the strict schema, a user id as ticket is NOT_FOUND', async () => {
      const own = await newTicket({ assigneeId: agent.user!.id });
      const loner = await h.createUser({ role: 'member', mfa: false, locked: true });
      const lonerBefore = await h.userState(loner.id);
      const ownBefore = await snapshot(own);
      for (const op of ALL_OPS) {
        await expectInvalid(agent, op, { ...inputOf(op, own.id, other.user!.id), userId: loner.id });
        await expectRefused(agent, op, inputOf(op, loner.id, other.user!.id), 'NOT_FOUND');
      }
      expect(await h.userState(loner.id)).toEqual(lonerBefore);
      expect(await snapshot(own)).toEqual(ownBefore);
      expect(await getTicket(h.viewerOf(agent), loner.id)).toBeNull();
    });

    it('T26 the requester actions never reach an account that is not a live member, even on an open ticket assigned to the agent', async () => {
      const ofAdmin = await newTicket({ assigneeId: agent.user!.id, requesterRole: 'admin' });
      const ofAgent = await newTicket({ assigneeId: agent.user!.id, requesterRole: 'support' });
      const ofDeleted = await newTicket({ assigneeId: agent.user!.id });
      await h.db.user.update({ where: { id: ofDeleted.requester.id }, data: { deletedAt: new Date() } });
      for (const t of [ofAdmin, ofAgent, ofDeleted]) {
        const before = await snapshot(t);
        for (const op of REQUESTER_OPS) await expectRefused(agent, op, inputOf(op, t.id), 'FORBIDDEN');
        expect(await snapshot(t)).toEqual(before);
        const dto = await getTicket(h.viewerOf(agent), t.id);
        expect(dto).toMatchObject({ id: t.id, requester: null, can: { comment: true, readRequester: false, revealRequester: false } });
        expect(JSON.stringify(dto)).not.toContain(t.requester.email);
      }
    });

    it('T26 the ticket list and the workload show an agent only its own tickets, whatever the query asks for', async () => {
      const mine = await newTicket({ assigneeId: agent.user!.id });
      const theirs = await newTicket({ assigneeId: other.user!.id });
      const queued = await newTicket({ assigneeId: null });
      const viewer = h.viewerOf(agent);
      const base = { sort: 'activity' as const, page: 1 };
      const all = await listTickets(viewer, base);
      const ids = all.rows.map((r) => r.id);
      expect(ids).toContain(mine.id);
      expect(ids).not.toContain(theirs.id);
      expect(ids).not.toContain(queued.id);
      expect(all.rows.every((r) => r.assignee?.id === agent.user!.id)).toBe(true);
      expect(all.total).toBe(all.rows.length);
      for (const query of [
        { ...base, assignee: other.user!.id },
        { ...base, assignee: 'unassigned' },
        { ...base, q: String(theirs.number) },
        { ...base, q: String(queued.number) },
      ]) {
        expect(await listTickets(viewer, query), JSON.stringify(query)).toEqual({ rows: [], total: 0, pageSize: 25 });
      }
      expect(await ticketWorkload(viewer)).toBeNull();
    });

    it('T26 an admin can assign only to an active support agent', async () => {
      const admin = await h.caller('admin');
      const disabledAgent = await h.createUser({ role: 'support', status: 'disabled' });
      const t = await newTicket({ assigneeId: null });
      const before = await snapshot(t);
      for (const assigneeId of [admin.user!.id, t.requester.id, disabledAgent.id, 'nosuchuser000001']) {
        const { result, correlationId } = await h.call(admin, assignTicketAction, { ticketId: t.id, assigneeId, reason: REASON });
        expect(result, assigneeId).toMatchObject({ ok: false, code: 'VALIDATION', fieldErrors: { assigneeId: expect.any(Array) } });
        expect((await h.eventsOf(correlationId)).filter((e) => e.outcome === 'success')).toEqual([]);
      }
      expect(await snapshot(t)).toEqual(before);
    });

    it('T26 a ticket id that does not exist is NOT_FOUND for every action, and audited', async () => {
      const missing = 'nosuchticket0000000000001';
      for (const op of ALL_OPS) {
        await expectRefused(agent, op, inputOf(op, missing, other.user!.id), 'NOT_FOUND');
      }
      const denials = await h.db.auditEvent.findMany({
        where: { actorId: agent.user!.id, targetId: missing, outcome: 'denied' },
        select: { operation: true, reasonCode: true, decision: true },
      });
      expect(denials.map((d) => d.operation).sort()).toEqual([...ALL_OPS].sort());
      for (const d of denials) expect(d).toMatchObject({ reasonCode: 'not_found', decision: 'authz.not_found' });
      expect(await getTicket(h.viewerOf(agent), missing)).toBeNull();
    });
  });

  describe('reassignment mid-session', () => {
    it('T26 the previous agent loses the ticket and its requester on its next request; the new one gains them', async () => {
      const a = await h.caller('support');
      const b = await h.caller('support');
      const admin = await h.caller('admin');
      const t = await newTicket({ assigneeId: a.user!.id });

      const revealed = await expectAllowed<{ field: string; value: string }>(
        a,
        'ticket.reveal_requester_field',
        inputOf('ticket.reveal_requester_field', t.id),
      );
      expect(revealed.data).toEqual({ field: 'email', value: t.requester.email });
      expect(await getTicket(h.viewerOf(a), t.id)).toMatchObject({ id: t.id, requester: { id: t.requester.id } });

      await expectAllowed(admin, 'ticket.assign', { ticketId: t.id, assigneeId: b.user!.id, reason: REASON });
      expect(await h.db.ticket.findUniqueOrThrow({ where: { id: t.id }, select: { assigneeId: true } })).toEqual({
        assigneeId: b.user!.id,
      });

      // A's page may still be open: its next calls find nothing.
      const before = await snapshot(t);
      await expectRefused(a, 'ticket.reveal_requester_field', inputOf('ticket.reveal_requester_field', t.id), 'NOT_FOUND');
      await expectRefused(a, 'ticket.unlock_requester', inputOf('ticket.unlock_requester', t.id), 'NOT_FOUND');
      await expectRefused(a, 'ticket.comment', inputOf('ticket.comment', t.id), 'NOT_FOUND');
      expect(await snapshot(t)).toEqual(before);
      expect(await getTicket(h.viewerOf(a), t.id)).toBeNull();

      const forB = await expectAllowed<{ field: string; value: string }>(b, 'ticket.reveal_requester_field', {
        ticketId: t.id,
        field: 'phone',
        reason: REASON,
      });
      expect(forB.data).toEqual({ field: 'phone', value: PHONE });
      expect(await getTicket(h.viewerOf(b), t.id)).toMatchObject({ id: t.id, requester: { id: t.requester.id } });

      // B gives it back to the queue and loses it in turn.
      await expectAllowed(b, 'ticket.unassign_self', { ticketId: t.id });
      expect(await h.db.ticket.findUniqueOrThrow({ where: { id: t.id }, select: { assigneeId: true } })).toEqual({ assigneeId: null });
      expect(await getTicket(h.viewerOf(b), t.id)).toBeNull();
      await expectRefused(b, 'ticket.reveal_requester_field', inputOf('ticket.reveal_requester_field', t.id), 'NOT_FOUND');
      await expectRefused(b, 'ticket.unassign_self', { ticketId: t.id }, 'NOT_FOUND');
    });

    it('T26 the DAL re-checks the assignment in its own WHERE: an authorization granted before the reassignment is worth nothing after it', async () => {
      const a = await h.caller('support');
      const b = await h.caller('support');
      const t = await newTicket({ assigneeId: a.user!.id });
      const viewer = h.viewerOf(a);
      // What defineAction established for A while the ticket was still A's.
      const authz: Authorization = {
        viewer,
        ability: abilityFor(viewer),
        op: 'ticket.reveal_requester_field',
        rule: 'support.requester_of_open_ticket',
        reason: REASON,
        ticketRef: null,
        target: { id: t.id, assigneeId: a.user!.id, status: 'open' },
        steppedUp: false,
      };
      await h.db.ticket.update({ where: { id: t.id }, data: { assigneeId: b.user!.id } });
      const head = await h.db.auditEvent.count();
      const error = await revealRequesterField(authz, { ticketId: t.id, field: 'email' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ActionError);
      expect((error as ActionError).code).toBe('NOT_FOUND');
      // Nothing was recorded as a success (the transaction rolled back).
      expect(await h.db.auditEvent.count()).toBe(head);
    });
  });

  describe('masking', () => {
    it('T26 the assigned agent sees the requester masked, an admin unmasked; the agent DTO never holds the raw values', async () => {
      const agent = await h.caller('support');
      const admin = await h.caller('admin');
      const t = await newTicket({ assigneeId: agent.user!.id });

      const dto = await getTicket(h.viewerOf(agent), t.id);
      expect(dto?.requester).toMatchObject({
        id: t.requester.id,
        email: { value: 'j•••@example.com', masked: true },
        phone: { value: '•••• 58', masked: true },
        locked: true,
      });
      const text = JSON.stringify(dto);
      expect(text).not.toContain(t.requester.email);
      expect(text).not.toContain(t.requester.email.split('@')[0]!);
      expect(text).not.toContain(PHONE);
      expect(text).not.toContain('7946');
      expect(dto!.can).toMatchObject({ readRequester: true, revealRequester: true, unlockRequester: true, assign: false });

      const forAdmin = await getTicket(h.viewerOf(admin), t.id);
      expect(forAdmin?.requester).toMatchObject({
        id: t.requester.id,
        email: { value: t.requester.email, masked: false },
        phone: { value: PHONE, masked: false },
      });
      expect(forAdmin!.can).toMatchObject({ assign: true, revealRequester: false, unlockRequester: false });
    });

    it('T26 a pending ticket keeps the requester visible (masked), a resolved one hides it', async () => {
      const agent = await h.caller('support');
      const t = await newTicket({ assigneeId: agent.user!.id, status: 'pending' });
      expect((await getTicket(h.viewerOf(agent), t.id))?.requester).toMatchObject({ email: { masked: true } });
      await expectAllowed(agent, 'ticket.set_status', { ticketId: t.id, status: 'resolved' });
      expect((await getTicket(h.viewerOf(agent), t.id))?.requester).toBeNull();
    });
  });

  describe('reveal', () => {
    it('T26 a reveal is audited with its reason, on the requester, and without the value', async () => {
      const agent = await h.caller('support');
      const t = await newTicket({ assigneeId: agent.user!.id });
      const { data, event } = await expectAllowed<{ field: string; value: string }>(agent, 'ticket.reveal_requester_field', {
        ticketId: t.id,
        field: 'email',
        reason: REASON,
        ticketRef: 'SUP-1',
      });
      expect(data).toEqual({ field: 'email', value: t.requester.email });
      expect(event).toMatchObject({
        targetType: 'User',
        targetId: t.requester.id,
        reason: REASON,
        decision: 'support.requester_of_open_ticket',
        actorRole: 'support',
      });
      const details = JSON.parse(event.details) as Record<string, unknown>;
      expect(details).toMatchObject({ field: 'email', ticket: `SUP-${t.number}` });
      expect(event.details).not.toContain('@');
      expect(event.details).not.toContain(t.requester.email.split('@')[0]!);
      // A reveal changes nothing but the trail.
      expect(await h.db.ticketComment.count({ where: { ticketId: t.id } })).toBe(0);

      const phone = await expectAllowed(agent, 'ticket.reveal_requester_field', { ticketId: t.id, field: 'phone', reason: REASON });
      expect(phone.event.details).not.toContain('7946');
      expect(phone.event.details).not.toContain('0958');
    });

    it('T26 a reveal without a reason is refused and reveals nothing', async () => {
      const agent = await h.caller('support');
      const t = await newTicket({ assigneeId: agent.user!.id });
      const { result } = await h.call(agent, revealRequesterFieldAction, { ticketId: t.id, field: 'email' });
      expect(result).toMatchObject({ ok: false, code: 'REASON_REQUIRED' });
      expect(JSON.stringify(result)).not.toContain(t.requester.email);
    });
  });

  describe('unlock', () => {
    it('T26 unlocking a locked requester clears the lock, notes it on the ticket and is audited; a second unlock is a CONFLICT', async () => {
      const agent = await h.caller('support');
      const t = await newTicket({ assigneeId: agent.user!.id });
      await h.db.user.update({ where: { id: t.requester.id }, data: { lockedAt: new Date(), failedLoginCount: 50 } });

      const { event } = await expectAllowed(agent, 'ticket.unlock_requester', { ticketId: t.id, reason: REASON });
      expect(await h.userState(t.requester.id)).toMatchObject({ lockedAt: null, lockedUntil: null, failedLoginCount: 0 });
      expect(event).toMatchObject({
        targetType: 'User',
        targetId: t.requester.id,
        reason: REASON,
        decision: 'support.requester_of_open_ticket',
      });
      expect(JSON.parse(event.details)).toMatchObject({ ticket: `SUP-${t.number}`, unlocked: true });
      const comments = await h.db.ticketComment.findMany({ where: { ticketId: t.id }, select: { kind: true, authorId: true } });
      expect(comments).toEqual([{ kind: 'system', authorId: agent.user!.id }]);
      expect((await getTicket(h.viewerOf(agent), t.id))?.requester).toMatchObject({ locked: false });

      const before = await snapshot(t);
      const again = await h.call(agent, unlockRequesterAction, { ticketId: t.id, reason: REASON });
      expect(again.result).toMatchObject({ ok: false, code: 'CONFLICT' });
      expect((await h.eventsOf(again.correlationId)).filter((e) => e.outcome === 'success')).toEqual([]);
      expect(await snapshot(t)).toEqual(before);
    });

    it('T26 unlocking a requester who is not locked is a CONFLICT and changes nothing', async () => {
      const agent = await h.caller('support');
      const t = await newTicket({ assigneeId: agent.user!.id, locked: false });
      const before = await snapshot(t);
      const { result, correlationId } = await h.call(agent, unlockRequesterAction, { ticketId: t.id, reason: REASON });
      expect(result).toMatchObject({ ok: false, code: 'CONFLICT' });
      expect((await h.eventsOf(correlationId)).filter((e) => e.outcome === 'success')).toEqual([]);
      expect(await snapshot(t)).toEqual(before);
    });
  });

  describe('second-factor reset requests', () => {
    it('T26 an agent can ask for a reset of its requester’s second factors once; the factors are untouched and the request is audited', async () => {
      const agent = await h.caller('support');
      const t = await newTicket({ assigneeId: agent.user!.id, locked: false });
      const factors = await h.userState(t.requester.id);
      const { data, event } = await expectAllowed<{ requestId: string }>(agent, 'ticket.request_requester_mfa_reset', {
        ticketId: t.id,
        reason: REASON,
      });
      const requests = await h.db.mfaResetRequest.findMany({ where: { userId: t.requester.id } });
      expect(requests).toEqual([
        expect.objectContaining({ id: data.requestId, ticketId: t.id, requestedById: agent.user!.id, reason: REASON, status: 'pending' }),
      ]);
      expect(await h.userState(t.requester.id)).toEqual(factors);
      expect(event).toMatchObject({ targetType: 'User', targetId: t.requester.id, reason: REASON });

      const before = await snapshot(t);
      const again = await h.call(agent, requestRequesterMfaResetAction, { ticketId: t.id, reason: REASON });
      expect(again.result).toMatchObject({ ok: false, code: 'CONFLICT' });
      expect(await snapshot(t)).toEqual(before);
    });
  });

  describe('links to the requester (invitation, password reset)', () => {
    const HOUR_MS = 60 * 60 * 1000;
    const HEADER_NAMES = ['From', 'To', 'Subject', 'Date', 'Message-ID', 'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding'];

    /** The messages spooled since `before` (a listing from outboxFiles()). */
    function newMessages(before: string[]) {
      return outboxFiles()
        .filter((f) => !before.includes(f))
        .map((file) => ({ file, ...readMessage(file) }));
    }

    /** The token of the one link in a message body. */
    function tokenIn(body: string, route: 'invite' | 'reset-password'): string {
      const found = [...body.matchAll(new RegExp(`http://localhost:3000/${route}#([A-Za-z0-9_-]{43})`, 'g'))];
      expect(found, `one ${route} link in the message`).toHaveLength(1);
      return found[0]![1]!;
    }

    it('T26 both link operations are refused (NOT_FOUND / FORBIDDEN), audited, and send nothing, even where the link could be sent', async () => {
      const agent = await h.caller('support');
      const other = await h.caller('support');
      const cases: { assigneeId: string | null; status: TicketStatus; code: 'NOT_FOUND' | 'FORBIDDEN' }[] = [
        { assigneeId: null, status: 'open', code: 'NOT_FOUND' },
        { assigneeId: other.user!.id, status: 'open', code: 'NOT_FOUND' },
        { assigneeId: other.user!.id, status: 'pending', code: 'NOT_FOUND' },
        { assigneeId: agent.user!.id, status: 'closed', code: 'FORBIDDEN' },
        { assigneeId: agent.user!.id, status: 'resolved', code: 'FORBIDDEN' },
      ];
      for (const c of cases) {
        const invitee = await newTicket({ assigneeId: c.assigneeId, status: c.status, locked: false });
        const resettable = await newTicket({ assigneeId: c.assigneeId, status: c.status, locked: false });
        await setPassword(resettable.requester.id);
        for (const [t, op] of [
          [invitee, 'ticket.resend_requester_invitation'],
          [resettable, 'ticket.send_requester_password_reset'],
        ] as const) {
          const before = await snapshot(t);
          await expectRefused(agent, op, inputOf(op, t.id), c.code);
          expect(await snapshot(t), `${op} on a ${c.status} ticket`).toEqual(before);
        }
      }
    });

    it('T26 a reset for a requester without a password, an invitation for one with a password, or either for a suspended requester is a CONFLICT that sends nothing', async () => {
      const agent = await h.caller('support');
      const noPassword = await newTicket({ assigneeId: agent.user!.id, locked: false });
      const withPassword = await newTicket({ assigneeId: agent.user!.id, locked: false });
      await setPassword(withPassword.requester.id);
      const suspended = await newTicket({ assigneeId: agent.user!.id, locked: false });
      await setPassword(suspended.requester.id);
      await h.db.user.update({ where: { id: suspended.requester.id }, data: { status: 'suspended' } });
      const suspendedInvitee = await newTicket({ assigneeId: agent.user!.id, locked: false });
      await h.db.user.update({ where: { id: suspendedInvitee.requester.id }, data: { status: 'suspended' } });
      for (const [t, action] of [
        [noPassword, sendRequesterPasswordResetAction],
        [withPassword, resendRequesterInvitationAction],
        [suspended, sendRequesterPasswordResetAction],
        [suspendedInvitee, resendRequesterInvitationAction],
      ] as const) {
        const before = await snapshot(t);
        const { result, correlationId } = await h.call(agent, action, { ticketId: t.id, reason: REASON });
        expect(result).toMatchObject({ ok: false, code: 'CONFLICT' });
        expect((await h.eventsOf(correlationId)).filter((e) => e.outcome === 'success')).toEqual([]);
        expect(await snapshot(t)).toEqual(before);
      }
    });

    it('T26 a reset link goes only into one well-formed spooled message to the requester: CRLF, 0600 in a 0700 directory, APP_URL link', async () => {
      const agent = await h.caller('support');
      const t = await newTicket({ assigneeId: agent.user!.id, locked: false });
      await setPassword(t.requester.id);
      const outboxBefore = outboxFiles();
      const { data } = await expectAllowed<{ expiresAt: Date }>(agent, 'ticket.send_requester_password_reset', {
        ticketId: t.id,
        reason: REASON,
      });
      const mail = newMessages(outboxBefore);
      expect(mail).toHaveLength(1);
      const m = mail[0]!;
      expect(m.file).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-[0-9a-f-]{36}\.eml$/);
      expect(fs.statSync(path.join(OUTBOX, m.file)).mode & 0o777).toBe(0o600);
      expect(fs.statSync(OUTBOX).mode & 0o777).toBe(0o700);
      // RFC 5322: CRLF line ends only.
      expect(m.raw).not.toMatch(/(?<!\r)\n/);
      expect(m.raw).not.toMatch(/\r(?!\n)/);
      expect(m.headerLines.map((l) => l.slice(0, l.indexOf(':')))).toEqual(HEADER_NAMES);
      expect(m.headers.get('To')).toBe(t.requester.email);
      expect(m.headers.get('Subject')).toBe('Reset your password');
      expect(m.headers.get('MIME-Version')).toBe('1.0');
      expect(m.headers.get('Content-Type')).toBe('text/plain; charset=utf-8');
      expect(m.headers.get('Content-Transfer-Encoding')).toBe('8bit');
      expect(m.headers.get('Message-ID')).toMatch(/^<[0-9a-f-]{36}@warden>$/);
      expect(Math.abs(Date.parse(m.headers.get('Date')!) - Date.now())).toBeLessThan(60_000);
      const token = tokenIn(m.body, 'reset-password');
      const rows = await h.db.passwordReset.findMany({ where: { userId: t.requester.id } });
      expect(rows).toEqual([
        expect.objectContaining({
          tokenHash: hashToken(token),
          createdById: agent.user!.id,
          ticketId: t.id,
          usedAt: null,
          revokedAt: null,
        }),
      ]);
      expect(data).toEqual({ expiresAt: rows[0]!.expiresAt });
      expect(Math.abs(rows[0]!.expiresAt.getTime() - (Date.now() + HOUR_MS))).toBeLessThan(60_000);
    });

    it('T26 a new invitation goes to the requester with an APP_URL/invite link; the older unused invitation stops working', async () => {
      const agent = await h.caller('support');
      const t = await newTicket({ assigneeId: agent.user!.id, locked: false });
      const older = await h.db.invitation.create({
        data: {
          userId: t.requester.id,
          tokenHash: hashToken(randomBytes(32).toString('base64url')),
          expiresAt: new Date(Date.now() + HOUR_MS),
        },
      });
      const outboxBefore = outboxFiles();
      const { event } = await expectAllowed(agent, 'ticket.resend_requester_invitation', { ticketId: t.id });
      expect(event).toMatchObject({ targetType: 'User', targetId: t.requester.id, reason: null });
      const mail = newMessages(outboxBefore);
      expect(mail).toHaveLength(1);
      expect(mail[0]!.headers.get('To')).toBe(t.requester.email);
      expect(mail[0]!.headerLines.map((l) => l.slice(0, l.indexOf(':')))).toEqual(HEADER_NAMES);
      const token = tokenIn(mail[0]!.body, 'invite');
      const rows = await h.db.invitation.findMany({ where: { userId: t.requester.id }, orderBy: { createdAt: 'asc' } });
      expect(rows).toHaveLength(2);
      expect(rows.find((r) => r.id === older.id)?.revokedAt).toBeInstanceOf(Date);
      const fresh = rows.find((r) => r.id !== older.id)!;
      expect(fresh).toMatchObject({ tokenHash: hashToken(token), createdById: agent.user!.id, usedAt: null, revokedAt: null });
      expect(Math.abs(fresh.expiresAt.getTime() - (Date.now() + 72 * HOUR_MS))).toBeLessThan(60_000);
      const comments = await h.db.ticketComment.findMany({ where: { ticketId: t.id }, select: { kind: true, authorId: true, body: true } });
      expect(comments).toEqual([expect.objectContaining({ kind: 'system', authorId: agent.user!.id })]);
      expect(comments[0]!.body).not.toContain(token);
    });

    it('T26 a requester name with a line break cannot add a header (no Bcc): it stays in the body of the one message', async () => {
      const agent = await h.caller('support');
      const t = await newTicket({ assigneeId: agent.user!.id, locked: false });
      await setPassword(t.requester.id);
      await h.db.user.update({ where: { id: t.requester.id }, data: { name: 'Jane\r\nBcc: evil@example.com' } });
      const outboxBefore = outboxFiles();
      await expectAllowed(agent, 'ticket.send_requester_password_reset', { ticketId: t.id, reason: REASON });
      const mail = newMessages(outboxBefore);
      expect(mail).toHaveLength(1);
      const m = mail[0]!;
      expect(m.headerLines.map((l) => l.slice(0, l.indexOf(':')))).toEqual(HEADER_NAMES);
      expect(m.headerLines.some((l) => /^bcc\s*:/i.test(l))).toBe(false);
      expect(m.headers.get('To')).toBe(t.requester.email);
      expect(m.raw).not.toMatch(/(?<!\r)\n/);
      // One message: one header block, one link.
      expect(m.raw.match(/^Message-ID:/gm)).toHaveLength(1);
      expect(m.raw.match(/^To:/gm)).toHaveLength(1);
      tokenIn(m.body, 'reset-password');
      expect(m.body).toContain('Jane');
    });

    it('T26 the token is nowhere the agent or the trail can see: not in the result, the events, the ticket or the agent’s view', async () => {
      const agent = await h.caller('support');
      const t = await newTicket({ assigneeId: agent.user!.id, locked: false });
      await setPassword(t.requester.id);
      const outboxBefore = outboxFiles();
      const { result, correlationId } = await h.call(agent, sendRequesterPasswordResetAction, { ticketId: t.id, reason: REASON });
      expect(result).toMatchObject({ ok: true });
      const token = tokenIn(newMessages(outboxBefore)[0]!.body, 'reset-password');
      const secrets = [token, hashToken(token)];
      const events = await h.eventsOf(correlationId);
      expect(events).toEqual([
        expect.objectContaining({
          operation: 'ticket.send_requester_password_reset',
          outcome: 'success',
          reason: REASON,
          targetType: 'User',
          targetId: t.requester.id,
        }),
      ]);
      expect(JSON.parse(events[0]!.details)).toMatchObject({
        ticket: `SUP-${t.number}`,
        sentTo: expect.any(String),
        expiresAt: expect.any(String),
      });
      const leaking = await h.db.auditEvent.findMany({
        where: { OR: secrets.flatMap((s) => [{ details: { contains: s } }, { reason: { contains: s } }]) },
        select: { seq: true },
      });
      expect(leaking).toEqual([]);
      for (const e of events) expect(JSON.stringify(e)).not.toContain(t.requester.email);
      const visible = JSON.stringify([result, await getTicket(h.viewerOf(agent), t.id)]);
      for (const s of secrets) expect(visible).not.toContain(s);
      expect(visible).not.toContain('reset-password#');
    });

    it('T26 a newer reset link revokes the older one', async () => {
      const agent = await h.caller('support');
      const t = await newTicket({ assigneeId: agent.user!.id, locked: false });
      await setPassword(t.requester.id);
      const start = outboxFiles();
      await expectAllowed(agent, 'ticket.send_requester_password_reset', { ticketId: t.id, reason: REASON });
      const first = tokenIn(newMessages(start)[0]!.body, 'reset-password');
      const middle = outboxFiles();
      await expectAllowed(agent, 'ticket.send_requester_password_reset', { ticketId: t.id, reason: REASON });
      const second = tokenIn(newMessages(middle)[0]!.body, 'reset-password');
      expect(second).not.toBe(first);
      const older = await h.db.passwordReset.findUniqueOrThrow({ where: { tokenHash: hashToken(first) } });
      const newer = await h.db.passwordReset.findUniqueOrThrow({ where: { tokenHash: hashToken(second) } });
      expect(older.revokedAt).toBeInstanceOf(Date);
      expect(newer).toMatchObject({ revokedAt: null, usedAt: null });
      expect(await h.db.passwordReset.count({ where: { userId: t.requester.id, revokedAt: null, usedAt: null } })).toBe(1);
    });
  });

  describe('T27 ticket forms are strict', () => {
    it('T27 extra fields, prototype keys and duplicate keys are refused with VALIDATION and change nothing', async () => {
      const agent = await h.caller('support');
      const intruder = await h.caller('support');
      const t = await newTicket({ assigneeId: agent.user!.id });
      const before = await snapshot(t);
      const comment = inputOf('ticket.comment', t.id);
      await expectInvalid(agent, 'ticket.comment', { ...comment, assigneeId: intruder.user!.id });
      await expectInvalid(agent, 'ticket.comment', { ...comment, kind: 'system' });
      await expectInvalid(
        agent,
        'ticket.comment',
        JSON.parse(`{"ticketId":"${t.id}","kind":"reply","body":"hi","__proto__":{"role":"admin"}}`),
      );
      await expectInvalid(agent, 'ticket.comment', { ...comment, constructor: { prototype: { role: 'admin' } } });
      await expectInvalid(agent, 'ticket.reveal_requester_field', { ...inputOf('ticket.reveal_requester_field', t.id), status: 'closed' });
      await expectInvalid(agent, 'ticket.reveal_requester_field', {
        ...inputOf('ticket.reveal_requester_field', t.id),
        field: 'passwordHash',
      });
      await expectInvalid(agent, 'ticket.unlock_requester', { ...inputOf('ticket.unlock_requester', t.id), requesterId: t.requester.id });
      await expectInvalid(agent, 'ticket.set_status', { ...inputOf('ticket.set_status', t.id), role: 'admin' });
      await expectInvalid(agent, 'ticket.set_status', { ticketId: t.id, status: 'deleted' });
      await expectInvalid(agent, 'ticket.unassign_self', { ticketId: t.id, assigneeId: intruder.user!.id });
      await expectInvalid(agent, 'ticket.assign', { ticketId: t.id, assigneeId: intruder.user!.id, role: 'admin' });

      const twice = new FormData();
      twice.append('ticketId', t.id);
      twice.append('kind', 'reply');
      twice.append('body', 'first');
      twice.append('body', 'second');
      await expectInvalid(agent, 'ticket.comment', twice);
      const twoTickets = new FormData();
      twoTickets.append('ticketId', t.id);
      twoTickets.append('ticketId', 'someoneelses1');
      twoTickets.append('field', 'email');
      twoTickets.append('reason', REASON);
      await expectInvalid(agent, 'ticket.reveal_requester_field', twoTickets);

      expect(await snapshot(t)).toEqual(before);
      expect(await h.db.auditEvent.count({ where: { actorId: agent.user!.id, outcome: 'success' } })).toBe(0);
    });
  });

  describe('comments', () => {
    it('T26 replies and internal notes are stored; the trail has their kind and length, never their text', async () => {
      const agent = await h.caller('support');
      const t = await newTicket({ assigneeId: agent.user!.id });
      const replyText = 'Your account is unlocked now, zebra-quartz-7731.';
      const noteText = 'Internal: caller verified by callback, walrus-ember-4410.';

      const reply = await expectAllowed<{ id: string }>(agent, 'ticket.comment', { ticketId: t.id, kind: 'reply', body: replyText });
      const note = await expectAllowed<{ id: string }>(agent, 'ticket.comment', {
        ticketId: t.id,
        kind: 'internal',
        body: `  ${noteText}  `,
      });

      const stored = await h.db.ticketComment.findMany({
        where: { ticketId: t.id },
        select: { id: true, kind: true, body: true, authorId: true },
        orderBy: { createdAt: 'asc' },
      });
      expect(stored).toEqual(
        expect.arrayContaining([
          { id: reply.data.id, kind: 'reply', body: replyText, authorId: agent.user!.id },
          { id: note.data.id, kind: 'internal', body: noteText, authorId: agent.user!.id },
        ]),
      );
      expect(stored).toHaveLength(2);

      expect(JSON.parse(reply.event.details)).toMatchObject({ kind: 'reply', chars: replyText.length, ticket: `SUP-${t.number}` });
      expect(JSON.parse(note.event.details)).toMatchObject({ kind: 'internal', chars: noteText.length });
      for (const e of [reply.event, note.event]) {
        expect(e).toMatchObject({ targetType: 'Ticket', targetId: t.id, reason: null });
        const row = JSON.stringify(e);
        expect(row).not.toContain('zebra-quartz');
        expect(row).not.toContain('walrus-ember');
      }

      const dto = await getTicket(h.viewerOf(agent), t.id);
      expect(dto?.comments.map((c) => [c.kind, c.body])).toEqual([
        ['reply', replyText],
        ['internal', noteText],
      ]);
    });
  });

  describe('closing is final', () => {
    it('T26 after a ticket is closed neither its agent nor an admin can comment, change its status or reassign it', async () => {
      const agent = await h.caller('support');
      const admin = await h.caller('admin');
      const t = await newTicket({ assigneeId: agent.user!.id });
      await expectAllowed(agent, 'ticket.set_status', { ticketId: t.id, status: 'closed' });
      const closed = await h.db.ticket.findUniqueOrThrow({ where: { id: t.id }, select: { status: true, closedAt: true } });
      expect(closed).toMatchObject({ status: 'closed', closedAt: expect.any(Date) });

      const before = await snapshot(t);
      await expectRefused(agent, 'ticket.comment', inputOf('ticket.comment', t.id), 'FORBIDDEN');
      await expectRefused(agent, 'ticket.comment', { ticketId: t.id, kind: 'internal', body: 'one more thing' }, 'FORBIDDEN');
      await expectRefused(agent, 'ticket.set_status', { ticketId: t.id, status: 'open' }, 'FORBIDDEN');
      await expectRefused(agent, 'ticket.unassign_self', { ticketId: t.id }, 'FORBIDDEN');
      await expectRefused(admin, 'ticket.comment', inputOf('ticket.comment', t.id), 'FORBIDDEN');
      await expectRefused(admin, 'ticket.set_status', { ticketId: t.id, status: 'open' }, 'FORBIDDEN');
      await expectRefused(admin, 'ticket.assign', { ticketId: t.id, assigneeId: null, reason: REASON }, 'FORBIDDEN');
      expect(await snapshot(t)).toEqual(before);

      const forAgent = await getTicket(h.viewerOf(agent), t.id);
      expect(forAgent).toMatchObject({ status: 'closed', requester: null });
      expect(Object.values(forAgent!.can).some(Boolean)).toBe(false);
      const forAdmin = await getTicket(h.viewerOf(admin), t.id);
      expect(forAdmin!.can).toMatchObject({ comment: false, setStatus: false, assign: false });
    });
  });

  it('a ticket page shows the newest 200 conversation entries, oldest first, and says how many are not shown', async () => {
    const agent = await h.caller('support');
    const t = await newTicket({ assigneeId: agent.user!.id });
    const base = Date.now() - 10 * 60_000;
    await h.db.ticketComment.createMany({
      data: Array.from({ length: TICKET_CONVERSATION_LIMIT + 5 }, (_, i) => ({
        ticketId: t.id,
        authorId: agent.user!.id,
        kind: 'internal',
        body: `note ${i}`,
        createdAt: new Date(base + i * 1000),
      })),
    });
    const detail = await getTicket(h.viewerOf(agent), t.id);
    expect(detail!.commentCount).toBe(TICKET_CONVERSATION_LIMIT + 5);
    expect(detail!.comments).toHaveLength(TICKET_CONVERSATION_LIMIT);
    expect(detail!.comments[0]!.body).toBe('note 5');
    expect(detail!.comments.at(-1)!.body).toBe(`note ${TICKET_CONVERSATION_LIMIT + 4}`);
  });

  it('the audit chain verifies after all of the above', async () => {
    const chain = await verifyChain(h.db);
    expect(chain).toMatchObject({ ok: true, count: await h.db.auditEvent.count() });
  });
});
