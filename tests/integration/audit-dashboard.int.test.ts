import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendAuditEvent, type AuditOperation } from '@/lib/audit';
import { rebuildAuditRollups, refreshAuditRollups, rollupWatermark } from '@/lib/audit/rollup';
import type { Viewer } from '@/lib/auth/viewer';
import { ActionError } from '@/lib/authz/result';
import { auditDashboard, type AuditDashboardDTO } from '@/lib/dal/audit-dashboard';
import type { Db } from '@/lib/db';
import { parseAuditFilter, resolveWindow } from '@/lib/validation/audit-filter';
import { bucketHref } from '@/app/(console)/audit/dashboard/_components/drill-down';
import { ActionHarness, type TestUser } from '../helpers/action-harness';
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

const HOUR = 3_600_000;
const OPERATIONS: AuditOperation[] = [
  'auth.sign_in',
  'auth.sign_in',
  'auth.sign_in',
  'auth.second_factor',
  'auth.step_up',
  'auth.sign_out',
  'user.suspend',
  'user.role_change',
  'session.revoke',
  'audit.view',
  'user.invite',
  'user.delete',
  'account.password_change',
  'audit.export_events',
];
const OUTCOMES = ['success', 'success', 'denied', 'failure'] as const;
const TARGETS = ['User', 'Session', null, 'AuditTrail'] as const;

/** A deterministic pseudo-random sequence (LCG), so the dataset and its counts are the same on every run. */
function rng(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s % n;
  };
}

/** A dataset of events at known times: `count` events spread over ~5 days after `base`, gaps of 0–40 minutes. */
function dataset(base: number, count: number, actors: TestUser[]) {
  const next = rng(42);
  let t = base;
  return Array.from({ length: count }, (_, i) => {
    t += next(40) * 60_000 + next(60_000);
    const actor = next(7) === 0 ? null : actors[next(actors.length)]!;
    const target = TARGETS[next(TARGETS.length)]!;
    return {
      at: t,
      input: {
        actor: actor ? { id: actor.id, role: actor.role, sessionId: null } : null,
        correlationId: `dash-${i}`,
        operation: OPERATIONS[next(OPERATIONS.length)]!,
        target: target ? { type: target, id: `t-${next(5)}` } : null,
        outcome: OUTCOMES[next(OUTCOMES.length)]!,
        policyVersion: 'policies@test',
      },
    };
  });
}

/** The same numbers, straight from AuditEvent with count/groupBy (no rollups, no dashboard code). */
async function assertExact(client: Db, dash: AuditDashboardDTO) {
  const ts = (start: Date, end: Date | null) => ({ ts: end ? { gte: start, lt: end } : { gte: start } });
  const window = ts(dash.from!, dash.to);
  expect(dash.totals.events).toBe(await client.auditEvent.count({ where: window }));
  expect(dash.totals.denied).toBe(await client.auditEvent.count({ where: { ...window, outcome: 'denied' } }));
  expect(dash.totals.failures).toBe(await client.auditEvent.count({ where: { ...window, outcome: 'failure' } }));
  expect(dash.totals.stepUps).toBe(await client.auditEvent.count({ where: { ...window, operation: 'auth.step_up' } }));

  const ops = await client.auditEvent.groupBy({ by: ['operation', 'outcome'], where: window, _count: { _all: true } });
  const perOp = new Map<string, Record<string, number>>();
  for (const r of ops) perOp.set(r.operation, { ...perOp.get(r.operation), [r.outcome]: r._count._all });
  const named = dash.byOperation.filter((r) => r.operation !== null);
  expect(named.length).toBe(Math.min(8, perOp.size));
  for (const r of named) expect(r.outcomes).toEqual(perOp.get(r.operation!));
  const other = dash.byOperation.find((r) => r.operation === null);
  expect(other?.total ?? 0).toBe(dash.totals.events - named.reduce((a, r) => a + r.total, 0));
  expect(dash.stepUps).toEqual(perOp.get('auth.step_up') ?? {});

  const targets = await client.auditEvent.groupBy({ by: ['targetType'], where: window, _count: { _all: true } });
  expect(Object.fromEntries(dash.byTargetType.map((r) => [r.targetType, r.count]))).toEqual(
    Object.fromEntries(targets.map((r) => [r.targetType ?? '', r._count._all])),
  );

  const actors = await client.auditEvent.groupBy({ by: ['actorId', 'actorRole'], where: window, _count: { _all: true } });
  const denied = await client.auditEvent.groupBy({
    by: ['actorId', 'actorRole'],
    where: { ...window, outcome: 'denied' },
    _count: { _all: true },
  });
  const expectedActors = actors
    .map((a) => ({
      actorId: a.actorId ?? '',
      actorRole: a.actorRole ?? '',
      count: a._count._all,
      denied: denied.find((d) => d.actorId === a.actorId && d.actorRole === a.actorRole)?._count._all ?? 0,
    }))
    .sort((a, b) => b.count - a.count || a.actorId.localeCompare(b.actorId) || a.actorRole.localeCompare(b.actorRole))
    .slice(0, 10);
  expect(dash.topActors.map(({ actorId, actorRole, count, denied: d }) => ({ actorId, actorRole, count, denied: d }))).toEqual(
    expectedActors,
  );

  // Buckets tile the window; each bucket's numbers match a groupBy over its own time range.
  for (const [i, b] of dash.buckets.entries()) {
    const last = i === dash.buckets.length - 1;
    const where = ts(b.start, last ? dash.to : b.end);
    const rows = await client.auditEvent.groupBy({ by: ['actorRole', 'operation', 'outcome'], where, _count: { _all: true } });
    const sum = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).reduce((a, r) => a + r._count._all, 0);
    for (const s of dash.byRole) expect([i, s.role, s.counts[i]]).toEqual([i, s.role, sum((r) => (r.actorRole ?? '') === s.role)]);
    expect(dash.byRole.reduce((a, s) => a + s.counts[i]!, 0)).toBe(sum(() => true));
    expect(dash.denied[i]).toBe(sum((r) => r.outcome === 'denied'));
    for (const s of dash.signInFailures) expect(s.counts[i]).toBe(sum((r) => r.operation === s.operation && r.outcome === s.outcome));
  }
}

describe.each(testProviders())('activity dashboards (%s)', (provider) => {
  let h: ActionHarness;
  let auditor: Viewer;
  let superadmin: Viewer;
  let admin: Viewer;
  let support: Viewer;
  let base: number;
  let lastAt: number;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'dash');
    const users = {
      auditor: await h.createUser({ role: 'auditor' }),
      superadmin: await h.createUser({ role: 'superadmin' }),
      admin: await h.createUser({ role: 'admin' }),
      support: await h.createUser({ role: 'support' }),
      member: await h.createUser({ role: 'member', mfa: false }),
    };
    auditor = h.viewerOf(await h.signIn(users.auditor));
    superadmin = h.viewerOf(await h.signIn(users.superadmin));
    admin = h.viewerOf(await h.signIn(users.admin));
    support = h.viewerOf(await h.signIn(users.support));

    // Events from a known, later start (ts never decreases along the chain, so after anything already there).
    base = Math.ceil(Date.now() / 86_400_000 + 1) * 86_400_000 + 7 * 60_000 + 13_000;
    const events = dataset(base, 320, Object.values(users));
    vi.useFakeTimers({ toFake: ['Date'] });
    for (const [i, e] of events.entries()) {
      vi.setSystemTime(e.at);
      await h.db.$transaction((tx) => appendAuditEvent(tx, e.input));
      // Part way: roll up what is there, so later events sit above the watermark.
      if (i === 199) await refreshAuditRollups(h.db, { batchSize: 37 });
    }
    lastAt = events[events.length - 1]!.at;
    vi.setSystemTime(lastAt + 5 * 60_000);
  });

  afterEach(() => vi.setSystemTime(lastAt + 5 * 60_000));

  afterAll(async () => {
    vi.useRealTimers();
    await h?.cleanup();
  });

  const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);
  const windows = () => [
    {
      name: 'custom, minutes not on the hour (UTC), hourly',
      params: { window: 'custom', from: local(base + 5 * HOUR + 17 * 60_000), to: local(base + 29 * HOUR + 43 * 60_000), tz: 'UTC' },
    },
    {
      name: 'custom over days in Asia/Kolkata (+05:30), daily',
      params: {
        window: 'custom',
        from: local(base + 3 * HOUR + 31 * 60_000),
        to: local(base + 90 * HOUR + 11 * 60_000),
        tz: 'Asia/Kolkata',
      },
    },
    {
      name: 'custom over days in America/New_York, daily',
      params: { window: 'custom', from: local(base - 2 * HOUR), to: local(base + 70 * HOUR + 59 * 60_000), tz: 'America/New_York' },
    },
    { name: 'custom with no end', params: { window: 'custom', from: local(base + 40 * HOUR + 1 * 60_000), tz: 'Asia/Kathmandu' } },
    { name: 'last 24 hours', params: { window: '24h' } },
    { name: 'last 7 days, Asia/Kolkata', params: { window: '7d', tz: 'Asia/Kolkata' } },
    { name: 'all time', params: { window: 'all' } },
  ];

  it('counts exactly what the event table holds, with events above the rollup watermark', async () => {
    const { throughSeq } = await rollupWatermark(h.db);
    const head = await h.db.auditEvent.count();
    expect(throughSeq).toBeGreaterThan(0);
    expect(throughSeq).toBeLessThan(head);
    for (const w of windows()) {
      const dash = await auditDashboard(auditor, parseAuditFilter(w.params));
      expect(dash.watermark.throughSeq, w.name).toBe(throughSeq);
      expect(dash.totals.events, w.name).toBeGreaterThan(0);
      await assertExact(h.db, dash);
    }
    const week = await auditDashboard(superadmin, parseAuditFilter({ window: '7d' }));
    expect(week.granularity).toBe('day');
    expect(week.totals.events).toBe(
      await h.db.auditEvent.count({ where: { ts: { gte: new Date(lastAt + 5 * 60_000 - 7 * 86_400_000) } } }),
    );
  });

  it('gives the same numbers after a full refresh, and a second refresh counts nothing twice', async () => {
    const before = await Promise.all(windows().map((w) => auditDashboard(auditor, parseAuditFilter(w.params))));
    const first = await refreshAuditRollups(h.db);
    const head = await h.db.auditEvent.count();
    expect(first.throughSeq).toBe(head);
    const second = await refreshAuditRollups(h.db);
    expect(second).toEqual({ throughSeq: head, counted: 0 });
    const rolled = await h.db.auditRollup.aggregate({ _sum: { count: true } });
    const actorRolled = await h.db.auditActorRollup.aggregate({ _sum: { count: true, denied: true } });
    expect(rolled._sum.count).toBe(head);
    expect(actorRolled._sum.count).toBe(head);
    expect(actorRolled._sum.denied).toBe(await h.db.auditEvent.count({ where: { outcome: 'denied' } }));
    for (const [i, w] of windows().entries()) {
      const after = await auditDashboard(auditor, parseAuditFilter(w.params));
      expect(after.watermark.throughSeq).toBe(head);
      expect({ ...after, watermark: null }, w.name).toEqual({ ...before[i], watermark: null });
      await assertExact(h.db, after);
    }
  });

  it('rebuilds from scratch and stays exact when two refreshers run at once', async () => {
    const head = await h.db.auditEvent.count();
    await h.db.auditRollupState.update({ where: { id: 1 }, data: { throughSeq: 0 } });
    await h.db.auditRollup.deleteMany({});
    await h.db.auditActorRollup.deleteMany({});
    await Promise.all([refreshAuditRollups(h.db, { batchSize: 50 }), refreshAuditRollups(h.db, { batchSize: 23 })]);
    expect((await h.db.auditRollup.aggregate({ _sum: { count: true } }))._sum.count).toBe(head);
    const rebuilt = await rebuildAuditRollups(h.db);
    expect(rebuilt).toEqual({ throughSeq: head, counted: head });
    expect((await h.db.auditActorRollup.aggregate({ _sum: { count: true } }))._sum.count).toBe(head);
    for (const w of windows()) await assertExact(h.db, await auditDashboard(auditor, parseAuditFilter(w.params)));
  });

  it('drills down from a bar to exactly the events it counts', async () => {
    for (const w of windows().slice(0, 3)) {
      const filter = parseAuditFilter(w.params);
      const dash = await auditDashboard(auditor, filter);
      for (const [i, bucket] of dash.buckets.entries()) {
        const href = bucketHref(filter, bucket, false, { outcome: 'denied' });
        const target = parseAuditFilter(Object.fromEntries(new URLSearchParams(href.split('?')[1])));
        const { from, to } = resolveWindow(target, new Date());
        expect(target.outcome).toBe('denied');
        const n = await h.db.auditEvent.count({ where: { outcome: 'denied', ts: { gte: from!, lt: to! } } });
        expect([w.name, i, n]).toEqual([w.name, i, dash.denied[i]]);
      }
    }
  });

  it('refuses admins and support (not found)', async () => {
    for (const viewer of [admin, support]) {
      const refused = await auditDashboard(viewer, parseAuditFilter({ window: '7d' })).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ActionError);
      expect((refused as ActionError).code).toBe('NOT_FOUND');
    }
  });
});
