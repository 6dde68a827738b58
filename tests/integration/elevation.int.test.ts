import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { approveRequestAction } from '@/app/(console)/approvals/_actions/approve-request';
import { breakGlassAction } from '@/app/(console)/elevation/_actions/break-glass';
import { endElevationAction } from '@/app/(console)/elevation/_actions/end-elevation';
import { requestElevationAction } from '@/app/(console)/elevation/_actions/request-elevation';
import { grantPrivilegedRoleAction } from '@/app/(console)/users/_actions/grant-privileged-role';
import { reactivateUserAction } from '@/app/(console)/users/_actions/reactivate-user';
import { suspendUserAction } from '@/app/(console)/users/_actions/suspend-user';
import { getViewer } from '@/lib/auth/viewer';
import { verifyChain } from '@/lib/audit/verify';
import { invalidateSettings } from '@/lib/config/settings';
import { expireDueElevations } from '@/lib/dal/elevations';
import { evaluateAnomalies } from '@/lib/monitoring/evaluate';
import type { OperationId } from '@/policies/operations';
import { ActionHarness, REFUSAL_CODES, type Caller } from '../helpers/action-harness';
import { testProviders } from '../helpers/test-db';

vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
});
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const REASON = 'Integration test of time-bound elevation, CHG-9100';
const MINUTE = 60_000;

/**
 * Time-bound elevation and break-glass (issue 10) through the real server
 * actions: a request is frozen for a second person, starts when approved, gives
 * exactly the rights asked for, and is gone on the holder's first request after
 * its expiry — with the trail saying all of it.
 */
describe.each(testProviders())('time-bound elevation through the real server actions on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'elevation');
  });
  afterAll(async () => {
    await h?.cleanup();
  });
  beforeEach(() => {
    invalidateSettings();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function proof(caller: Caller, op: OperationId, input: unknown): Promise<string> {
    await h.db.user.update({ where: { id: caller.user!.id }, data: { totpLastStep: null } });
    return h.stepUpProof(caller, op, input);
  }

  async function ask(requester: Caller, input: Record<string, unknown>) {
    const full = { userId: requester.user!.id, baseRole: requester.user!.role, reason: REASON, ...input };
    const stepUpProof = await proof(requester, 'elevation.request', full);
    return h.call(requester, requestElevationAction, full, { stepUpProof });
  }

  async function askApproved(requester: Caller, approver: Caller, input: Record<string, unknown>) {
    const { result } = await ask(requester, input);
    expect(result).toMatchObject({ ok: false, code: 'APPROVAL_REQUIRED' });
    const id = (result as unknown as { approval: { id: string } }).approval.id;
    const { digest } = await h.db.approvalRequest.findUniqueOrThrow({ where: { id } });
    const stepUpProof = await proof(approver, 'approval.approve', { id, digest });
    const approved = await h.call(approver, approveRequestAction, { id, digest }, { stepUpProof });
    return { approvalId: id, approved: approved.result };
  }

  async function suspend(caller: Caller, id: string) {
    const input = { id, reason: REASON };
    const stepUpProof = await proof(caller, 'user.suspend', input);
    return h.call(caller, suspendUserAction, input, { stepUpProof });
  }

  const viewerOf = (caller: Caller) => h.as(caller, () => getViewer());

  it('an approved role elevation gives the role’s rights until its expiry, and the next request after it is decided with the own role', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const admin = await h.caller('admin');
    const approver = await h.caller('superadmin');
    const otherAdmin = await h.caller('admin');

    // Before: an admin may not suspend another admin.
    const refused = await suspend(admin, otherAdmin.user!.id);
    expect(refused.result.ok).toBe(false);
    expect(REFUSAL_CODES).toContain((refused.result as { code: string }).code);

    const { approvalId, approved } = await askApproved(admin, approver, { scope: 'role', role: 'superadmin', minutes: 5 });
    expect(approved).toMatchObject({ ok: true, data: { status: 'executed' } });
    const elevation = await h.db.elevation.findFirstOrThrow({ where: { userId: admin.user!.id } });
    expect(elevation).toMatchObject({
      status: 'active',
      baseRole: 'admin',
      role: 'superadmin',
      scope: 'role',
      approvalId,
      approverId: approver.user!.id,
      reason: REASON,
    });
    expect(elevation.expiresAt.getTime() - elevation.startsAt.getTime()).toBe(5 * MINUTE);
    const start = await h.db.auditEvent.findUniqueOrThrow({ where: { seq: elevation.startSeq! } });
    expect(start).toMatchObject({ operation: 'elevation.request', outcome: 'success', actorId: admin.user!.id, targetId: elevation.id });
    expect(JSON.parse(start.details)).toMatchObject({ approval: { id: approvalId, approverId: approver.user!.id }, role: 'superadmin' });

    // The session now acts as superadmin, and says so in the trail.
    expect(await viewerOf(admin)).toMatchObject({ role: 'superadmin', baseRole: 'admin', elevation: { id: elevation.id } });
    const done = await suspend(admin, otherAdmin.user!.id);
    expect(done.result).toMatchObject({ ok: true });
    const [event] = (await h.eventsOf(done.correlationId)).filter((e) => e.operation === 'user.suspend');
    expect(event).toMatchObject({ outcome: 'success', actorRole: 'superadmin' });
    expect(JSON.parse(event!.details)).toMatchObject({
      elevation: { id: elevation.id, scope: 'role', role: 'superadmin', baseRole: 'admin' },
    });

    // One millisecond before the expiry it still holds; at the expiry the same session is back to admin.
    vi.setSystemTime(elevation.expiresAt.getTime() - 1);
    expect((await viewerOf(admin))?.role).toBe('superadmin');
    vi.setSystemTime(elevation.expiresAt.getTime());
    expect(await viewerOf(admin)).toMatchObject({ role: 'admin', elevation: null });
    const reactivate = { id: otherAdmin.user!.id, reason: REASON };
    const after = await h.call(admin, reactivateUserAction, reactivate, { stepUpProof: await proof(admin, 'user.reactivate', reactivate) });
    expect(after.result.ok).toBe(false);
    expect(REFUSAL_CODES).toContain((after.result as { code: string }).code);

    // The sweep records the end once.
    expect(await expireDueElevations()).toBe(1);
    expect(await expireDueElevations()).toBe(0);
    const ended = await h.db.elevation.findUniqueOrThrow({ where: { id: elevation.id } });
    expect(ended).toMatchObject({ status: 'expired', endReason: 'expired', endedAt: elevation.expiresAt });
    expect(await h.db.auditEvent.count({ where: { operation: 'elevation.expire', targetId: elevation.id } })).toBe(1);
    expect(await verifyChain(h.db)).toMatchObject({ ok: true });
  });

  it('a lockdown holds for someone elevated to superadmin: the exemption follows the role they hold, not a borrowed one', async () => {
    const admin = await h.caller('admin');
    const approver = await h.caller('superadmin');
    const member = await h.caller('member');
    const { approved } = await askApproved(admin, approver, { scope: 'role', role: 'superadmin', minutes: 10 });
    expect(approved).toMatchObject({ ok: true, data: { status: 'executed' } });
    expect((await viewerOf(admin))?.role).toBe('superadmin');
    await h.db.systemState.create({ data: { id: 'lockdown', enabled: true, mode: 'read_only', since: new Date(), updatedAt: new Date() } });
    try {
      const { result, correlationId } = await suspend(admin, member.user!.id);
      expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect((await h.eventsOf(correlationId)).filter((e) => e.operation === 'user.suspend')).toEqual([
        expect.objectContaining({ outcome: 'denied', reasonCode: 'lockdown', actorId: admin.user!.id }),
      ]);
      expect(await h.userState(member.user!.id)).toMatchObject({ status: 'active' });
    } finally {
      await h.db.systemState.deleteMany({ where: { id: 'lockdown' } });
    }
  });

  it('an elevation to one operation lends exactly that operation', async () => {
    const agent = await h.caller('support');
    const approver = await h.caller('superadmin');
    const member = await h.caller('member');
    const { approved } = await askApproved(agent, approver, { scope: 'operation', role: 'admin', operation: 'user.suspend', minutes: 30 });
    expect(approved).toMatchObject({ ok: true, data: { status: 'executed' } });
    expect(await viewerOf(agent)).toMatchObject({ role: 'support', elevation: { scope: 'operation', operation: 'user.suspend' } });

    expect((await suspend(agent, member.user!.id)).result).toMatchObject({ ok: true });
    const reactivate = { id: member.user!.id, reason: REASON };
    const other = await h.call(agent, reactivateUserAction, reactivate, { stepUpProof: await proof(agent, 'user.reactivate', reactivate) });
    expect(other.result.ok).toBe(false);
    expect(await h.userState(member.user!.id)).toMatchObject({ status: 'suspended' });
  });

  it('nobody approves their own elevation, an elevated person approves nothing, and the holder can end it early', async () => {
    const admin = await h.caller('admin');
    const { result } = await ask(admin, { scope: 'role', role: 'superadmin', minutes: 10 });
    const id = (result as unknown as { approval: { id: string } }).approval.id;
    const { digest } = await h.db.approvalRequest.findUniqueOrThrow({ where: { id } });
    const self = await h.call(
      admin,
      approveRequestAction,
      { id, digest },
      { stepUpProof: await proof(admin, 'approval.approve', { id, digest }) },
    );
    expect(self.result.ok).toBe(false);

    // Another admin, elevated to superadmin, may not approve it either.
    const second = await h.caller('admin');
    const superadmin = await h.caller('superadmin');
    expect((await askApproved(second, superadmin, { scope: 'role', role: 'superadmin', minutes: 10 })).approved).toMatchObject({
      ok: true,
    });
    const chained = await h.call(
      second,
      approveRequestAction,
      { id, digest },
      { stepUpProof: await proof(second, 'approval.approve', { id, digest }) },
    );
    expect(chained.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await h.db.approvalRequest.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'pending' });

    const held = await h.db.elevation.findFirstOrThrow({ where: { userId: second.user!.id, status: 'active' } });
    const ended = await h.call(second, endElevationAction, { id: held.id });
    expect(ended.result).toMatchObject({ ok: true });
    expect(await viewerOf(second)).toMatchObject({ role: 'admin', elevation: null });
    expect(await h.db.elevation.findUniqueOrThrow({ where: { id: held.id } })).toMatchObject({
      status: 'ended',
      endReason: 'ended_by_holder',
    });
  });

  it('refuses what the policy does not lend: a role not above, an auditor asking, more than the configured maximum', async () => {
    const agent = await h.caller('support');
    const tooHigh = await ask(agent, { scope: 'role', role: 'superadmin', minutes: 10 });
    expect(tooHigh.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const auditor = await h.caller('auditor');
    const auditorAsk = await ask(auditor, { scope: 'role', role: 'admin', minutes: 10 });
    expect(auditorAsk.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    const admin = await h.caller('admin');
    const tooLong = await ask(admin, { scope: 'role', role: 'superadmin', minutes: 61 });
    expect(tooLong.result).toMatchObject({ ok: false, code: 'VALIDATION' });
    // On someone else's behalf: the record names another user.
    const forOther = { userId: agent.user!.id, baseRole: 'support', scope: 'role', role: 'admin', minutes: 10, reason: REASON };
    const other = await h.call(admin, requestElevationAction, forOther, { stepUpProof: await proof(admin, 'elevation.request', forOther) });
    expect(other.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await h.db.approvalRequest.count({ where: { requesterId: { in: [agent.user!.id, auditor.user!.id] } } })).toBe(0);
  });

  it('break-glass starts at once, raises a critical alert, opens the mandatory review, and lets two-person operations run without an approver', async () => {
    await evaluateAnomalies(); // monitoring starts at the head
    const a = await h.caller('superadmin');
    const b = await h.caller('superadmin');
    const target = await h.caller('admin');

    const input = { userId: a.user!.id, minutes: 15, reason: REASON };
    const nonSuper = await h.caller('admin');
    const refused = await h.call(
      nonSuper,
      breakGlassAction,
      { ...input, userId: nonSuper.user!.id },
      {
        stepUpProof: await proof(nonSuper, 'elevation.break_glass', { ...input, userId: nonSuper.user!.id }),
      },
    );
    expect(refused.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });

    const { result } = await h.call(a, breakGlassAction, input, { stepUpProof: await proof(a, 'elevation.break_glass', input) });
    expect(result).toMatchObject({ ok: true, data: { reviewId: expect.any(String) } });
    const elevation = await h.db.elevation.findFirstOrThrow({ where: { userId: a.user!.id, scope: 'break_glass' } });
    const review = await h.db.accessReview.findUniqueOrThrow({
      where: { id: elevation.reviewId! },
      include: { reviewers: true, items: true },
    });
    expect(review).toMatchObject({ kind: 'break_glass', status: 'open' });
    expect(review.items.map((i) => i.userId)).toEqual([a.user!.id]);
    expect(review.reviewers.map((r) => r.userId)).toContain(b.user!.id);
    expect(review.reviewers.map((r) => r.userId)).not.toContain(a.user!.id);

    const evaluated = await evaluateAnomalies();
    const alert = await h.db.alert.findFirstOrThrow({ where: { rule: 'access.break_glass' } });
    expect(evaluated.raised).toContain(alert.id);
    expect(alert).toMatchObject({ severity: 'critical', status: 'open', actorId: a.user!.id });

    // A two-person operation now runs at once, and its event says why.
    const grant = { id: target.user!.id, role: 'superadmin', reason: REASON };
    const granted = await h.call(a, grantPrivilegedRoleAction, grant, { stepUpProof: await proof(a, 'user.role_grant_privileged', grant) });
    expect(granted.result).toMatchObject({ ok: true });
    expect((await h.userState(target.user!.id)).role).toBe('superadmin');
    const [event] = (await h.eventsOf(granted.correlationId)).filter((e) => e.operation === 'user.role_grant_privileged');
    expect(JSON.parse(event!.details)).toMatchObject({ elevation: { id: elevation.id, scope: 'break_glass' } });
    expect(await h.db.approvalRequest.count({ where: { requesterId: a.user!.id } })).toBe(0);

    // Another superadmin ends it; the next grant is a request again.
    expect((await h.call(b, endElevationAction, { id: elevation.id, reason: REASON })).result).toMatchObject({ ok: true });
    const again = { id: target.user!.id, role: 'admin', reason: REASON };
    const asked = await h.call(a, grantPrivilegedRoleAction, again, { stepUpProof: await proof(a, 'user.role_grant_privileged', again) });
    expect(asked.result).toMatchObject({ ok: false, code: 'APPROVAL_REQUIRED' });
    expect(await verifyChain(h.db)).toMatchObject({ ok: true });
  });
});
