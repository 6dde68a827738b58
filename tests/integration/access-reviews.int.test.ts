import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { decideKeepAction } from '@/app/(console)/access/reviews/_actions/decide-keep';
import { signOffReviewAction } from '@/app/(console)/access/reviews/_actions/sign-off-review';
import { startReviewAction } from '@/app/(console)/access/reviews/_actions/start-review';
import { approveRequestAction } from '@/app/(console)/approvals/_actions/approve-request';
import { grantPrivilegedRoleAction } from '@/app/(console)/users/_actions/grant-privileged-role';
import { suspendUserAction } from '@/app/(console)/users/_actions/suspend-user';
import { unlockUserAction } from '@/app/(console)/users/_actions/unlock-user';
import { invalidateSettings } from '@/lib/config/settings';
import { getReview, listReviews } from '@/lib/dal/access-reviews';
import type { OperationId } from '@/policies/operations';
import { ActionHarness, REFUSAL_CODES, type Caller, type TestUser } from '../helpers/action-harness';
import { testProviders } from '../helpers/test-db';

// lib/env validates and caches process.env on first use, which happens while the
// imports above load (lib/log): the deployment is fixed before them.
vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
});
// Only the framework's request scope is replaced (tests/helpers/action-harness.ts).
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const REASON = 'Quarterly access review, REV-2026';
const DAY = 24 * 60 * 60 * 1000;

/**
 * Access review campaigns (issue 10) through the real server actions: only a
 * superadmin starts one; reviewers keep access with a reason (review.decide) or
 * apply a change through the normal user operations with the item's id, which
 * records the decision in the same transaction; nobody reviews their own access;
 * a non-reviewer, a closed campaign, another campaign's item or another user's
 * item are refused with nothing changed; an auditor's sign-off closes it with
 * its coverage.
 */
describe.each(testProviders())('access review campaigns through the real server actions on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'reviews');
  });
  afterAll(async () => {
    await h?.cleanup();
  });
  beforeEach(() => {
    invalidateSettings();
  });

  async function proof(caller: Caller, op: OperationId, input: unknown): Promise<string> {
    await h.db.user.update({ where: { id: caller.user!.id }, data: { totpLastStep: null } });
    return h.stepUpProof(caller, op, input);
  }

  function expectRefused(result: { ok: boolean; code?: string }) {
    expect(result.ok).toBe(false);
    if (!result.ok) expect(REFUSAL_CODES).toContain(result.code);
  }

  const dueIn = (days: number) => new Date(Date.now() + days * DAY).toISOString();
  const itemOf = (reviewId: string, userId: string) =>
    h.db.accessReviewItem.findUniqueOrThrow({ where: { reviewId_userId: { reviewId, userId } } });
  const reviewRow = (id: string) => h.db.accessReview.findUniqueOrThrow({ where: { id } });
  const statusOf = async (id: string) => (await h.db.user.findUniqueOrThrow({ where: { id }, select: { status: true } })).status;

  async function start(caller: Caller, input: Record<string, unknown>) {
    const called = await h.call(caller, startReviewAction, { title: 'Q4 support access', dueAt: dueIn(14), ...input });
    expect(called.result).toMatchObject({ ok: true });
    return { ...(called.result as { ok: true; data: { id: string; number: number } }).data, correlationId: called.correlationId };
  }

  interface World {
    superadmin: Caller;
    reviewer: Caller;
    reviewer2: Caller;
    outsider: Caller;
    auditor: Caller;
    alice: TestUser;
    bob: TestUser;
    carol: TestUser;
    review: { id: string; number: number };
  }
  let w: World;

  it('only a superadmin starts a campaign; the scope, reviewers and items are recorded with one review.start event', async () => {
    const superadmin = await h.caller('superadmin');
    const reviewer = await h.caller('admin');
    const reviewer2 = await h.caller('admin');
    const outsider = await h.caller('admin');
    const auditor = await h.caller('auditor');
    const support = await h.caller('support');
    const alice = await h.createUser({ role: 'support' });
    const bob = await h.createUser({ role: 'support' });
    const carol = await h.createUser({ role: 'support', status: 'suspended' });
    const gone = await h.createUser({ role: 'support', status: 'disabled' });
    const member = await h.createUser({ role: 'member' });

    const input = {
      title: 'Q4 support access',
      roles: ['support'],
      userIds: [reviewer.user!.id],
      reviewerIds: [reviewer.user!.id, reviewer2.user!.id],
      dueAt: dueIn(14),
      usageDays: 30,
      reason: REASON,
    };
    for (const caller of [reviewer, auditor, support]) {
      const { result, correlationId } = await h.call(caller, startReviewAction, input);
      expectRefused(result);
      expect((await h.eventsOf(correlationId)).map((e) => [e.operation, e.outcome, e.actorId])).toEqual([
        ['review.start', 'denied', caller.user!.id],
      ]);
    }
    expect(await h.db.accessReview.count()).toBe(0);

    // A member is not a console user: listing one is refused; so is a due date beyond 90 days, or a non-admin reviewer.
    for (const bad of [
      { userIds: [member.id] },
      { dueAt: dueIn(120) },
      { dueAt: dueIn(-1) },
      { reviewerIds: [auditor.user!.id] },
      { roles: [], userIds: [] },
    ]) {
      const { result } = await h.call(superadmin, startReviewAction, { ...input, ...bad });
      expect(result).toMatchObject({ ok: false, code: 'VALIDATION' });
    }
    expect(await h.db.accessReview.count()).toBe(0);

    const started = await start(superadmin, input);
    expect(started.number).toBe(1);
    const row = await reviewRow(started.id);
    expect(row).toMatchObject({ kind: 'campaign', status: 'open', usageDays: 30, createdById: superadmin.user!.id, closedAt: null });
    expect(JSON.parse(row.scope)).toEqual({ roles: ['support'], userIds: [reviewer.user!.id] });
    const items = await h.db.accessReviewItem.findMany({ where: { reviewId: started.id } });
    const inScope = new Set(items.map((i) => i.userId));
    // Every active or suspended support user and the listed admin; never the disabled one or the member.
    for (const u of [support.user!, alice, bob, carol, reviewer.user!]) expect(inScope.has(u.id)).toBe(true);
    expect(inScope.has(gone.id)).toBe(false);
    expect(inScope.has(member.id)).toBe(false);
    expect(items.every((i) => i.decision === 'pending')).toBe(true);
    expect((await itemOf(started.id, carol.id)).statusAtStart).toBe('suspended');
    expect((await itemOf(started.id, reviewer.user!.id)).roleAtStart).toBe('admin');
    expect(
      (await h.db.accessReviewer.findMany({ where: { reviewId: started.id }, select: { userId: true } })).map((r) => r.userId).sort(),
    ).toEqual([reviewer.user!.id, reviewer2.user!.id].sort());

    const events = await h.eventsOf(started.correlationId);
    expect(events.map((e) => [e.operation, e.outcome, e.targetType, e.targetId])).toEqual([
      ['review.start', 'success', 'AccessReview', started.id],
    ]);
    expect(row.startSeq).toBe(events[0]!.seq);
    expect(JSON.parse(events[0]!.details)).toMatchObject({
      number: 1,
      scope: { roles: ['support'], userIds: [reviewer.user!.id] },
      reviewers: expect.arrayContaining([reviewer.user!.id, reviewer2.user!.id]),
      items: items.length,
      usageDays: 30,
    });

    // A reviewer sees it; an admin who is not a reviewer does not.
    expect((await h.as(reviewer, () => listReviews(h.viewerOf(reviewer), { status: 'open', page: 1 }))).total).toBe(1);
    expect((await h.as(outsider, () => listReviews(h.viewerOf(outsider), { status: 'all', page: 1 }))).total).toBe(0);
    expect(await h.as(outsider, () => getReview(h.viewerOf(outsider), started.id))).toBeNull();

    w = { superadmin, reviewer, reviewer2, outsider, auditor, alice, bob, carol, review: started };
  });

  it('a reviewer cannot review their own access: refused, audited, nothing changed', async () => {
    const { reviewer, review } = w;
    const own = await itemOf(review.id, reviewer.user!.id);
    const { result, correlationId } = await h.call(reviewer, decideKeepAction, {
      reviewId: review.id,
      itemId: own.id,
      decision: 'keep',
      reason: 'I still need it',
    });
    expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN', message: expect.stringContaining('your own access') });
    expect((await h.eventsOf(correlationId)).map((e) => [e.operation, e.outcome, e.actorId])).toEqual([
      ['review.decide', 'denied', reviewer.user!.id],
    ]);
    expect(await itemOf(review.id, reviewer.user!.id)).toMatchObject({ decision: 'pending', decidedById: null, decisionSeq: null });

    const detail = await h.as(reviewer, () => getReview(h.viewerOf(reviewer), review.id));
    const row = detail!.items.find((i) => i.user.id === reviewer.user!.id)!;
    expect(row).toMatchObject({ own: true, canDecide: false, canSuspend: false, roleOptions: [] });
    // The other reviewer may decide it (keep only: an admin cannot change an admin).
    const other = await h.as(w.reviewer2, () => getReview(h.viewerOf(w.reviewer2), review.id));
    expect(other!.items.find((i) => i.user.id === reviewer.user!.id)).toMatchObject({ own: false, canDecide: true, canSuspend: false });
  });

  it('keep is recorded with its reason and the review.decide event; without a reason it is refused', async () => {
    const { reviewer, review, alice } = w;
    const item = await itemOf(review.id, alice.id);
    const noReason = await h.call(reviewer, decideKeepAction, { reviewId: review.id, itemId: item.id, decision: 'keep' });
    expect(noReason.result).toMatchObject({ ok: false, code: 'REASON_REQUIRED' });
    expect((await itemOf(review.id, alice.id)).decision).toBe('pending');

    const { result, correlationId } = await h.call(reviewer, decideKeepAction, {
      reviewId: review.id,
      itemId: item.id,
      decision: 'keep',
      reason: 'Works the support queue daily',
    });
    expect(result).toMatchObject({ ok: true });
    const [event] = await h.eventsOf(correlationId);
    expect(event).toMatchObject({
      operation: 'review.decide',
      outcome: 'success',
      actorId: reviewer.user!.id,
      targetType: 'AccessReview',
      targetId: review.id,
      reason: 'Works the support queue daily',
    });
    expect(JSON.parse(event!.details)).toMatchObject({ number: review.number, itemId: item.id, userId: alice.id, decision: 'keep' });
    expect(await itemOf(review.id, alice.id)).toMatchObject({
      decision: 'keep',
      reason: 'Works the support queue daily',
      decidedById: reviewer.user!.id,
      decidedAt: expect.any(Date),
      decisionSeq: event!.seq,
      appliedSeq: null,
    });
    // Decided once: a second decision is refused.
    const again = await h.call(w.reviewer2, decideKeepAction, { reviewId: review.id, itemId: item.id, decision: 'keep', reason: 'Again' });
    expect(again.result).toMatchObject({ ok: false, code: 'CONFLICT' });
  });

  it('suspend runs through user.suspend with the item: the item is decided in the same transaction and the event names the review', async () => {
    const { reviewer, review, bob } = w;
    const item = await itemOf(review.id, bob.id);
    const input = { id: bob.id, accessReviewItemId: item.id, reason: 'No sign-in for 90 days' };

    // The operation's own step-up still applies.
    const bare = await h.call(reviewer, suspendUserAction, input);
    expect(bare.result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });
    expect(await statusOf(bob.id)).toBe('active');

    const stepUpProof = await proof(reviewer, 'user.suspend', input);
    const { result, correlationId } = await h.call(reviewer, suspendUserAction, input, { stepUpProof });
    expect(result).toMatchObject({ ok: true });
    expect(await statusOf(bob.id)).toBe('suspended');
    const [event] = await h.eventsOf(correlationId);
    expect(event).toMatchObject({ operation: 'user.suspend', outcome: 'success', targetType: 'User', targetId: bob.id });
    expect(JSON.parse(event!.details)).toMatchObject({
      stepUp: true,
      accessReview: { id: review.id, number: review.number, itemId: item.id },
      before: { status: 'active' },
      after: { status: 'suspended' },
    });
    expect(await itemOf(review.id, bob.id)).toMatchObject({
      decision: 'suspend',
      reason: 'No sign-in for 90 days',
      decidedById: reviewer.user!.id,
      decisionSeq: event!.seq,
      appliedSeq: event!.seq,
    });
  });

  it('a non-reviewer, another user’s item, another campaign’s item or another operation are refused with nothing changed', async () => {
    const { reviewer, outsider, review, superadmin } = w;
    const dave = await h.createUser({ role: 'support' });
    const erin = await h.createUser({ role: 'support', locked: true });
    const second = await start(superadmin, {
      title: 'Dave and Erin',
      userIds: [dave.id, erin.id],
      roles: [],
      reviewerIds: [reviewer.user!.id],
    });
    const daveItem = await itemOf(second.id, dave.id);
    const erinItem = await itemOf(second.id, erin.id);

    // A non-reviewer admin: cannot keep (they cannot even see the campaign) and cannot suspend with the item.
    const keep = await h.call(outsider, decideKeepAction, {
      reviewId: second.id,
      itemId: daveItem.id,
      decision: 'keep',
      reason: 'Looks fine',
    });
    expectRefused(keep.result);
    expect((await h.eventsOf(keep.correlationId)).map((e) => [e.operation, e.outcome])).toEqual([['review.decide', 'denied']]);
    const asOutsider = { id: dave.id, accessReviewItemId: daveItem.id, reason: 'Not mine to decide' };
    const suspendByOutsider = await h.call(outsider, suspendUserAction, asOutsider, {
      stepUpProof: await proof(outsider, 'user.suspend', asOutsider),
    });
    expect(suspendByOutsider.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect((await h.eventsOf(suspendByOutsider.correlationId)).map((e) => [e.operation, e.outcome])).toEqual([['user.suspend', 'denied']]);
    expect(await statusOf(dave.id)).toBe('active');

    // The item is about someone else (erin is not dave).
    const mismatch = { id: erin.id, accessReviewItemId: daveItem.id, reason: 'Wrong person' };
    const wrongTarget = await h.call(reviewer, suspendUserAction, mismatch, {
      stepUpProof: await proof(reviewer, 'user.suspend', mismatch),
    });
    expect(wrongTarget.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await statusOf(erin.id)).toBe('active');

    // For an incident and a review at once: refused before anything changes.
    const both = { id: dave.id, accessReviewItemId: daveItem.id, incidentId: 'no-such-incident', reason: 'Both at once' };
    const twice = await h.call(reviewer, suspendUserAction, both, { stepUpProof: await proof(reviewer, 'user.suspend', both) });
    expect(twice.result).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(await statusOf(dave.id)).toBe('active');

    // An item of the other campaign named with this campaign's id.
    const crossed = await h.call(reviewer, decideKeepAction, {
      reviewId: review.id,
      itemId: daveItem.id,
      decision: 'keep',
      reason: 'Crossed',
    });
    expect(crossed.result).toMatchObject({ ok: false, code: 'NOT_FOUND' });

    // An operation a review does not apply (unlock) cannot carry an item.
    const unlock = { id: erin.id, accessReviewItemId: erinItem.id, reason: 'Unlock as a decision' };
    const unlocked = await h.call(reviewer, unlockUserAction, unlock);
    expect(unlocked.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect((await h.db.user.findUniqueOrThrow({ where: { id: erin.id } })).lockedAt).not.toBeNull();

    for (const i of [daveItem.id, erinItem.id]) {
      expect(await h.db.accessReviewItem.findUniqueOrThrow({ where: { id: i } })).toMatchObject({ decision: 'pending', decisionSeq: null });
    }
  });

  it('a superadmin reviewer’s privileged role change waits for a second superadmin and is decided when it runs', async () => {
    const { superadmin } = w;
    const reviewerSa = await h.caller('superadmin');
    const approver = await h.caller('superadmin');
    const frank = await h.createUser({ role: 'admin' });
    // As the form sends it: people as a text area of emails, the due date as a day, the window as text.
    const due = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10);
    const campaign = await start(superadmin, {
      title: 'Admins',
      userEmails: `  ${frank.email.toUpperCase()}\n`,
      reviewerIds: [reviewerSa.user!.id],
      dueAt: due,
      usageDays: '60',
    });
    expect(await reviewRow(campaign.id)).toMatchObject({ usageDays: 60, dueAt: new Date(`${due}T23:59:59.999Z`) });
    const item = await itemOf(campaign.id, frank.id);
    const input = { id: frank.id, role: 'support', accessReviewItemId: item.id, reason: 'Moved to the support team' };
    const asked = await h.call(reviewerSa, grantPrivilegedRoleAction, input, {
      stepUpProof: await proof(reviewerSa, 'user.role_grant_privileged', input),
    });
    expect(asked.result).toMatchObject({ ok: false, code: 'APPROVAL_REQUIRED' });
    const approvalId = (asked.result as unknown as { approval: { id: string } }).approval.id;
    expect(await itemOf(campaign.id, frank.id)).toMatchObject({ decision: 'pending', approvalId });
    const waiting = await h.as(reviewerSa, () => getReview(h.viewerOf(reviewerSa), campaign.id));
    expect(waiting!.items[0]).toMatchObject({ awaitingApproval: true, canDecide: false, approval: { id: approvalId, status: 'pending' } });

    const { digest } = await h.db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } });
    const approved = await h.call(
      approver,
      approveRequestAction,
      { id: approvalId, digest },
      {
        stepUpProof: await proof(approver, 'approval.approve', { id: approvalId, digest }),
      },
    );
    expect(approved.result).toEqual({ ok: true, data: { status: 'executed' } });
    const execution = await h.db.auditEvent.findFirstOrThrow({
      where: { operation: 'user.role_grant_privileged', targetId: frank.id, outcome: 'success' },
    });
    expect(JSON.parse(execution.details)).toMatchObject({
      approval: { id: approvalId },
      accessReview: { id: campaign.id, number: campaign.number, itemId: item.id },
    });
    expect(await itemOf(campaign.id, frank.id)).toMatchObject({
      decision: 'change_role',
      newRole: 'support',
      decidedById: reviewerSa.user!.id,
      approvalId,
      appliedSeq: execution.seq,
      decisionSeq: execution.seq,
    });
  });

  it('an auditor signs off with a step-up: the campaign closes with its coverage and later decisions are refused', async () => {
    const { auditor, reviewer, review, carol } = w;
    const detail = await h.as(auditor, () => getReview(h.viewerOf(auditor), review.id));
    const total = detail!.items.length;
    expect(detail!.coverage).toMatchObject({ total, decided: 2, kept: 1, changed: 0, suspended: 1, pending: total - 2, overdue: false });
    expect(detail!.canSignOff).toBe(true);
    expect(detail!.items.every((i) => !i.canDecide)).toBe(true);
    expect(detail!.byReviewer).toEqual([{ id: reviewer.user!.id, name: reviewer.user!.name, kept: 1, changed: 0, suspended: 1 }]);

    // A reviewer (admin) cannot sign off.
    const input = { reviewId: review.id, reason: 'Reviewed the decisions; remaining users kept by default until next quarter.' };
    const byReviewer = await h.call(reviewer, signOffReviewAction, input, { stepUpProof: await proof(reviewer, 'review.sign_off', input) });
    expectRefused(byReviewer.result);
    const bare = await h.call(auditor, signOffReviewAction, input);
    expect(bare.result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });

    const { result, correlationId } = await h.call(auditor, signOffReviewAction, input, {
      stepUpProof: await proof(auditor, 'review.sign_off', input),
    });
    expect(result).toEqual({ ok: true, data: { seq: expect.any(Number), pending: total - 2 } });
    const [event] = await h.eventsOf(correlationId);
    expect(event).toMatchObject({ operation: 'review.sign_off', outcome: 'success', targetId: review.id, reason: input.reason });
    expect(JSON.parse(event!.details)).toMatchObject({
      stepUp: true,
      coverage: { items: total, decided: 2, kept: 1, changed: 0, suspended: 1, pending: total - 2 },
    });
    expect(await reviewRow(review.id)).toMatchObject({
      status: 'closed',
      closedById: auditor.user!.id,
      signOff: input.reason,
      closeSeq: event!.seq,
      closedAt: expect.any(Date),
    });

    // Closed: no more decisions, by either path; a second sign-off is refused too.
    const carolItem = await itemOf(review.id, carol.id);
    const keep = await h.call(reviewer, decideKeepAction, { reviewId: review.id, itemId: carolItem.id, decision: 'keep', reason: 'Late' });
    expectRefused(keep.result);
    const react = { id: carol.id, accessReviewItemId: carolItem.id, reason: 'Late decision' };
    const late = await h.call(reviewer, suspendUserAction, react, { stepUpProof: await proof(reviewer, 'user.suspend', react) });
    expect(late.result.ok).toBe(false);
    expect(await itemOf(review.id, carol.id)).toMatchObject({ decision: 'pending' });
    const twice = await h.call(auditor, signOffReviewAction, input, { stepUpProof: await proof(auditor, 'review.sign_off', input) });
    expectRefused(twice.result);

    const after = await h.as(auditor, () => getReview(h.viewerOf(auditor), review.id));
    expect(after).toMatchObject({ status: 'closed', canSignOff: false, signOff: input.reason, closedBy: { id: auditor.user!.id } });
  });
});
