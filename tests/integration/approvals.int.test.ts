import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { approveRequestAction } from '@/app/(console)/approvals/_actions/approve-request';
import { cancelRequestAction } from '@/app/(console)/approvals/_actions/cancel-request';
import { rejectRequestAction } from '@/app/(console)/approvals/_actions/reject-request';
import { grantPrivilegedRoleAction } from '@/app/(console)/users/_actions/grant-privileged-role';
import { verifyChain } from '@/lib/audit/verify';
import { invalidateSettings } from '@/lib/config/settings';
import { expireDueApprovals, getApproval } from '@/lib/dal/approvals';
import type { OperationId } from '@/policies/operations';
import { ActionHarness, REFUSAL_CODES, type Caller } from '../helpers/action-harness';
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

const REASON = 'Integration test of two-person approvals, CHG-8001';

/**
 * Two-person approvals (issue 8) through the real server actions: a privileged
 * role grant is frozen as a request, and only a second superadmin — never the
 * requester, never the person it is about — can make it run, once, exactly as
 * requested, with the policy checked again.
 */
describe.each(testProviders())('two-person approvals through the real server actions on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'approvals');
  });
  afterAll(async () => {
    await h?.cleanup();
  });
  beforeEach(() => {
    invalidateSettings();
  });

  /**
   * A step-up proof obtained the real way. Authenticator codes are single-use per
   * step, so the user's replay marker is cleared first (test setup only): a
   * person in these tests steps up more often than twice per 30 seconds.
   */
  async function proof(caller: Caller, op: OperationId, input: unknown): Promise<string> {
    await h.db.user.update({ where: { id: caller.user!.id }, data: { totpLastStep: null } });
    return h.stepUpProof(caller, op, input);
  }

  /** Asks for `role` for the user `id`, as `requester`: a pending request. */
  async function requestGrant(requester: Caller, id: string, role: string) {
    const input = { id, role, reason: REASON };
    const stepUpProof = await proof(requester, 'user.role_grant_privileged', input);
    const { result, correlationId } = await h.call(requester, grantPrivilegedRoleAction, input, { stepUpProof });
    expect(result).toMatchObject({
      ok: false,
      code: 'APPROVAL_REQUIRED',
      correlationId,
      approval: { id: expect.any(String), expiresAt: expect.any(String) },
    });
    const approvalId = (result as unknown as { approval: { id: string } }).approval.id;
    const row = await h.db.approvalRequest.findUniqueOrThrow({ where: { id: approvalId } });
    return { id: approvalId, digest: row.digest, correlationId };
  }

  async function approve(approver: Caller, id: string, digest: string, extra: Record<string, unknown> = {}) {
    const input = { id, digest, ...extra };
    const stepUpProof = await proof(approver, 'approval.approve', { id, digest });
    return h.call(approver, approveRequestAction, input, { stepUpProof });
  }

  const requestRow = (id: string) => h.db.approvalRequest.findUniqueOrThrow({ where: { id } });
  const roleOf = async (id: string) => (await h.db.user.findUniqueOrThrow({ where: { id }, select: { role: true } })).role;
  const grantEvents = (userId: string) =>
    h.db.auditEvent.findMany({ where: { operation: 'user.role_grant_privileged', targetId: userId, outcome: 'success' } });

  it('T28 a superadmin’s grant is frozen as a request; a second superadmin approves it and it runs once, as the requester', async () => {
    const a = await h.caller('superadmin');
    const b = await h.caller('superadmin');
    const target = await h.caller('admin');
    const targetId = target.user!.id;
    const before = await h.userState(targetId);
    expect(await h.liveSessions(targetId)).toBe(1);

    const asked = await requestGrant(a, targetId, 'superadmin');
    // Nothing has changed yet: the request is pending, the user as they were.
    expect(await h.userState(targetId)).toEqual(before);
    expect(await requestRow(asked.id)).toMatchObject({
      status: 'pending',
      operation: 'user.role_grant_privileged',
      requesterId: a.user!.id,
      requesterRole: 'superadmin',
      requesterSessionId: a.sessionId,
      beneficiaryId: targetId,
      targetType: 'User',
      targetId,
      reason: REASON,
      approverId: null,
    });
    const requested = (await h.eventsOf(asked.correlationId)).filter((e) => e.operation === 'approval.request');
    expect(requested).toHaveLength(1);
    expect(requested[0]).toMatchObject({
      outcome: 'success',
      actorId: a.user!.id,
      targetType: 'ApprovalRequest',
      targetId: asked.id,
      reason: REASON,
    });
    expect(JSON.parse(requested[0]!.details)).toMatchObject({
      operation: 'user.role_grant_privileged',
      digest: asked.digest,
      target: { type: 'User', id: targetId },
      beneficiaryId: targetId,
      stepUp: true,
    });
    expect(await grantEvents(targetId)).toEqual([]);
    // The approver sees the frozen diff and may decide it; the requester may not.
    const seenByB = await h.as(b, () => getApproval(h.viewerOf(b), asked.id));
    expect(seenByB).toMatchObject({
      canDecide: true,
      digest: asked.digest,
      summary: { changes: expect.arrayContaining([{ label: 'Role', before: 'admin', after: 'superadmin' }]) },
    });
    const seenByA = await h.as(a, () => getApproval(h.viewerOf(a), asked.id));
    expect(seenByA).toMatchObject({ canDecide: false, canCancel: true, whyNot: expect.stringMatching(/own request/) });

    const approved = await approve(b, asked.id, asked.digest, { reason: 'Checked with the security lead' });
    expect(approved.result).toEqual({ ok: true, data: { status: 'executed' } });

    expect(await roleOf(targetId)).toBe('superadmin');
    expect(await h.liveSessions(targetId)).toBe(0);
    const row = await requestRow(asked.id);
    expect(row).toMatchObject({
      status: 'executed',
      approverId: b.user!.id,
      approverSessionId: b.sessionId,
      decisionNote: 'Checked with the security lead',
      executedAt: expect.any(Date),
    });
    const events = await h.eventsOf(approved.correlationId);
    expect(events.map((e) => e.operation)).toEqual(['approval.approve', 'user.role_grant_privileged']);
    const [decision, execution] = events;
    expect(decision).toMatchObject({
      outcome: 'success',
      actorId: b.user!.id,
      targetType: 'ApprovalRequest',
      targetId: asked.id,
      seq: row.decisionSeq,
    });
    expect(execution).toMatchObject({
      outcome: 'success',
      actorId: a.user!.id,
      actorRole: 'superadmin',
      targetType: 'User',
      targetId,
      reason: REASON,
      seq: row.executionSeq,
    });
    expect(JSON.parse(execution!.details)).toMatchObject({
      before: { role: 'admin' },
      after: { role: 'superadmin' },
      sessionsEnded: 1,
      approval: {
        id: asked.id,
        digest: asked.digest,
        approverId: b.user!.id,
        approverRole: 'superadmin',
        requestSeq: row.requestSeq,
        decisionSeq: row.decisionSeq,
      },
    });
    // The chain: request → decision → execution, in that order.
    expect(row.requestSeq).toBe(requested[0]!.seq);
    expect(row.requestSeq!).toBeLessThan(row.decisionSeq!);
    expect(row.decisionSeq!).toBeLessThan(row.executionSeq!);

    // The approval is spent: approving again finds nothing to decide.
    const again = await approve(await h.caller('superadmin'), asked.id, asked.digest);
    expect(again.result).toMatchObject({ ok: false });
    if (!again.result.ok) expect(REFUSAL_CODES).toContain(again.result.code);
    expect(await grantEvents(targetId)).toHaveLength(1);
  });

  it('T28 an admin cannot ask for a privileged grant; nobody can change their own role', async () => {
    const admin = await h.caller('admin');
    const member = await h.caller('member');
    const requestsBefore = await h.db.approvalRequest.count();
    const input = { id: member.user!.id, role: 'admin', reason: REASON };
    const stepUpProof = await proof(admin, 'user.role_grant_privileged', input);
    const byAdmin = await h.call(admin, grantPrivilegedRoleAction, input, { stepUpProof });
    expect(byAdmin.result.ok).toBe(false);
    if (!byAdmin.result.ok) expect(REFUSAL_CODES).toContain(byAdmin.result.code);
    expect((await h.eventsOf(byAdmin.correlationId)).map((e) => [e.operation, e.outcome])).toEqual([
      ['user.role_grant_privileged', 'denied'],
    ]);

    const self = await h.caller('superadmin');
    const own = { id: self.user!.id, role: 'admin', reason: REASON };
    const ownProof = await proof(self, 'user.role_grant_privileged', own);
    const bySelf = await h.call(self, grantPrivilegedRoleAction, own, { stepUpProof: ownProof });
    expect(bySelf.result.ok).toBe(false);
    if (!bySelf.result.ok) expect(REFUSAL_CODES).toContain(bySelf.result.code);

    expect(await h.db.approvalRequest.count()).toBe(requestsBefore);
    expect(await roleOf(member.user!.id)).toBe('member');
    expect(await roleOf(self.user!.id)).toBe('superadmin');
  });

  it('T28 the last active superadmin cannot be removed through an approval: it fails closed', async () => {
    const a = await h.caller('superadmin');
    const b = await h.caller('superadmin');
    const c = await h.caller('superadmin');
    const others = await h.db.user.findMany({
      where: { role: 'superadmin', status: 'active', id: { notIn: [a.user!.id, b.user!.id, c.user!.id] } },
      select: { id: true },
    });
    const asked = await requestGrant(a, b.user!.id, 'admin');
    try {
      // Everyone else leaves: when the approval runs, the target is the last active superadmin
      // (the requester, A, no longer counts: their account is suspended).
      await h.db.user.updateMany({ where: { id: { in: [...others.map((o) => o.id), a.user!.id] } }, data: { status: 'suspended' } });
      const approved = await approve(c, asked.id, asked.digest);
      // C approving counts as a superadmin too; the request still must not run without its requester.
      expect(approved.result).toMatchObject({ ok: true, data: { status: 'failed', message: expect.any(String) } });
      expect(await roleOf(b.user!.id)).toBe('superadmin');
      expect(await requestRow(asked.id)).toMatchObject({ status: 'failed', executionSeq: null });
      expect(await grantEvents(b.user!.id)).toEqual([]);
      const failed = (await h.eventsOf(approved.correlationId)).find((e) => e.operation === 'approval.execute');
      expect(failed).toMatchObject({ outcome: 'failure', targetId: asked.id });
    } finally {
      await h.db.user.updateMany({ where: { id: { in: [...others.map((o) => o.id), a.user!.id] } }, data: { status: 'active' } });
    }
  });

  it('two superadmins removing each other: the second request cannot run once its requester lost the role', async () => {
    const a = await h.caller('superadmin');
    const c = await h.caller('superadmin');
    const approver = await h.caller('superadmin');
    const aDemotesC = await requestGrant(a, c.user!.id, 'admin');
    const cDemotesA = await requestGrant(c, a.user!.id, 'admin');
    expect((await approve(approver, aDemotesC.id, aDemotesC.digest)).result).toEqual({ ok: true, data: { status: 'executed' } });
    const second = await approve(approver, cDemotesA.id, cDemotesA.digest);
    expect(second.result).toMatchObject({ ok: true, data: { status: 'failed' } });
    expect(await roleOf(a.user!.id)).toBe('superadmin');
    expect(await roleOf(c.user!.id)).toBe('admin');
    expect(await requestRow(cDemotesA.id)).toMatchObject({ status: 'failed', failureReason: 'requester_inactive' });
  });

  describe('no self-approval through any path', () => {
    it('the requester cannot approve their own request, from the same or another session', async () => {
      const a = await h.caller('superadmin');
      const target = await h.caller('member');
      const asked = await requestGrant(a, target.user!.id, 'admin');

      const same = await approve(a, asked.id, asked.digest);
      expect(same.result.ok).toBe(false);
      if (!same.result.ok) expect(REFUSAL_CODES).toContain(same.result.code);
      expect((await h.eventsOf(same.correlationId)).map((e) => [e.operation, e.outcome])).toEqual([['approval.approve', 'denied']]);

      const otherSession = await h.signIn(a.user!);
      const other = await approve(otherSession, asked.id, asked.digest);
      expect(other.result.ok).toBe(false);
      if (!other.result.ok) expect(REFUSAL_CODES).toContain(other.result.code);
      expect(await h.eventsOf(other.correlationId)).toEqual([
        expect.objectContaining({ operation: 'approval.approve', outcome: 'denied', actorId: a.user!.id }),
      ]);

      expect(await requestRow(asked.id)).toMatchObject({ status: 'pending', approverId: null, decisionSeq: null });
      expect(await roleOf(target.user!.id)).toBe('member');
    });

    it('the person a request is about cannot approve (or reject) it', async () => {
      const c = await h.caller('superadmin');
      const b = await h.caller('superadmin');
      const asked = await requestGrant(c, b.user!.id, 'admin');
      const seen = await h.as(b, () => getApproval(h.viewerOf(b), asked.id));
      expect(seen).toMatchObject({ canDecide: false, whyNot: expect.stringMatching(/your own account/) });

      const byB = await approve(b, asked.id, asked.digest);
      expect(byB.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect((await h.eventsOf(byB.correlationId)).map((e) => [e.operation, e.outcome])).toEqual([['approval.approve', 'denied']]);
      const rejected = await h.call(b, rejectRequestAction, { id: asked.id, reason: 'I would rather stay a superadmin' });
      expect(rejected.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });

      expect(await requestRow(asked.id)).toMatchObject({ status: 'pending', approverId: null });
      expect(await roleOf(b.user!.id)).toBe('superadmin');
    });
  });

  describe('an approval is for exactly one frozen request', () => {
    it('approving request B with the digest of request A is refused; nothing changes', async () => {
      const a = await h.caller('superadmin');
      const approver = await h.caller('superadmin');
      const x = await h.caller('member');
      const y = await h.caller('member');
      const reqA = await requestGrant(a, x.user!.id, 'admin');
      const reqB = await requestGrant(a, y.user!.id, 'superadmin');
      const crossed = await approve(approver, reqB.id, reqA.digest);
      expect(crossed.result).toMatchObject({ ok: false, code: 'CONFLICT' });
      expect(await requestRow(reqA.id)).toMatchObject({ status: 'pending', approverId: null });
      expect(await requestRow(reqB.id)).toMatchObject({ status: 'pending', approverId: null });
      expect(await roleOf(x.user!.id)).toBe('member');
      expect(await roleOf(y.user!.id)).toBe('member');
      expect((await h.eventsOf(crossed.correlationId)).filter((e) => e.outcome === 'success')).toEqual([]);
    });

    it('a request whose stored input was edited in the database is voided when approved; nothing changes', async () => {
      const a = await h.caller('superadmin');
      const approver = await h.caller('superadmin');
      const meant = await h.caller('member');
      const other = await h.caller('member');
      const asked = await requestGrant(a, meant.user!.id, 'superadmin');
      const stored = JSON.parse((await requestRow(asked.id)).input) as Record<string, unknown>;
      await h.db.approvalRequest.update({
        where: { id: asked.id },
        data: { input: JSON.stringify({ ...stored, id: other.user!.id }) },
      });

      const approved = await approve(approver, asked.id, asked.digest);
      expect(approved.result).toMatchObject({ ok: false, code: 'CONFLICT', message: expect.stringMatching(/altered/) });
      expect(await requestRow(asked.id)).toMatchObject({ status: 'voided', failureReason: 'digest_mismatch', executionSeq: null });
      expect((await h.eventsOf(approved.correlationId)).map((e) => [e.operation, e.outcome, e.reasonCode])).toEqual([
        ['approval.void', 'success', 'digest_mismatch'],
      ]);
      expect(await roleOf(meant.user!.id)).toBe('member');
      expect(await roleOf(other.user!.id)).toBe('member');
    });

    it('a request whose target changed since it was made (any edit) is voided', async () => {
      const a = await h.caller('superadmin');
      const approver = await h.caller('superadmin');
      const target = await h.caller('member');
      const asked = await requestGrant(a, target.user!.id, 'admin');
      await h.db.user.update({ where: { id: target.user!.id }, data: { role: 'support' } });

      const approved = await approve(approver, asked.id, asked.digest);
      expect(approved.result).toMatchObject({ ok: false, code: 'CONFLICT' });
      expect(await requestRow(asked.id)).toMatchObject({ status: 'voided', failureReason: 'target_changed' });
      expect((await h.eventsOf(approved.correlationId)).map((e) => e.operation)).toEqual(['approval.void']);
      expect(await roleOf(target.user!.id)).toBe('support');
    });
  });

  describe('expiry', () => {
    it('approving an expired request ends it as expired; nothing changes', async () => {
      const a = await h.caller('superadmin');
      const approver = await h.caller('superadmin');
      const target = await h.caller('member');
      const asked = await requestGrant(a, target.user!.id, 'admin');
      await h.db.approvalRequest.update({ where: { id: asked.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });

      const approved = await approve(approver, asked.id, asked.digest);
      expect(approved.result).toMatchObject({ ok: false, code: 'CONFLICT', message: expect.stringMatching(/expired/) });
      expect(await requestRow(asked.id)).toMatchObject({ status: 'expired', approverId: null });
      expect(await h.eventsOf(approved.correlationId)).toEqual([
        expect.objectContaining({ operation: 'approval.expire', actorId: approver.user!.id, targetId: asked.id }),
      ]);
      expect(await roleOf(target.user!.id)).toBe('member');
    });

    it('expireDueApprovals expires due pending requests, as the system', async () => {
      const a = await h.caller('superadmin');
      const due = await requestGrant(a, (await h.caller('member')).user!.id, 'admin');
      const notDue = await requestGrant(a, (await h.caller('member')).user!.id, 'admin');
      await h.db.approvalRequest.update({ where: { id: due.id }, data: { expiresAt: new Date(Date.now() - 1000) } });

      expect(await expireDueApprovals()).toBeGreaterThanOrEqual(1);
      expect(await requestRow(due.id)).toMatchObject({ status: 'expired', failureReason: 'expired' });
      expect(await requestRow(notDue.id)).toMatchObject({ status: 'pending' });
      const events = await h.db.auditEvent.findMany({ where: { operation: 'approval.expire', targetId: due.id } });
      expect(events).toEqual([expect.objectContaining({ actorId: null, outcome: 'success', reasonCode: 'expired' })]);
      // Once expired, it is gone from the inbox for good.
      expect(await expireDueApprovals()).toBe(0);
    });
  });

  it('two superadmins approving the same request at once: it runs exactly once', async () => {
    const a = await h.caller('superadmin');
    const b = await h.caller('superadmin');
    const c = await h.caller('superadmin');
    const target = await h.caller('member');
    const asked = await requestGrant(a, target.user!.id, 'admin');
    const input = { id: asked.id, digest: asked.digest };
    const [proofB, proofC] = [await proof(b, 'approval.approve', input), await proof(c, 'approval.approve', input)];

    const results = await Promise.all([
      h.call(b, approveRequestAction, input, { stepUpProof: proofB }),
      h.call(c, approveRequestAction, input, { stepUpProof: proofC }),
    ]);
    const executed = results.filter((r) => r.result.ok);
    const refused = results.filter((r) => !r.result.ok);
    expect(executed).toHaveLength(1);
    expect(executed[0]!.result).toEqual({ ok: true, data: { status: 'executed' } });
    expect(refused).toHaveLength(1);
    // The loser finds it no longer pending: refused (the rule only lets a pending request be approved) or a conflict.
    expect(refused[0]!.result).toMatchObject({ ok: false, code: expect.stringMatching(/^(CONFLICT|NOT_FOUND|FORBIDDEN)$/) });

    expect(await roleOf(target.user!.id)).toBe('admin');
    expect(await grantEvents(target.user!.id)).toHaveLength(1);
    expect(await h.db.auditEvent.count({ where: { operation: 'approval.approve', targetId: asked.id, outcome: 'success' } })).toBe(1);
    expect(await requestRow(asked.id)).toMatchObject({ status: 'executed' });
    expect(await verifyChain(h.db)).toMatchObject({ ok: true, count: await h.db.auditEvent.count() });
  });

  describe('reject and withdraw', () => {
    it('a reject needs a reason; then the request ends rejected, with its event, and nothing changes', async () => {
      const a = await h.caller('superadmin');
      const b = await h.caller('superadmin');
      const target = await h.caller('member');
      const asked = await requestGrant(a, target.user!.id, 'admin');

      const bare = await h.call(b, rejectRequestAction, { id: asked.id });
      expect(bare.result).toMatchObject({ ok: false, code: 'REASON_REQUIRED' });
      expect(await requestRow(asked.id)).toMatchObject({ status: 'pending' });

      const rejected = await h.call(b, rejectRequestAction, { id: asked.id, reason: 'Not without a ticket, please' });
      expect(rejected.result).toEqual({ ok: true, data: null });
      const row = await requestRow(asked.id);
      expect(row).toMatchObject({ status: 'rejected', approverId: b.user!.id, decisionNote: 'Not without a ticket, please' });
      expect(await h.eventsOf(rejected.correlationId)).toEqual([
        expect.objectContaining({
          operation: 'approval.reject',
          outcome: 'success',
          actorId: b.user!.id,
          targetId: asked.id,
          reason: 'Not without a ticket, please',
          seq: row.decisionSeq,
        }),
      ]);
      expect(await roleOf(target.user!.id)).toBe('member');
      // A rejected request can no longer be approved.
      const late = await approve(await h.caller('superadmin'), asked.id, asked.digest);
      expect(late.result.ok).toBe(false);
      expect(await roleOf(target.user!.id)).toBe('member');
    });

    it('the requester withdraws their request (nobody else can); it ends cancelled, with its event', async () => {
      const a = await h.caller('superadmin');
      const b = await h.caller('superadmin');
      const target = await h.caller('member');
      const asked = await requestGrant(a, target.user!.id, 'admin');

      const byB = await h.call(b, cancelRequestAction, { id: asked.id });
      expect(byB.result.ok).toBe(false);
      if (!byB.result.ok) expect(REFUSAL_CODES).toContain(byB.result.code);
      expect(await requestRow(asked.id)).toMatchObject({ status: 'pending' });

      const withdrawn = await h.call(a, cancelRequestAction, { id: asked.id, reason: 'Asked the wrong person' });
      expect(withdrawn.result).toEqual({ ok: true, data: null });
      expect(await requestRow(asked.id)).toMatchObject({ status: 'cancelled', approverId: null });
      expect(await h.eventsOf(withdrawn.correlationId)).toEqual([
        expect.objectContaining({ operation: 'approval.cancel', outcome: 'success', actorId: a.user!.id, targetId: asked.id }),
      ]);
      const late = await approve(b, asked.id, asked.digest);
      expect(late.result.ok).toBe(false);
      expect(await roleOf(target.user!.id)).toBe('member');
    });
  });

  it('the policy is checked again at execution: a requester suspended since asking → failed, nothing changed', async () => {
    const a = await h.caller('superadmin');
    const b = await h.caller('superadmin');
    const target = await h.caller('member');
    const asked = await requestGrant(a, target.user!.id, 'admin');
    await h.db.user.update({ where: { id: a.user!.id }, data: { status: 'suspended' } });

    const approved = await approve(b, asked.id, asked.digest);
    expect(approved.result).toMatchObject({ ok: true, data: { status: 'failed', message: expect.stringMatching(/nothing was changed/) } });
    expect(await requestRow(asked.id)).toMatchObject({
      status: 'failed',
      failureReason: 'requester_inactive',
      approverId: b.user!.id,
      executionSeq: null,
    });
    expect((await h.eventsOf(approved.correlationId)).map((e) => [e.operation, e.outcome])).toEqual([
      ['approval.approve', 'success'],
      ['approval.execute', 'failure'],
    ]);
    expect(await roleOf(target.user!.id)).toBe('member');
    expect(await grantEvents(target.user!.id)).toEqual([]);
    expect(await verifyChain(h.db)).toMatchObject({ ok: true });
  });
});
