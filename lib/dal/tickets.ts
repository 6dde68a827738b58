import 'server-only';
import { subject } from '@casl/ability';
import { permittedFieldsOf } from '@casl/ability/extra';
import type { Viewer } from '@/lib/auth/viewer';
import { abilityFor, decide, scopedWhere } from '@/lib/authz/ability';
import { now } from '@/lib/clock';
import { setting } from '@/lib/config/settings';
import { db } from '@/lib/db';
import { maskEmail, maskPhone } from '@/lib/privacy/mask';
import type { PolicyAbility } from '@/policies/ability';
import type { PolicyAction } from '@/policies/rules';
import type { TicketPriority, TicketStatus } from './ticket-work';

/** Page size of the queue: the `tickets.page_size` setting (default 25). */
export const TICKET_SORTS = ['activity', 'created', 'priority'] as const;

export interface TicketListQuery {
  status?: TicketStatus | 'active';
  priority?: TicketPriority;
  /** "me", "unassigned", or an agent's user id. */
  assignee?: string;
  tag?: string;
  q?: string;
  sort: (typeof TICKET_SORTS)[number];
  page: number;
}

export interface TicketRowDTO {
  id: string;
  number: number;
  subject: string;
  status: string;
  priority: string;
  tags: string[];
  requesterName: string;
  assignee: { id: string; name: string } | null;
  createdAt: Date;
  lastActivityAt: Date;
  /** Hours since the ticket was opened (SLA-ish age). */
  ageHours: number;
}

const PRIORITY_ORDER: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** The tickets the viewer may read (support: assigned to them; admins: all), filtered, newest activity first. */
export async function listTickets(viewer: Viewer, query: TicketListQuery) {
  const ability = abilityFor(viewer);
  const client = await db();
  const filter: Record<string, unknown> = {};
  if (query.status === 'active') filter.status = { in: ['open', 'pending'] };
  else if (query.status) filter.status = query.status;
  if (query.priority) filter.priority = query.priority;
  if (query.assignee === 'me') filter.assigneeId = viewer.userId;
  else if (query.assignee === 'unassigned') filter.assigneeId = null;
  else if (query.assignee) filter.assigneeId = query.assignee;
  if (query.tag) filter.tags = { contains: query.tag };
  if (query.q) filter.OR = [{ subject: { contains: query.q } }, ...(/^\d+$/.test(query.q) ? [{ number: Number(query.q) }] : [])];
  const pageSize = await setting('tickets.page_size');
  const where = scopedWhere(ability, 'read', 'Ticket', filter);
  const orderBy =
    query.sort === 'created'
      ? [{ createdAt: 'desc' as const }, { id: 'asc' as const }]
      : [{ lastActivityAt: 'desc' as const }, { id: 'asc' as const }];
  const [total, rows] = await Promise.all([
    client.ticket.count({ where }),
    client.ticket.findMany({
      where,
      orderBy,
      skip: query.sort === 'priority' ? 0 : (query.page - 1) * pageSize,
      take: query.sort === 'priority' ? 1000 : pageSize,
      select: {
        id: true,
        number: true,
        subject: true,
        status: true,
        priority: true,
        tags: true,
        createdAt: true,
        lastActivityAt: true,
        requester: { select: { name: true } },
        assignee: { select: { id: true, name: true } },
      },
    }),
  ]);
  const at = now().getTime();
  let dtos: TicketRowDTO[] = rows.map((t) => ({
    id: t.id,
    number: t.number,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    tags: t.tags.split(' ').filter(Boolean),
    requesterName: t.requester.name,
    assignee: t.assignee,
    createdAt: t.createdAt,
    lastActivityAt: t.lastActivityAt,
    ageHours: Math.floor((at - t.createdAt.getTime()) / 3_600_000),
  }));
  if (query.sort === 'priority') {
    dtos = dtos
      .sort(
        (a, b) =>
          (PRIORITY_ORDER[a.priority] ?? 9) - (PRIORITY_ORDER[b.priority] ?? 9) || b.lastActivityAt.getTime() - a.lastActivityAt.getTime(),
      )
      .slice((query.page - 1) * pageSize, query.page * pageSize);
  }
  return { rows: dtos, total, pageSize };
}

/** Open and pending tickets per support agent, and the unassigned queue (for those who assign). */
export async function ticketWorkload(viewer: Viewer) {
  const ability = abilityFor(viewer);
  if (!ability.can('assign', 'Ticket')) return null;
  const client = await db();
  const [agents, counts] = await Promise.all([
    client.user.findMany({
      where: scopedWhere(ability, 'read', 'User', { role: 'support', status: 'active' }),
      select: { id: true, name: true },
      orderBy: { name: 'asc' },
    }),
    client.ticket.groupBy({
      by: ['assigneeId', 'status'],
      where: scopedWhere(ability, 'read', 'Ticket', { status: { in: ['open', 'pending'] } }),
      _count: { _all: true },
    }),
  ]);
  const of = (assigneeId: string | null, status: string) =>
    counts.find((c) => c.assigneeId === assigneeId && c.status === status)?._count._all ?? 0;
  return {
    agents: agents.map((a) => ({ ...a, open: of(a.id, 'open'), pending: of(a.id, 'pending') })),
    unassigned: { open: of(null, 'open'), pending: of(null, 'pending') },
  };
}

/** What the viewer may do with one ticket (house style 12: the UI gates on the same ability). */
export interface TicketCanDTO {
  comment: boolean;
  setStatus: boolean;
  assign: boolean;
  unassignSelf: boolean;
  readRequester: boolean;
  revealRequester: boolean;
  unlockRequester: boolean;
  requestMfaReset: boolean;
  resendInvitation: boolean;
  sendPasswordReset: boolean;
}

/**
 * The requester as the viewer may see them: fields the policy grants are shown,
 * personal fields it does not grant are masked (or left out entirely when the
 * viewer may not read the account at all). Built from permittedFieldsOf, the
 * same rules that filter the query — not decided ad hoc in components.
 */
export interface RequesterDTO {
  id: string;
  name: string;
  status: string;
  email: { value: string; masked: boolean };
  phone: { value: string; masked: boolean } | null;
  locked: boolean;
  /** No password set yet and an invitation still open. */
  invited: boolean;
  /** Whether a password is set (never the password itself): decides between a new invitation and a reset link. */
  hasPassword: boolean;
  factorTypes: string[];
  recentSignIns: { ts: Date; outcome: string; reasonCode: string | null }[];
}

export interface TicketDetailDTO extends TicketRowDTO {
  body: string;
  requesterId: string;
  /** The newest TICKET_CONVERSATION_LIMIT entries, oldest first. */
  comments: { id: string; kind: string; body: string; createdAt: Date; author: { id: string; name: string; role: string } | null }[];
  /** How many entries the conversation has in all (more than `comments.length` when it was cut). */
  commentCount: number;
  requester: RequesterDTO | null;
  /** The newest second-factor reset request made from this ticket, if any. */
  mfaReset: { status: string; createdAt: Date; decidedAt: Date | null } | null;
  can: TicketCanDTO;
}

function canOn(ability: PolicyAbility, ticket: Record<string, unknown>): TicketCanDTO {
  const on = (action: PolicyAction) => decide(ability, action, 'Ticket', ticket).allowed;
  return {
    comment: on('comment'),
    setStatus: on('set_status'),
    assign: on('assign'),
    unassignSelf: on('unassign_self'),
    readRequester: on('read_requester'),
    revealRequester: on('reveal_requester'),
    unlockRequester: on('unlock_requester'),
    requestMfaReset: on('request_mfa_reset'),
    resendInvitation: on('resend_invitation'),
    sendPasswordReset: on('send_password_reset'),
  };
}

/** How many conversation entries a ticket page shows: the newest ones (a ticket can collect thousands). */
export const TICKET_CONVERSATION_LIMIT = 200;

/** One ticket with its conversation and, while the policy allows, its requester; null when the viewer may not read it. */
export async function getTicket(viewer: Viewer, id: string): Promise<TicketDetailDTO | null> {
  const ability = abilityFor(viewer);
  const client = await db();
  const t = await client.ticket.findFirst({
    where: scopedWhere(ability, 'read', 'Ticket', { id }),
    include: {
      requester: { select: { id: true, role: true, deletedAt: true, name: true } },
      assignee: { select: { id: true, name: true } },
      comments: {
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: TICKET_CONVERSATION_LIMIT,
        include: { author: { select: { id: true, name: true, role: true } } },
      },
      _count: { select: { comments: true } },
      mfaResetRequests: { orderBy: { createdAt: 'desc' }, take: 1, select: { status: true, createdAt: true, decidedAt: true } },
    },
  });
  if (!t) return null;
  const can = canOn(ability, { id: t.id, assigneeId: t.assigneeId, status: t.status, requesterId: t.requesterId, requester: t.requester });
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    body: t.body,
    status: t.status,
    priority: t.priority,
    tags: t.tags.split(' ').filter(Boolean),
    requesterName: t.requester.name,
    requesterId: t.requesterId,
    assignee: t.assignee,
    createdAt: t.createdAt,
    lastActivityAt: t.lastActivityAt,
    ageHours: Math.floor((now().getTime() - t.createdAt.getTime()) / 3_600_000),
    comments: t.comments.map((c) => ({ id: c.id, kind: c.kind, body: c.body, createdAt: c.createdAt, author: c.author })).reverse(),
    commentCount: t._count.comments,
    // Through this ticket (support: open or pending, assigned to them), or for someone who may read the
    // account regardless of tickets (admins). Not "any rule on User": an agent's other open ticket from
    // the same person must not make this closed ticket show them.
    requester:
      can.readRequester || decide(ability, 'read', 'User', { ...t.requester, ticketsRequested: [] }).allowed
        ? await requesterOf(viewer, ability, t.requesterId)
        : null,
    mfaReset: t.mfaResetRequests[0] ?? null,
    can,
  };
}

/**
 * The requester through the viewer's read rule on User: for support agents the
 * rule's condition (an open ticket from this user assigned to them) is in the
 * WHERE, so a reassigned or closed ticket returns nothing.
 */
async function requesterOf(viewer: Viewer, ability: PolicyAbility, requesterId: string): Promise<RequesterDTO | null> {
  const client = await db();
  const row = await client.user.findFirst({
    where: scopedWhere(ability, 'read', 'User', { id: requesterId }),
    select: {
      id: true,
      name: true,
      email: true,
      phone: true,
      role: true,
      status: true,
      deletedAt: true,
      lockedAt: true,
      lockedUntil: true,
      passwordHash: true,
      totpEnabledAt: true,
      _count: { select: { webauthnCredentials: true } },
      invitations: { where: { usedAt: null, revokedAt: null, expiresAt: { gt: now() } }, select: { id: true }, take: 1 },
      ticketsRequested: { where: { assigneeId: viewer.userId }, select: { assigneeId: true, status: true } },
    },
  });
  if (!row) return null;
  const fields = new Set(
    permittedFieldsOf(ability, 'read', subject('User', { ...row }), {
      fieldsFrom: (rule) =>
        rule.fields ?? ['id', 'name', 'role', 'status', 'locked', 'invited', 'factorTypes', 'recentSignIns', 'email', 'phone'],
    }),
  );
  const signIns = fields.has('recentSignIns')
    ? await client.auditEvent.findMany({
        where: { operation: 'auth.sign_in', targetType: 'User', targetId: row.id },
        orderBy: { seq: 'desc' },
        take: 5,
        select: { ts: true, outcome: true, reasonCode: true },
      })
    : [];
  const factorTypes = [...(row.totpEnabledAt ? ['authenticator app'] : []), ...(row._count.webauthnCredentials > 0 ? ['passkey'] : [])];
  return {
    id: row.id,
    name: fields.has('name') ? row.name : '—',
    status: fields.has('status') ? row.status : '—',
    email: fields.has('email') ? { value: row.email, masked: false } : { value: maskEmail(row.email), masked: true },
    phone:
      row.phone === null ? null : fields.has('phone') ? { value: row.phone, masked: false } : { value: maskPhone(row.phone), masked: true },
    locked: fields.has('locked') && (!!row.lockedAt || (!!row.lockedUntil && row.lockedUntil > now())),
    invited: fields.has('invited') && row.passwordHash === null && row.invitations.length > 0,
    hasPassword: fields.has('invited') && row.passwordHash !== null,
    factorTypes: fields.has('factorTypes') ? factorTypes : [],
    recentSignIns: signIns,
  };
}
