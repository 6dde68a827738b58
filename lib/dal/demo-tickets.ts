import 'server-only';
import type { Tx } from '@/lib/db';

/**
 * Demo support tickets for `npm run demo` (called by seedDemo inside its
 * transaction): realistic subjects and conversations from member accounts, spread
 * over two weeks, across statuses, priorities and the three demo agents, with an
 * unassigned queue and a few requesters whose accounts are locked or still invited.
 * Deterministic, so screenshots and docs stay stable.
 */

interface Person {
  id: string;
  name: string;
}

const STORIES: { subject: string; body: string; priority: string; tags: string; lockRequester?: boolean; replies: [string, string][] }[] = [
  {
    subject: 'Locked out after too many attempts',
    body: 'I typed an old password a few times this morning and now the app says my account is locked. I need to submit my timesheet today.',
    priority: 'high',
    tags: 'login lockout',
    lockRequester: true,
    replies: [
      ['internal', 'Requester confirmed identity via the registered phone callback.'],
      ['reply', 'Thanks for the details — I am looking into it now.'],
    ],
  },
  {
    subject: 'Cannot receive the sign-in code on my new phone',
    body: 'I changed phones last week and the authenticator app did not come across. Can you reset the second factor?',
    priority: 'normal',
    tags: 'mfa device',
    replies: [['reply', 'We can help. For your security an administrator has to approve a second-factor reset; I have asked for it.']],
  },
  {
    subject: 'Invitation link expired',
    body: 'The invitation email from last Monday says the link is no longer valid. Could you send a new one?',
    priority: 'normal',
    tags: 'invitation',
    replies: [],
  },
  {
    subject: 'Wrong name on my account',
    body: 'My surname is spelled "Jansen", not "Janssen". Please fix it before the payroll export.',
    priority: 'low',
    tags: 'profile',
    replies: [['reply', 'Noted. Name changes go through the HR system; I have forwarded it to them.']],
  },
  {
    subject: 'Suspicious sign-in notification',
    body: 'I got a notification about a sign-in from a city I have never been to. I did not do that. What should I do?',
    priority: 'urgent',
    tags: 'security login',
    replies: [
      ['internal', 'Three failed attempts from 198.51.100.132 in the trail; no success. Escalating to admins.'],
      ['reply', 'No one got in: those attempts failed. Please change your password as a precaution; we are watching the address.'],
    ],
  },
  {
    subject: 'Password reset email never arrived',
    body: 'I requested a password reset twice but nothing arrives, not even in spam.',
    priority: 'normal',
    tags: 'password email',
    lockRequester: true,
    replies: [],
  },
  {
    subject: 'Can I use a hardware security key?',
    body: 'Our team has YubiKeys. Can I register one instead of the phone app?',
    priority: 'low',
    tags: 'mfa passkey',
    replies: [['reply', 'Yes — any FIDO2 security key works as a passkey. Open Account security and choose "Add a passkey".']],
  },
  {
    subject: 'Access to the reporting workspace',
    body: 'My manager asked me to review Q3 numbers but I cannot see the reporting area.',
    priority: 'normal',
    tags: 'access',
    replies: [['internal', 'Access requests go through the owner of the workspace; pointing the requester there.']],
  },
];

const STATUS_CYCLE = ['open', 'open', 'pending', 'open', 'resolved', 'pending', 'closed', 'open'] as const;

/** Seeds the demo tickets; returns how many were made. */
export async function seedDemoTickets(tx: Tx, opts: { members: Person[]; agents: Person[]; admin: Person; now: Date }): Promise<number> {
  const { members, agents, admin, now } = opts;
  const count = Math.min(40, members.length);
  for (let i = 0; i < count; i++) {
    const story = STORIES[i % STORIES.length]!;
    const requester = members[(i * 7) % members.length]!;
    const status = STATUS_CYCLE[i % STATUS_CYCLE.length]!;
    // Every fifth open ticket waits in the unassigned queue.
    const agent = status === 'open' && i % 5 === 0 ? null : agents[i % agents.length]!;
    const createdAt = new Date(now.getTime() - (14 * 24 - i * 8) * 3_600_000);
    let at = createdAt;
    const ticket = await tx.ticket.create({
      data: {
        number: 1001 + i,
        requesterId: requester.id,
        subject: story.subject,
        body: story.body,
        status,
        priority: story.priority,
        tags: story.tags,
        assigneeId: agent?.id ?? null,
        createdAt,
        lastActivityAt: createdAt,
        resolvedAt: status === 'resolved' || status === 'closed' ? new Date(createdAt.getTime() + 20 * 3_600_000) : null,
        closedAt: status === 'closed' ? new Date(createdAt.getTime() + 30 * 3_600_000) : null,
      },
      select: { id: true },
    });
    if (agent) {
      at = new Date(at.getTime() + 15 * 60_000);
      await tx.ticketComment.create({
        data: { ticketId: ticket.id, authorId: admin.id, kind: 'system', body: `Assigned to ${agent.name}.`, createdAt: at },
      });
      for (const [kind, body] of story.replies) {
        at = new Date(at.getTime() + 47 * 60_000);
        await tx.ticketComment.create({ data: { ticketId: ticket.id, authorId: agent.id, kind, body, createdAt: at } });
      }
    }
    await tx.ticket.update({ where: { id: ticket.id }, data: { lastActivityAt: at } });
    // Fictional numbers from the UK's drama range (Ofcom: 020 7946 0000–0999).
    await tx.user.update({ where: { id: requester.id }, data: { phone: `+44 20 7946 ${String(100 + i).padStart(4, '0')}` } });
    if (story.lockRequester && (status === 'open' || status === 'pending')) {
      await tx.user.update({ where: { id: requester.id }, data: { lockedAt: createdAt, failedLoginCount: 50 } });
    }
  }
  return count;
}
