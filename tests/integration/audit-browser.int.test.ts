/**
 * The audit browser's data (issue 6): every filter against a seeded trail whose
 * counts are known from the generator, keyset pagination that stays stable while
 * events arrive, full-text search over reasons, the event detail, the viewer's
 * scope (auditor: everything; admin: own actions; support: nothing) and the audit
 * of the auditors. On SQLite and PostgreSQL, through the real DAL.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendAuditEvent } from '@/lib/audit';
import type { Viewer } from '@/lib/auth/viewer';
import { ActionError } from '@/lib/authz/result';
import { POLICY_VERSION } from '@/lib/policy-version';
import { parseAuditFilter, type AuditFilter } from '@/lib/validation/audit-filter';
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

const { listAuditEvents, recordAuditView, AUDIT_PAGE_SIZE } = await import('@/lib/dal/audit');
const { getAuditEventDetail } = await import('@/lib/dal/audit-event');

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const COUNT = 420;
const SPACING = 25 * MINUTE;
const OPERATIONS = ['user.role_change', 'user.suspend', 'auth.sign_in', 'auth.step_up', 'session.revoke'] as const;
const REASONS = { quarterly: 'Quarterly access review for finance', incident: 'Incident INC-42 containment' };

interface Seeded {
  seq: number;
  ts: number;
  operation: string;
  outcome: string;
  actorId: string | null;
  actorRole: string | null;
  targetType: string | null;
  targetId: string | null;
  ip: string;
  reason: string | null;
  correlationId: string;
}

describe.each(testProviders())('audit browser on %s', (provider) => {
  let h: ActionHarness;
  let admin: TestUser;
  let admin2: TestUser;
  let auditor: TestUser;
  let support: TestUser;
  let member: TestUser;
  let viewers: Record<'admin' | 'auditor' | 'support', Viewer>;
  let t0: number;
  const model: Seeded[] = [];

  /** A custom window over exactly the seeded events, in UTC wall-clock. */
  const seededWindow = () => ({
    window: 'custom',
    from: new Date(t0 + MINUTE).toISOString().slice(0, 16),
    to: new Date(t0 + COUNT * SPACING + HOUR).toISOString().slice(0, 16),
    tz: 'UTC',
  });
  const filterOf = (extra: Record<string, string>): AuditFilter => parseAuditFilter({ ...seededWindow(), ...extra });

  async function appendAt(ts: number, e: Omit<Seeded, 'seq' | 'ts'>): Promise<Seeded> {
    vi.setSystemTime(ts);
    const row = await h.db.$transaction((tx) =>
      appendAuditEvent(tx, {
        actor: e.actorId ? { id: e.actorId, role: e.actorRole!, sessionId: null } : null,
        ip: e.ip,
        userAgent: 'seed',
        correlationId: e.correlationId,
        operation: e.operation as 'auth.sign_in',
        target: e.targetType ? { type: e.targetType, id: e.targetId! } : null,
        outcome: e.outcome as 'success',
        reason: e.reason,
        policyVersion: POLICY_VERSION,
        decision: 'test.seed',
      }),
    );
    return { ...e, seq: row.seq, ts };
  }

  /** Every page of a filter, following the older-cursor, checking order and page size on the way. */
  async function allPages(viewer: Viewer, filter: AuditFilter) {
    const seqs: number[] = [];
    let before: number | undefined;
    for (let guard = 0; guard < 100; guard++) {
      const page = await listAuditEvents(viewer, filter, before ? { before } : {});
      expect(page.rows.length).toBeLessThanOrEqual(AUDIT_PAGE_SIZE);
      seqs.push(...page.rows.map((r) => r.seq));
      if (!page.olderBefore) break;
      expect(page.rows).toHaveLength(AUDIT_PAGE_SIZE);
      before = page.olderBefore;
    }
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeLessThan(seqs[i - 1]!);
    return seqs;
  }

  const expected = (pred: (e: Seeded) => boolean) =>
    model
      .filter(pred)
      .map((e) => e.seq)
      .sort((a, b) => b - a);

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'audit-browser');
    admin = await h.createUser({ role: 'admin' });
    admin2 = await h.createUser({ role: 'admin' });
    auditor = await h.createUser({ role: 'auditor' });
    support = await h.createUser({ role: 'support' });
    member = await h.createUser({ role: 'member', mfa: false });
    viewers = {
      admin: h.viewerOf(await h.signIn(admin)),
      auditor: h.viewerOf(await h.signIn(auditor)),
      support: h.viewerOf(await h.signIn(support)),
    };
    vi.useFakeTimers({ toFake: ['Date'] });
    // Seeded events come after everything the harness wrote, in time and in seq.
    t0 = Math.ceil((Date.now() + HOUR) / HOUR) * HOUR;
    const actors = [
      { id: admin.id, role: 'admin' },
      { id: admin2.id, role: 'admin' },
      { id: auditor.id, role: 'auditor' },
      { id: null, role: null },
    ];
    for (let i = 0; i < COUNT; i++) {
      const actor = actors[i % 4]!;
      model.push(
        await appendAt(t0 + (i + 1) * SPACING, {
          operation: OPERATIONS[i % OPERATIONS.length]!,
          outcome: i % 7 === 0 ? 'denied' : i % 11 === 0 ? 'failure' : 'success',
          actorId: actor.id,
          actorRole: actor.role,
          targetType: i % 3 === 0 ? 'User' : i % 3 === 1 ? 'Session' : null,
          targetId: i % 3 === 0 ? member.id : i % 3 === 1 ? `ses_${i % 10}` : null,
          ip: `203.0.113.${i % 6}`,
          reason: i % 9 === 0 ? REASONS.quarterly : i % 13 === 0 ? REASONS.incident : null,
          correlationId: `corr-${Math.floor(i / 2)}`,
        }),
      );
    }
    vi.setSystemTime(t0 + COUNT * SPACING + 2 * HOUR);
  }, 120_000);

  afterAll(async () => {
    vi.useRealTimers();
    await h?.cleanup();
  });

  it('the seeded window holds exactly the seeded events, newest first, in pages of 50', async () => {
    expect(await allPages(viewers.auditor, filterOf({}))).toEqual(expected(() => true));
  });

  it.each([
    ['operation', { operation: 'user.role_change' }, (e: Seeded) => e.operation === 'user.role_change'],
    ['outcome denied', { outcome: 'denied' }, (e: Seeded) => e.outcome === 'denied'],
    ['outcome failure', { outcome: 'failure' }, (e: Seeded) => e.outcome === 'failure'],
    ['actor role', { role: 'admin' }, (e: Seeded) => e.actorRole === 'admin'],
    ['IP address', { ip: '203.0.113.3' }, (e: Seeded) => e.ip === '203.0.113.3'],
    ['correlation id', { correlationId: 'corr-7' }, (e: Seeded) => e.correlationId === 'corr-7'],
    ['target type', { targetType: 'Session' }, (e: Seeded) => e.targetType === 'Session'],
    ['full-text (one word, any case, prefix)', { q: 'QUARTER' }, (e: Seeded) => e.reason === REASONS.quarterly],
    ['full-text (all words)', { q: 'incident inc-42' }, (e: Seeded) => e.reason === REASONS.incident],
    ['full-text with no match', { q: 'payroll' }, () => false],
    [
      'full-text and other fields',
      { q: 'access review', role: 'admin', outcome: 'success' },
      (e: Seeded) => e.reason === REASONS.quarterly && e.actorRole === 'admin' && e.outcome === 'success',
    ],
    [
      'several fields together',
      { operation: 'auth.sign_in', outcome: 'success', ip: '203.0.113.2' },
      (e: Seeded) => e.operation === 'auth.sign_in' && e.outcome === 'success' && e.ip === '203.0.113.2',
    ],
  ])('filter by %s matches exactly the seeded events', async (_name, fields, pred) => {
    expect(await allPages(viewers.auditor, filterOf(fields as Record<string, string>))).toEqual(expected(pred));
  });

  it('filters by actor id or email, and an unknown email matches nothing', async () => {
    const mine = expected((e) => e.actorId === admin2.id);
    expect(await allPages(viewers.auditor, filterOf({ actor: admin2.id }))).toEqual(mine);
    expect(await allPages(viewers.auditor, filterOf({ actor: admin2.email.toUpperCase() }))).toEqual(mine);
    expect(await allPages(viewers.auditor, filterOf({ actor: 'nobody@example.test' }))).toEqual([]);
  });

  it('filters by target type and id', async () => {
    const f = filterOf({ targetType: 'User', targetId: member.id });
    expect(await allPages(viewers.auditor, f)).toEqual(expected((e) => e.targetId === member.id));
  });

  it('a custom window is half-open [from, to) and read in the viewer’s time zone', async () => {
    const from = t0 + 100 * SPACING; // exactly event #100's time: included
    const to = t0 + 200 * SPACING; // exactly event #200's time: excluded
    const berlin = (ms: number) => {
      const local = new Date(ms + (new Date(ms).getUTCMonth() >= 3 && new Date(ms).getUTCMonth() <= 9 ? 2 : 1) * HOUR);
      return local.toISOString().slice(0, 16);
    };
    const f = parseAuditFilter({ window: 'custom', from: berlin(from), to: berlin(to), tz: 'Europe/Berlin' });
    const got = await allPages(viewers.auditor, f);
    expect(got).toEqual(expected((e) => e.ts >= from && e.ts < to));
    expect(got).toHaveLength(100);
  });

  it('presets count back from now', async () => {
    const since = Date.now() - 24 * HOUR;
    expect(await allPages(viewers.auditor, parseAuditFilter({ window: '24h', ip: '203.0.113.1' }))).toEqual(
      expected((e) => e.ts >= since && e.ip === '203.0.113.1'),
    );
  });

  it('pagination stays stable while new events arrive, and the newer-cursor finds them', async () => {
    const f = filterOf({ operation: 'auth.sign_in' });
    const first = await listAuditEvents(viewers.auditor, parseAuditFilter({ operation: 'auth.sign_in', window: 'all' }));
    expect(first.rows).toHaveLength(AUDIT_PAGE_SIZE);
    const arriving: Seeded[] = [];
    for (let i = 0; i < 5; i++) {
      arriving.push(
        await appendAt(Date.now() + (i + 1) * MINUTE, {
          operation: 'auth.sign_in',
          outcome: 'success',
          actorId: admin.id,
          actorRole: 'admin',
          targetType: null,
          targetId: null,
          ip: '198.51.100.9',
          reason: null,
          correlationId: `arrive-${i}`,
        }),
      );
    }
    vi.setSystemTime(Date.now() + HOUR);
    const second = await listAuditEvents(viewers.auditor, parseAuditFilter({ operation: 'auth.sign_in', window: 'all' }), {
      before: first.olderBefore,
    });
    const seen = [...first.rows, ...second.rows].map((r) => r.seq);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expected((e) => e.operation === 'auth.sign_in').slice(0, seen.length));
    expect(second.newerAfter).toBe(second.rows[0]!.seq);

    const newer = await listAuditEvents(viewers.auditor, parseAuditFilter({ operation: 'auth.sign_in', window: 'all' }), {
      after: first.rows[0]!.seq,
    });
    expect(newer.rows.map((r) => r.seq)).toEqual(arriving.map((e) => e.seq).reverse());
    expect(newer.newerAfter).toBeUndefined();
    expect(newer.olderBefore).toBe(arriving[0]!.seq);
    // The seeded window itself is unchanged by the arrivals.
    expect(await allPages(viewers.auditor, f)).toEqual(
      expected((e) => e.operation === 'auth.sign_in' && e.ts < t0 + COUNT * SPACING + HOUR),
    );
  });

  it('an admin sees only the events they caused; an auditor sees everyone’s; support sees nothing', async () => {
    const adminPage = await allPages(viewers.admin, filterOf({}));
    expect(adminPage).toEqual(expected((e) => e.actorId === admin.id));
    expect((await listAuditEvents(viewers.admin, filterOf({}))).scope).toBe('own_actions');
    expect((await listAuditEvents(viewers.auditor, filterOf({}))).scope).toBe('whole_trail');
    // Asking for someone else's actions is not a way around the rule.
    expect(await allPages(viewers.admin, filterOf({ actor: admin2.id }))).toEqual([]);

    const others = model.find((e) => e.actorId === admin2.id)!;
    const own = model.find((e) => e.actorId === admin.id)!;
    expect(await getAuditEventDetail(viewers.admin, others.seq)).toBeNull();
    expect((await getAuditEventDetail(viewers.admin, own.seq))?.seq).toBe(own.seq);
    expect((await getAuditEventDetail(viewers.auditor, others.seq))?.seq).toBe(others.seq);

    await expect(listAuditEvents(viewers.support, filterOf({}))).rejects.toBeInstanceOf(ActionError);
    await expect(getAuditEventDetail(viewers.support, own.seq)).rejects.toBeInstanceOf(ActionError);
  });

  it('the event detail links the same request and the same target, and explains the rule', async () => {
    const e = model.find((x) => x.targetId === member.id && x.correlationId === 'corr-3')!;
    const detail = (await getAuditEventDetail(viewers.auditor, e.seq))!;
    expect(detail.sameCorrelation.map((r) => r.seq)).toEqual(expected((x) => x.correlationId === 'corr-3' && x.seq !== e.seq));
    expect(detail.sameTarget.map((r) => r.seq)).toEqual(expected((x) => x.targetId === member.id && x.seq !== e.seq).slice(0, 20));
    expect(detail.policyVersion).toBe(POLICY_VERSION);
    expect(detail.policyChangedSince).toBe(false);
    expect(detail.decision).toBe('test.seed');
    expect(detail.people[member.id]?.name).toBe(member.name);
  });

  it('viewing is itself audited, with the filter used (audit of the auditors)', async () => {
    const caller = await h.signIn(auditor);
    const f = parseAuditFilter({ window: '30d', operation: 'user.suspend', q: 'fraud ring' });
    await h.as(caller, () =>
      recordAuditView(h.viewerOf(caller), 'browser', { filter: f, cursor: { before: 99 }, rule: 'auditor.audit_read' }),
    );
    const view = await h.db.auditEvent.findFirstOrThrow({ where: { operation: 'audit.view' }, orderBy: { seq: 'desc' } });
    expect(view.actorId).toBe(auditor.id);
    expect(view.decision).toBe('auditor.audit_read');
    expect(JSON.parse(view.details)).toEqual({
      view: 'browser',
      before: 99,
      filter: { window: '30d', operation: 'user.suspend', q: 'fraud ring' },
    });
  });
});
