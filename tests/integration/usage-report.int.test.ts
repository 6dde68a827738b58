import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendAuditEvent, type AuditOperation } from '@/lib/audit';
import { rebuildAuditRollups, refreshAuditRollups, rollupWatermark } from '@/lib/audit/rollup';
import type { Viewer } from '@/lib/auth/viewer';
import { ActionError } from '@/lib/authz/result';
import {
  findUsageUsers,
  recordUsageView,
  roleUsage,
  userReviewItems,
  userUsage,
  userUsageEvidence,
  type RoleUsageReportDTO,
} from '@/lib/dal/usage';
import { privileges, grantedOperations } from '@/policies/usage';
import { ActionHarness, type Caller, type TestUser } from '../helpers/action-harness';
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

const DAY = 86_400_000;
const HOUR = 3_600_000;

type Seeded = { user: TestUser; role: string; op: AuditOperation; outcome: 'success' | 'denied' | 'failure'; daysAgo: number };

describe.each(testProviders())('usage report on a seeded history (%s)', (provider) => {
  let h: ActionHarness;
  let auditor: Viewer;
  let auditorCaller: Caller;
  let superadmin: Viewer;
  let admin: Viewer;
  let support: Viewer;
  let alice: TestUser; // admin today; was superadmin once
  let bob: TestUser; // support
  let carol: TestUser; // support
  let dave: TestUser; // auditor
  let T: number;
  const at = (daysAgo: number) => new Date(T - daysAgo * DAY);

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'usage');
    auditorCaller = await h.caller('auditor');
    auditor = h.viewerOf(auditorCaller);
    superadmin = h.viewerOf(await h.caller('superadmin'));
    admin = h.viewerOf(await h.caller('admin'));
    support = h.viewerOf(await h.caller('support'));
    alice = await h.createUser({ role: 'admin' });
    bob = await h.createUser({ role: 'support' });
    carol = await h.createUser({ role: 'support' });
    dave = await h.createUser({ role: 'auditor' });

    // "Now" is far ahead of anything already in the trail (ts never decreases along the chain).
    T = Math.ceil(Date.now() / DAY + 400) * DAY + 9 * HOUR;
    const history: Seeded[] = [
      { user: alice, role: 'admin', op: 'user.invite', outcome: 'success', daysAgo: 200 },
      { user: alice, role: 'superadmin', op: 'user.role_grant_privileged', outcome: 'success', daysAgo: 150 },
      { user: bob, role: 'support', op: 'ticket.reveal_requester_field', outcome: 'success', daysAgo: 100 },
      { user: bob, role: 'support', op: 'ticket.comment', outcome: 'success', daysAgo: 60 },
      { user: carol, role: 'support', op: 'ticket.comment', outcome: 'success', daysAgo: 50 },
      { user: dave, role: 'auditor', op: 'audit.verify', outcome: 'success', daysAgo: 20 },
      { user: alice, role: 'admin', op: 'user.suspend', outcome: 'success', daysAgo: 12 },
      { user: alice, role: 'admin', op: 'user.suspend', outcome: 'success', daysAgo: 10 },
      { user: alice, role: 'admin', op: 'session.revoke', outcome: 'success', daysAgo: 5 },
      // ---- rolled up up to here; the rest stays above the watermark ----
      { user: bob, role: 'support', op: 'ticket.comment', outcome: 'success', daysAgo: 3 },
      { user: alice, role: 'admin', op: 'config.apply', outcome: 'failure', daysAgo: 2 },
      { user: carol, role: 'support', op: 'ticket.unlock_requester', outcome: 'denied', daysAgo: 2 },
      { user: alice, role: 'admin', op: 'user.suspend', outcome: 'denied', daysAgo: 1 },
      { user: dave, role: 'auditor', op: 'audit.view', outcome: 'success', daysAgo: 1 },
      { user: bob, role: 'support', op: 'ticket.comment', outcome: 'success', daysAgo: 1 },
    ];
    vi.useFakeTimers({ toFake: ['Date'] });
    for (const [i, e] of history.entries()) {
      vi.setSystemTime(at(e.daysAgo));
      await h.db.$transaction((tx) =>
        appendAuditEvent(tx, {
          actor: { id: e.user.id, role: e.role, sessionId: null },
          correlationId: `usage-${i}`,
          operation: e.op,
          target: { type: 'User', id: 'someone' },
          outcome: e.outcome,
          policyVersion: 'policies@test',
        }),
      );
      if (e.daysAgo === 5) await refreshAuditRollups(h.db, { batchSize: 4 });
    }
    vi.setSystemTime(T);
  });

  afterAll(async () => {
    vi.useRealTimers();
    await h?.cleanup();
  });

  const find = <T extends { op: string }>(rows: T[], op: string) => {
    const row = rows.find((r) => r.op === op);
    if (!row) throw new Error(`${op} is not in the list`);
    return row;
  };
  const roleOf = (report: RoleUsageReportDTO, role: string) => report.roles.find((r) => r.role === role)!;

  async function assertReport() {
    // One person: exact last use, uses (all time, every role), used-not-granted.
    const a = await userUsage(auditor, alice.id, { days: 90 });
    expect(a.user).toMatchObject({ id: alice.id, role: 'admin', status: 'active' });
    expect(find(a.granted, 'user.suspend')).toMatchObject({ lastUsedAt: at(10), uses: 2, usedInWindow: true, lastUsedRole: 'admin' });
    expect(find(a.granted, 'user.invite')).toMatchObject({ lastUsedAt: at(200), uses: 1, usedInWindow: false });
    // A failure and a denial are attempts, not uses.
    expect(find(a.granted, 'config.apply')).toMatchObject({ lastUsedAt: null, uses: 0, usedInWindow: false });
    // Ending one's own sessions is recorded as session.revoke; it is own-account housekeeping.
    expect(find(a.granted, 'session.revoke_own')).toMatchObject({ lastUsedAt: at(5), uses: 1, ownAccount: true });
    expect(a.usedNotGranted).toEqual([
      expect.objectContaining({
        op: 'user.role_grant_privileged',
        role: 'superadmin',
        lastUsedAt: at(150),
        uses: 1,
        roles: [{ role: 'superadmin', lastUsedAt: at(150), uses: 1 }],
      }),
    ]);
    expect(a.unusedInWindow).toBe(privileges(grantedOperations('admin')).length - 1);
    expect(a.granted.map((g) => g.op)).toEqual(grantedOperations('admin').map((g) => g.op));

    // The tail above the watermark is merged with the rollup rows.
    const b = await userUsage(superadmin, bob.id, { days: 90 });
    expect(find(b.granted, 'ticket.comment')).toMatchObject({ lastUsedAt: at(1), uses: 3, usedInWindow: true });
    expect(find(b.granted, 'ticket.reveal_requester_field')).toMatchObject({ lastUsedAt: at(100), uses: 1, usedInWindow: false });
    expect(b.usedNotGranted).toEqual([]);
    // A wider window takes in the older use.
    const b120 = await userUsage(auditor, bob.id, { days: 120 });
    expect(find(b120.granted, 'ticket.reveal_requester_field').usedInWindow).toBe(true);
    expect(b120.unusedInWindow).toBe(b.unusedInWindow - 1);

    // The campaign evidence: privileges only, granted = used + unused.
    const evidence = await userUsageEvidence(h.db, alice.id, 90);
    const adminPrivileges = privileges(grantedOperations('admin')).map((g) => g.op);
    expect(evidence).toMatchObject({ role: 'admin', days: 90, granted: adminPrivileges.length, usedInWindow: 1, lastActiveAt: null });
    expect(evidence.unused).toEqual(adminPrivileges.filter((op) => op !== 'user.suspend'));
    expect(evidence.perOp.find((p) => p.op === 'user.invite')?.lastUsedAt).toEqual(at(200));
    expect(evidence.perOp.find((p) => p.op === 'config.apply')?.lastUsedAt).toBeNull();

    // Per role.
    const report = await roleUsage(auditor, { days: 90 });
    const supportRole = roleOf(report, 'support');
    const holders = await h.db.user.count({ where: { role: 'support', deletedAt: null } });
    expect(supportRole.holders).toEqual({ total: holders, active: holders });
    // bob (rolled up and in the tail) and carol: two people, not three.
    expect(find(supportRole.granted, 'ticket.comment')).toMatchObject({ lastUsedAt: at(1), usersInWindow: 2 });
    expect(find(supportRole.granted, 'ticket.reveal_requester_field')).toMatchObject({ lastUsedAt: at(100), usersInWindow: 0 });
    expect(find(supportRole.granted, 'ticket.unlock_requester')).toMatchObject({ lastUsedAt: null, usersInWindow: 0 });
    const supportPrivileges = privileges(grantedOperations('support')).map((g) => g.op);
    expect(supportRole.unusedInWindow).toEqual(supportPrivileges.filter((op) => op !== 'ticket.comment'));
    expect(supportRole.usedInWindow).toBe(1);

    const adminRole = roleOf(report, 'admin');
    expect(find(adminRole.granted, 'user.suspend')).toMatchObject({ lastUsedAt: at(10), usersInWindow: 1 });
    expect(find(adminRole.granted, 'user.invite')).toMatchObject({ lastUsedAt: at(200), usersInWindow: 0 });
    expect(adminRole.unusedInWindow).toEqual(adminPrivileges.filter((op) => op !== 'user.suspend'));
    // Alice's grant was made as a superadmin: it counts for the superadmin role, outside the window.
    const superRole = roleOf(report, 'superadmin');
    expect(find(superRole.granted, 'user.role_grant_privileged')).toMatchObject({ lastUsedAt: at(150), usersInWindow: 0 });
    expect(superRole.unusedInWindow).toContain('user.role_grant_privileged');
    const auditorRole = roleOf(report, 'auditor');
    expect(find(auditorRole.granted, 'audit.verify')).toMatchObject({ lastUsedAt: at(20), usersInWindow: 1 });
    expect(auditorRole.unusedInWindow).toEqual([
      'audit.pii_lookup',
      'elevation.end',
      'review.sign_off',
      'witness.register',
      'witness.revoke',
      'checkpoint.cosign',
    ]);
    const week = await roleUsage(auditor, { days: 7 });
    expect(roleOf(week, 'auditor').unusedInWindow).toContain('audit.verify');
    return { a, b, evidence, report };
  }

  it('gives exact last use, uses, unused and used-not-granted with a tail above the watermark', async () => {
    const { throughSeq } = await rollupWatermark(h.db);
    const head = await h.db.auditEvent.count();
    expect(throughSeq).toBeGreaterThan(0);
    expect(throughSeq).toBeLessThan(head);
    const { a, report } = await assertReport();
    expect(a.watermark.throughSeq).toBe(throughSeq);
    expect(a.watermark.tailEvents).toBe(0); // Alice's later events are a failure and a denial.
    expect(report.watermark.tailEvents).toBe(3); // bob ×2, dave's audit.view
  });

  it('gives the same answers once everything is rolled up, and the rollup equals a count over the trail', async () => {
    const before = await assertReport();
    const head = (await refreshAuditRollups(h.db)).throughSeq;
    expect(head).toBe(await h.db.auditEvent.count());
    const after = await assertReport();
    expect({ ...after.a, watermark: null }).toEqual({ ...before.a, watermark: null });
    expect({ ...after.report, watermark: null }).toEqual({ ...before.report, watermark: null });
    expect(after.report.watermark).toEqual({ throughSeq: head, tailEvents: 0 });

    const expected = await h.db.auditEvent.groupBy({
      by: ['actorId', 'operation', 'actorRole'],
      where: { outcome: 'success', actorId: { not: null }, actorRole: { not: null } },
      _count: { _all: true },
      _min: { ts: true },
      _max: { ts: true, seq: true },
    });
    const rows = await h.db.auditUsageRollup.findMany();
    const norm = (x: {
      actorId: string;
      operation: string;
      actorRole: string;
      count: number;
      firstTs: Date;
      lastTs: Date;
      lastSeq: number;
    }) => `${x.actorId}|${x.operation}|${x.actorRole}|${x.count}|${x.firstTs.toISOString()}|${x.lastTs.toISOString()}|${x.lastSeq}`;
    expect(rows.map(norm).sort()).toEqual(
      expected
        .map((e) =>
          norm({
            actorId: e.actorId!,
            operation: e.operation,
            actorRole: e.actorRole!,
            count: e._count._all,
            firstTs: e._min.ts!,
            lastTs: e._max.ts!,
            lastSeq: e._max.seq!,
          }),
        )
        .sort(),
    );

    // A rebuild clears and recounts the usage rollup too.
    await rebuildAuditRollups(h.db);
    expect((await h.db.auditUsageRollup.findMany()).map(norm).sort()).toEqual(rows.map(norm).sort());
    await assertReport();
  });

  it('lists the access reviews about a person and finds people by name or email', async () => {
    const review = await h.db.accessReview.create({
      data: {
        number: 41,
        title: 'Quarterly admin review',
        scope: JSON.stringify({ roles: ['admin'], userIds: [] }),
        dueAt: at(-10),
        createdById: superadmin.userId,
        createdAt: at(3),
        updatedAt: at(3),
        items: {
          create: {
            userId: alice.id,
            roleAtStart: 'admin',
            statusAtStart: 'active',
            decision: 'keep',
            reason: 'Still runs the on-call rota',
            decidedById: superadmin.userId,
            decidedAt: at(2),
          },
        },
      },
    });
    const items = await userReviewItems(auditor, alice.id);
    expect(items).toEqual([
      expect.objectContaining({
        review: expect.objectContaining({ id: review.id, number: 41, title: 'Quarterly admin review' }),
        decision: 'keep',
        reason: 'Still runs the on-call rota',
        reviewer: { id: superadmin.userId, name: superadmin.name },
        decidedAt: at(2),
      }),
    ]);
    expect(await userReviewItems(auditor, bob.id)).toEqual([]);
    const hits = await findUsageUsers(superadmin, alice.email.slice(0, 12).toUpperCase());
    expect(hits.map((u) => u.id)).toContain(alice.id);
  });

  it('refuses admins and support agents as if nothing were there', async () => {
    for (const viewer of [admin, support]) {
      for (const read of [
        () => userUsage(viewer, alice.id, { days: 90 }),
        () => roleUsage(viewer, { days: 90 }),
        () => userReviewItems(viewer, alice.id),
        () => findUsageUsers(viewer, 'a'),
      ]) {
        const error = await read().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ActionError);
        expect((error as ActionError).code).toBe('NOT_FOUND');
      }
    }
    // An unknown person is not found either, for those who may read usage.
    await expect(userUsage(auditor, 'no-such-user', { days: 90 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('records who opened the report, as an audit.view on the person', async () => {
    const before = await h.db.auditEvent.count();
    await h.as(auditorCaller, () => recordUsageView(auditor, { view: 'usage_user', days: 90, userId: alice.id }));
    const events = await h.db.auditEvent.findMany({ where: { seq: { gt: before } } });
    expect(events).toEqual([
      expect.objectContaining({
        actorId: auditor.userId,
        operation: 'audit.view',
        targetType: 'User',
        targetId: alice.id,
        outcome: 'success',
      }),
    ]);
    expect(JSON.parse(events[0]!.details)).toMatchObject({ view: 'usage_user', days: 90 });
    await expect(recordUsageView(admin, { view: 'usage_by_role', days: 90 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
