import 'server-only';
import { lockAuditChain } from '@/lib/audit/append';
import type { Viewer } from '@/lib/auth/viewer';
import { abilityFor, decide, scopedWhere } from '@/lib/authz/ability';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { db, type Tx } from '@/lib/db';
import {
  REVIEW_MAX_DUE_DAYS,
  type ReviewDecision,
  type ReviewListFilter,
  type ReviewStatus,
  type StartReviewValues,
} from '@/lib/validation/access-reviews';
import { ADMIN_MANAGED_ROLES } from '@/policies/rules';
import { CONSOLE_ROLES, ROLES, type Role } from '@/policies/roles';
import { assertActorStillLive, recordAuthorized } from './audit-details';
import { mayReadUsage, userUsageEvidence } from './usage';

/**
 * Access review campaigns (issue 10). A superadmin starts a campaign over
 * console roles and/or named console users, with 1–10 reviewers (active admins
 * or superadmins) and a due date; each person in scope becomes one item with
 * their role and status at the start. Reviewers see each person's usage
 * evidence (lib/dal/usage.ts) and decide: "keep" is recorded here
 * (review.decide); "change role" and "suspend" run through user.role_change,
 * user.role_grant_privileged (two-person) and user.suspend with the item's id,
 * which record the decision on the item in the change's own transaction
 * (lib/dal/audit-details.ts). Nobody decides on their own access. An auditor or
 * superadmin signs the campaign off with a statement (step-up), which closes it.
 *
 * Scope: only console users (superadmin, admin, auditor, support) who are
 * active or suspended are reviewed; members are managed accounts without
 * console access and cannot be put in a campaign (listing one is refused),
 * disabled and deleted accounts are left out (they hold no access).
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const REVIEWED_STATUSES = ['active', 'suspended'];
const REVIEWER_ROLES = ['superadmin', 'admin'];
/** A campaign bigger than this is refused: split it by role. */
export const REVIEW_MAX_ITEMS = 1000;

export interface ReviewScope {
  roles: string[];
  userIds: string[];
}

function parseScope(raw: string): ReviewScope {
  try {
    const v = JSON.parse(raw) as Partial<ReviewScope>;
    return {
      roles: Array.isArray(v.roles) ? v.roles.filter((r): r is string => typeof r === 'string') : [],
      userIds: Array.isArray(v.userIds) ? v.userIds.filter((r): r is string => typeof r === 'string') : [],
    };
  } catch {
    return { roles: [], userIds: [] };
  }
}

const invalid = (field: string, message: string) => new ActionError('VALIDATION', message, { [field]: [message] });

/** Starts a campaign: the people in scope, the reviewers and one item each, with the review.start event, in one transaction. */
export async function startReview(authz: Authorization, input: StartReviewValues): Promise<{ id: string; number: number }> {
  const at = now();
  if (input.dueAt.getTime() <= at.getTime()) throw invalid('dueAt', 'Choose a due date in the future.');
  if (input.dueAt.getTime() > at.getTime() + REVIEW_MAX_DUE_DAYS * DAY_MS) {
    throw invalid('dueAt', `Choose a due date at most ${REVIEW_MAX_DUE_DAYS} days ahead.`);
  }
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);

    const listed = await resolveListedUsers(tx, input.userIds, input.userEmails ?? []);
    const byRole = input.roles.length
      ? await tx.user.findMany({
          where: { role: { in: input.roles }, status: { in: REVIEWED_STATUSES }, deletedAt: null },
          select: { id: true, role: true, status: true },
        })
      : [];
    const inScope = new Map<string, { id: string; role: string; status: string }>();
    for (const u of [...byRole, ...listed]) inScope.set(u.id, u);
    if (inScope.size === 0) throw invalid('roles', 'No one is in this scope: no active or suspended console user has these roles.');
    if (inScope.size > REVIEW_MAX_ITEMS) {
      throw invalid('roles', `This scope holds ${inScope.size} people; a campaign reviews at most ${REVIEW_MAX_ITEMS}. Split it by role.`);
    }

    const reviewers = await tx.user.findMany({
      where: { id: { in: input.reviewerIds }, role: { in: REVIEWER_ROLES }, status: 'active', deletedAt: null },
      select: { id: true, name: true },
    });
    if (reviewers.length !== new Set(input.reviewerIds).size) {
      throw invalid('reviewerIds', 'Reviewers must be active admins or superadmins.');
    }
    // Nobody reviews their own access: someone else must be able to decide every item.
    if (reviewers.length === 1 && inScope.has(reviewers[0]!.id)) {
      throw invalid(
        'reviewerIds',
        `${reviewers[0]!.name} is in this campaign’s scope and cannot review their own access: add another reviewer.`,
      );
    }

    const last = await tx.accessReview.findFirst({ orderBy: { number: 'desc' }, select: { number: true } });
    const number = (last?.number ?? 0) + 1;
    const scope: ReviewScope = { roles: [...input.roles], userIds: listed.map((u) => u.id) };
    const review = await tx.accessReview.create({
      data: {
        number,
        title: input.title,
        kind: 'campaign',
        status: 'open',
        scope: JSON.stringify(scope),
        usageDays: input.usageDays,
        dueAt: input.dueAt,
        createdById: authz.viewer.userId,
        createdAt: at,
        updatedAt: at,
      },
      select: { id: true },
    });
    await tx.accessReviewer.createMany({ data: reviewers.map((r) => ({ reviewId: review.id, userId: r.id })) });
    await tx.accessReviewItem.createMany({
      data: [...inScope.values()].map((u) => ({ reviewId: review.id, userId: u.id, roleAtStart: u.role, statusAtStart: u.status })),
    });
    const event = await recordAuthorized(tx, authz, {
      target: { type: 'AccessReview', id: review.id },
      details: {
        number,
        scope,
        reviewers: reviewers.map((r) => r.id),
        items: inScope.size,
        dueAt: input.dueAt.toISOString(),
        usageDays: input.usageDays,
      },
    });
    await tx.accessReview.update({ where: { id: review.id }, data: { startSeq: event.seq } });
    return { id: review.id, number };
  });
}

/** The people named by id or email: each must be a console user, active or suspended, not deleted. */
async function resolveListedUsers(tx: Tx, ids: string[], emails: string[]) {
  if (ids.length === 0 && emails.length === 0) return [];
  const rows = await tx.user.findMany({
    where: { OR: [{ id: { in: ids } }, { email: { in: emails } }], deletedAt: null },
    select: { id: true, email: true, role: true, status: true },
  });
  const missingIds = ids.filter((id) => !rows.some((r) => r.id === id));
  const missingEmails = emails.filter((e) => !rows.some((r) => r.email.toLowerCase() === e));
  if (missingIds.length) throw invalid('userIds', 'Some of the people listed do not exist.');
  if (missingEmails.length) throw invalid('userEmails', `No user has this email: ${missingEmails.slice(0, 5).join(', ')}.`);
  const notConsole = rows.filter((r) => !(CONSOLE_ROLES as readonly string[]).includes(r.role));
  if (notConsole.length) {
    throw invalid(
      emails.length ? 'userEmails' : 'userIds',
      `Only console users are reviewed; members have no console access: ${notConsole
        .slice(0, 5)
        .map((r) => r.email)
        .join(', ')}.`,
    );
  }
  const inactive = rows.filter((r) => !REVIEWED_STATUSES.includes(r.status));
  if (inactive.length) {
    throw invalid(
      emails.length ? 'userEmails' : 'userIds',
      `Disabled accounts hold no access to review: ${inactive
        .slice(0, 5)
        .map((r) => r.email)
        .join(', ')}.`,
    );
  }
  return rows.map((r) => ({ id: r.id, role: r.role, status: r.status }));
}

/** Loads an open campaign the actor may `action`, under the chain lock. */
async function openReviewFor(tx: Tx, authz: Authorization, id: string, action: 'decide' | 'sign_off') {
  const review = await tx.accessReview.findFirst({
    where: scopedWhere(authz.ability, action, 'AccessReview', { id }),
    select: { id: true, number: true, status: true, dueAt: true },
  });
  if (!review) {
    const exists = await tx.accessReview.findUnique({ where: { id }, select: { status: true } });
    if (exists && exists.status !== 'open') throw new ActionError('CONFLICT', 'This access review is closed. Nothing was changed.');
    throw new ActionError('FORBIDDEN', 'Your role does not allow this here. Nothing was changed.');
  }
  return review;
}

/** A reviewer keeps one person's access as it is (review.decide), with their reason. */
export async function decideKeep(authz: Authorization, input: { reviewId: string; itemId: string }): Promise<{ seq: number }> {
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const review = await openReviewFor(tx, authz, input.reviewId, 'decide');
    const item = await tx.accessReviewItem.findFirst({
      where: { id: input.itemId, reviewId: review.id },
      select: {
        id: true,
        userId: true,
        decision: true,
        roleAtStart: true,
        approvalId: true,
        user: { select: { role: true, status: true } },
      },
    });
    if (!item) throw new ActionError('NOT_FOUND', 'That person is not part of this access review. Nothing was changed.');
    if (item.userId === authz.viewer.userId) {
      throw new ActionError('FORBIDDEN', 'You cannot review your own access: another reviewer must decide it. Nothing was changed.');
    }
    if (item.decision !== 'pending') {
      throw new ActionError('CONFLICT', 'This person’s access has already been decided in this review. Nothing was changed.');
    }
    if (item.approvalId) {
      const waiting = await tx.approvalRequest.findFirst({
        where: { id: item.approvalId, status: { in: ['pending', 'approved'] } },
        select: { id: true },
      });
      if (waiting) {
        throw new ActionError(
          'CONFLICT',
          'A role change for this person is waiting for approval. Wait for it, or cancel it first. Nothing was changed.',
        );
      }
    }
    const event = await recordAuthorized(tx, authz, {
      target: { type: 'AccessReview', id: review.id },
      details: {
        number: review.number,
        itemId: item.id,
        userId: item.userId,
        decision: 'keep',
        roleAtStart: item.roleAtStart,
        role: item.user.role,
        status: item.user.status,
      },
    });
    const at = now();
    const updated = await tx.accessReviewItem.updateMany({
      where: { id: item.id, decision: 'pending' },
      data: {
        decision: 'keep',
        newRole: null,
        reason: authz.reason,
        decidedById: authz.viewer.userId,
        decidedAt: at,
        decisionSeq: event.seq,
      },
    });
    if (updated.count !== 1) throw new ActionError('CONFLICT', 'Someone decided this person’s access a moment ago. Nothing was changed.');
    await tx.accessReview.update({ where: { id: review.id }, data: { updatedAt: at } });
    return { seq: event.seq };
  });
}

export interface ReviewCoverage {
  total: number;
  decided: number;
  kept: number;
  changed: number;
  suspended: number;
  pending: number;
  /** Pending items linked to a live approval request (a role change waiting for a second person). */
  awaitingApproval: number;
  /** Open and past its due date with items pending. */
  overdue: boolean;
}

function coverageOf(
  items: { decision: string; awaitingApproval?: boolean }[],
  review: { status: string; dueAt: Date },
  at: Date,
): ReviewCoverage {
  const count = (d: string) => items.filter((i) => i.decision === d).length;
  const pending = count('pending');
  return {
    total: items.length,
    decided: items.length - pending,
    kept: count('keep'),
    changed: count('change_role'),
    suspended: count('suspend'),
    pending,
    awaitingApproval: items.filter((i) => i.decision === 'pending' && i.awaitingApproval).length,
    overdue: review.status === 'open' && review.dueAt.getTime() < at.getTime() && pending > 0,
  };
}

/**
 * Signs a campaign off with a statement (the reason) and closes it. Pending
 * items are allowed — the statement is recorded with their count, and the page
 * warns first; after it no decision can be recorded in the campaign.
 */
export async function signOff(authz: Authorization, input: { reviewId: string }): Promise<{ seq: number; coverage: ReviewCoverage }> {
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const review = await openReviewFor(tx, authz, input.reviewId, 'sign_off');
    const at = now();
    const items = await tx.accessReviewItem.findMany({ where: { reviewId: review.id }, select: { decision: true } });
    const coverage = coverageOf(items, { status: 'open', dueAt: review.dueAt }, at);
    const closed = await tx.accessReview.updateMany({
      where: { id: review.id, status: 'open' },
      data: { status: 'closed', closedAt: at, closedById: authz.viewer.userId, signOff: authz.reason, updatedAt: at },
    });
    if (closed.count !== 1) throw new ActionError('CONFLICT', 'Someone closed this access review a moment ago. Nothing was changed.');
    const event = await recordAuthorized(tx, authz, {
      target: { type: 'AccessReview', id: review.id },
      details: {
        number: review.number,
        coverage: {
          items: coverage.total,
          decided: coverage.decided,
          kept: coverage.kept,
          changed: coverage.changed,
          suspended: coverage.suspended,
          pending: coverage.pending,
        },
        dueAt: review.dueAt.toISOString(),
        overdue: coverage.overdue,
      },
    });
    await tx.accessReview.update({ where: { id: review.id }, data: { closeSeq: event.seq } });
    return { seq: event.seq, coverage };
  });
}

// ---------------------------------------------------------------------------
// Reads

export interface ReviewRowDTO {
  id: string;
  number: number;
  title: string;
  kind: string;
  status: ReviewStatus;
  dueAt: Date;
  createdAt: Date;
  closedAt: Date | null;
  total: number;
  decided: number;
  overdue: boolean;
  reviewers: { id: string; name: string }[];
}

/** The campaigns the viewer may read, newest first. */
export async function listReviews(
  viewer: Viewer,
  filter: { status: ReviewListFilter; page: number },
  pageSize = 25,
): Promise<{ total: number; page: number; rows: ReviewRowDTO[] }> {
  const client = await db();
  const where = scopedWhere(abilityFor(viewer), 'read', 'AccessReview', filter.status === 'all' ? {} : { status: filter.status });
  const total = await client.accessReview.count({ where });
  const page = Math.max(1, Math.min(filter.page, Math.ceil(total / pageSize) || 1));
  const rows = await client.accessReview.findMany({
    where,
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    skip: (page - 1) * pageSize,
    take: pageSize,
    select: {
      id: true,
      number: true,
      title: true,
      kind: true,
      status: true,
      dueAt: true,
      createdAt: true,
      closedAt: true,
      reviewers: { select: { user: { select: { id: true, name: true } } } },
    },
  });
  const counts = rows.length
    ? await client.accessReviewItem.groupBy({
        by: ['reviewId', 'decision'],
        where: { reviewId: { in: rows.map((r) => r.id) } },
        _count: { _all: true },
      })
    : [];
  const at = now();
  return {
    total,
    page,
    rows: rows.map((r) => {
      const mine = counts.filter((c) => c.reviewId === r.id);
      const all = mine.reduce((n, c) => n + c._count._all, 0);
      const pending = mine.filter((c) => c.decision === 'pending').reduce((n, c) => n + c._count._all, 0);
      return {
        id: r.id,
        number: r.number,
        title: r.title,
        kind: r.kind,
        status: r.status as ReviewStatus,
        dueAt: r.dueAt,
        createdAt: r.createdAt,
        closedAt: r.closedAt,
        total: all,
        decided: all - pending,
        overdue: r.status === 'open' && r.dueAt.getTime() < at.getTime() && pending > 0,
        reviewers: r.reviewers.map((x) => ({ id: x.user.id, name: x.user.name })),
      };
    }),
  };
}

export interface ReviewEvidenceDTO {
  granted: number;
  usedInWindow: number;
  unused: string[];
  lastActiveAt: Date | null;
}

export interface ReviewItemDTO {
  id: string;
  user: { id: string; name: string; email: string; role: string; status: string; deleted: boolean };
  roleAtStart: string;
  statusAtStart: string;
  evidence: ReviewEvidenceDTO | null;
  decision: ReviewDecision;
  newRole: string | null;
  reason: string | null;
  decidedBy: { id: string; name: string } | null;
  decidedAt: Date | null;
  decisionSeq: number | null;
  appliedSeq: number | null;
  approval: { id: string; status: string } | null;
  awaitingApproval: boolean;
  /** The viewer is a reviewer of this open campaign and this row is their own access. */
  own: boolean;
  /** The viewer may decide this row (reviewer, open, pending, not waiting on an approval, not their own). */
  canDecide: boolean;
  canSuspend: boolean;
  /** Roles the viewer may change this person to (empty: no change offered). */
  roleOptions: Role[];
  /** Whether the viewer may open the person's usage analysis (/access/users/<id>). */
  canAnalyze: boolean;
}

export interface ReviewDetailDTO {
  id: string;
  number: number;
  title: string;
  kind: string;
  status: ReviewStatus;
  scope: ReviewScope;
  usageDays: number;
  dueAt: Date;
  createdAt: Date;
  createdBy: { id: string; name: string } | null;
  closedAt: Date | null;
  closedBy: { id: string; name: string } | null;
  signOff: string | null;
  startSeq: number | null;
  closeSeq: number | null;
  reviewers: { id: string; name: string; email: string; role: string }[];
  items: ReviewItemDTO[];
  coverage: ReviewCoverage;
  /** Decisions per reviewer (who decided what). */
  byReviewer: { id: string; name: string; kept: number; changed: number; suspended: number }[];
  isReviewer: boolean;
  canSignOff: boolean;
}

/** One campaign as the viewer may see it, with every item, its evidence and what the viewer may do. */
export async function getReview(viewer: Viewer, id: string): Promise<ReviewDetailDTO | null> {
  // The per-person usage page is for those who may analyze the trail (superadmins, auditors).
  const analyzes = mayReadUsage(viewer);
  const ability = abilityFor(viewer);
  const client = await db();
  const r = await client.accessReview.findFirst({
    where: scopedWhere(ability, 'read', 'AccessReview', { id }),
    include: {
      reviewers: { select: { userId: true, user: { select: { id: true, name: true, email: true, role: true } } } },
      items: {
        include: { user: { select: { id: true, name: true, email: true, role: true, status: true, deletedAt: true } } },
        orderBy: [{ roleAtStart: 'asc' }, { id: 'asc' }],
      },
    },
  });
  if (!r) return null;
  const at = now();
  const subject = { id: r.id, status: r.status, kind: r.kind, reviewers: r.reviewers.map((x) => ({ userId: x.userId })) };
  const isReviewer = r.reviewers.some((x) => x.userId === viewer.userId);
  const mayDecide = decide(ability, 'decide', 'AccessReview', subject).allowed;
  const approvalIds = r.items.map((i) => i.approvalId).filter((x): x is string => !!x);
  const approvals = approvalIds.length
    ? await client.approvalRequest.findMany({ where: { id: { in: approvalIds } }, select: { id: true, status: true } })
    : [];
  const approvalStatus = new Map(approvals.map((a) => [a.id, a.status]));
  const peopleIds = [...new Set([r.createdById, r.closedById, ...r.items.map((i) => i.decidedById)].filter((x): x is string => !!x))];
  const people = await client.user.findMany({ where: { id: { in: peopleIds } }, select: { id: true, name: true } });
  const name = new Map(people.map((p) => [p.id, p.name]));
  const who = (pid: string | null) => (pid ? { id: pid, name: name.get(pid) ?? 'a former user' } : null);

  const items: ReviewItemDTO[] = [];
  for (const i of r.items) {
    const evidence = await evidenceOf(client, i.userId, r.usageDays);
    const approval = i.approvalId ? { id: i.approvalId, status: approvalStatus.get(i.approvalId) ?? 'unknown' } : null;
    const awaitingApproval = i.decision === 'pending' && !!approval && ['pending', 'approved'].includes(approval.status);
    const own = isReviewer && r.status === 'open' && i.decision === 'pending' && i.userId === viewer.userId;
    const canDecide = mayDecide && i.decision === 'pending' && !awaitingApproval && i.userId !== viewer.userId;
    const userRecord = { id: i.user.id, role: i.user.role, status: i.user.status, deletedAt: i.user.deletedAt };
    const canSuspend = canDecide && i.user.status === 'active' && decide(ability, 'suspend', 'User', userRecord).allowed;
    const canGrant = canDecide && decide(ability, 'grant_privileged_role', 'User', userRecord).allowed;
    const canChange = canDecide && decide(ability, 'change_role', 'User', userRecord).allowed;
    const roleOptions: Role[] = canGrant
      ? ROLES.filter((x) => x !== i.user.role)
      : canChange
        ? ADMIN_MANAGED_ROLES.filter((x) => x !== i.user.role)
        : [];
    items.push({
      id: i.id,
      user: {
        id: i.user.id,
        name: i.user.name,
        email: i.user.email,
        role: i.user.role,
        status: i.user.status,
        deleted: i.user.deletedAt !== null,
      },
      roleAtStart: i.roleAtStart,
      statusAtStart: i.statusAtStart,
      evidence,
      decision: i.decision as ReviewDecision,
      newRole: i.newRole,
      reason: i.reason,
      decidedBy: who(i.decidedById),
      decidedAt: i.decidedAt,
      decisionSeq: i.decisionSeq,
      appliedSeq: i.appliedSeq,
      approval,
      awaitingApproval,
      own,
      canDecide,
      canSuspend,
      roleOptions,
      canAnalyze: analyzes,
    });
  }
  const byReviewer = new Map<string, { id: string; name: string; kept: number; changed: number; suspended: number }>();
  for (const i of items) {
    if (!i.decidedBy) continue;
    const row = byReviewer.get(i.decidedBy.id) ?? { ...i.decidedBy, kept: 0, changed: 0, suspended: 0 };
    if (i.decision === 'keep') row.kept += 1;
    if (i.decision === 'change_role') row.changed += 1;
    if (i.decision === 'suspend') row.suspended += 1;
    byReviewer.set(i.decidedBy.id, row);
  }
  return {
    id: r.id,
    number: r.number,
    title: r.title,
    kind: r.kind,
    status: r.status as ReviewStatus,
    scope: parseScope(r.scope),
    usageDays: r.usageDays,
    dueAt: r.dueAt,
    createdAt: r.createdAt,
    createdBy: who(r.createdById),
    closedAt: r.closedAt,
    closedBy: who(r.closedById),
    signOff: r.signOff,
    startSeq: r.startSeq,
    closeSeq: r.closeSeq,
    reviewers: r.reviewers.map((x) => x.user),
    items,
    coverage: coverageOf(items, r, at),
    byReviewer: [...byReviewer.values()],
    isReviewer,
    canSignOff: decide(ability, 'sign_off', 'AccessReview', subject).allowed,
  };
}

async function evidenceOf(client: Awaited<ReturnType<typeof db>>, userId: string, days: number): Promise<ReviewEvidenceDTO | null> {
  try {
    const e = await userUsageEvidence(client, userId, days);
    return { granted: e.granted, usedInWindow: e.usedInWindow, unused: e.unused, lastActiveAt: e.lastActiveAt };
  } catch {
    // Evidence is a help to the reviewer, never a reason the campaign page fails.
    return null;
  }
}

/** The people who may review (active admins and superadmins), for the start form. */
export async function reviewerCandidates(viewer: Viewer): Promise<{ id: string; name: string; email: string; role: string }[]> {
  if (!decide(abilityFor(viewer), 'create', 'AccessReview', {}).allowed) return [];
  const client = await db();
  return client.user.findMany({
    where: { role: { in: REVIEWER_ROLES }, status: 'active', deletedAt: null },
    select: { id: true, name: true, email: true, role: true },
    orderBy: [{ role: 'desc' }, { name: 'asc' }],
    take: 200,
  });
}

/** How many active or suspended console users each role holds (for the start form). */
export async function scopeCounts(viewer: Viewer): Promise<Record<string, number>> {
  if (!decide(abilityFor(viewer), 'create', 'AccessReview', {}).allowed) return {};
  const client = await db();
  const rows = await client.user.groupBy({
    by: ['role'],
    where: { role: { in: [...CONSOLE_ROLES] }, status: { in: REVIEWED_STATUSES }, deletedAt: null },
    _count: { _all: true },
  });
  return Object.fromEntries(rows.map((r) => [r.role, r._count._all]));
}
