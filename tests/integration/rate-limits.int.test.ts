import { randomUUID } from 'node:crypto';
import { NextRequest } from 'next/server';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { beginStepUpAction } from '@/app/(console)/_actions/begin-step-up';
import { completeStepUpAction } from '@/app/(console)/_actions/complete-step-up';
import { beginPasskeySignInAction } from '@/app/(auth)/sign-in/_actions/begin-passkey-sign-in';
import { revokeAllSessionsAction } from '@/app/(console)/incidents/_actions/revoke-all-sessions';
import { revokeUserSessionsAction } from '@/app/(console)/users/_actions/revoke-user-sessions';
import { GET as exportEvents } from '@/app/api/audit/events/export/route';
import { GET as exportBundle } from '@/app/api/audit/bundle/route';
import { appendAuditEvent } from '@/lib/audit/append';
import { ipRateLimitKey } from '@/lib/auth/throttle';
import {
  CLOCK_SKEW_MS,
  consumeOperationLimit,
  enforceOperationLimit,
  exportSlotIds,
  OPERATION_LIMITS,
  tryAcquireExportSlot,
} from '@/lib/dal/operation-limits';
import { createDb, type DbHandle } from '@/lib/db/client';
import { env } from '@/lib/env';
import { EXPORT_CONCURRENCY } from '@/policies/limits';
import { ActionHarness, type Caller } from '../helpers/action-harness';
import { runInRequestScope } from '../helpers/request-scope';
import { testProviders } from '../helpers/test-db';

vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('WARDEN_AUDIT_PUBLIC_KEYS_FILE', '/nonexistent/warden-rate-limits-test/public-keys.json');
  vi.stubEnv('LOG_LEVEL', 'silent');
});
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const REASON = 'T48: bulk operation called in a loop';

type GlobalDb = { wardenDb?: Promise<DbHandle> };

/**
 * T48: rate limits everywhere the issue names, per person, per client address and
 * global, held in the database (so across instances), every hit audited as a
 * denial with reasonCode rate_limited and details {limit, scope, retryAt}; and
 * bounded concurrency of exports (two slots, leased in MonitorState).
 */
describe.each(testProviders())('T48 rate limits on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 't48rl');
    for (let n = 1; n <= 3; n++) {
      await h.db.$transaction((tx) =>
        appendAuditEvent(tx, {
          actor: null,
          ip: null,
          userAgent: 'rate limits test',
          correlationId: `seed-${n}`,
          operation: 'user.suspend',
          target: { type: 'User', id: `usr_${n}` },
          outcome: 'success',
          details: { n },
          policyVersion: 'test',
        }),
      );
    }
  }, 60_000);
  afterAll(async () => {
    await h?.cleanup();
  });
  // A test that fails with a download still open must not leave its slot to the next one.
  afterEach(async () => {
    await h.db.monitorState.updateMany({ where: { id: { in: exportSlotIds() } }, data: { leaseUntil: null, leaseOwner: null } });
  });

  const viewerOf = (c: Caller) => ({ userId: c.user!.id, role: c.user!.role, sessionId: c.sessionId });
  const detailsOf = (e: { details: unknown }) =>
    (typeof e.details === 'string' ? JSON.parse(e.details) : e.details) as Record<string, unknown>;
  const counter = async (key: string) => (await h.db.rateLimit.findUnique({ where: { key } }))?.count ?? 0;
  const leasedSlots = () =>
    h.db.monitorState.count({ where: { id: { in: exportSlotIds() }, leaseOwner: { not: null }, leaseUntil: { gt: new Date() } } });
  const denialsOf = (actorId: string, operation: string) =>
    h.db.auditEvent.findMany({ where: { actorId, operation, outcome: 'denied', reasonCode: 'rate_limited' }, orderBy: { seq: 'asc' } });

  function download(caller: Caller, which: 'events' | 'bundle'): Promise<Response> {
    const scope = h.scope(caller, randomUUID(), {});
    const origin = new URL(env().APP_URL).origin;
    const url = which === 'events' ? `${origin}/api/audit/events/export?format=jsonl&window=1h` : `${origin}/api/audit/bundle?from=1&to=3`;
    return runInRequestScope(scope, () =>
      which === 'events'
        ? exportEvents(new Request(url, { headers: scope.headers }))
        : exportBundle(new NextRequest(url, { headers: scope.headers })),
    );
  }

  it('T48 1000 bulk-revoke calls in a burst from one admin: exactly the limit get through, the rest are refused and audited', async () => {
    const admin = await h.caller('superadmin');
    const target = await h.caller('member');
    const input = { id: target.user!.id, reason: REASON };
    const limit = OPERATION_LIMITS['user.revoke_sessions'].person.limit;
    const viewer = viewerOf(admin);
    const enforce = () => h.as(admin, () => enforceOperationLimit(viewer, 'user.revoke_sessions'));

    // The bulk through the cheap path (what defineAction runs first), the boundary through the real action.
    for (let i = 0; i < limit - 1; i++) expect(await enforce()).toBeNull();
    expect((await h.call(admin, revokeUserSessionsAction, input)).result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });
    const refused = await h.call(admin, revokeUserSessionsAction, input);
    expect(refused.result).toMatchObject({ ok: false, code: 'RATE_LIMITED', message: expect.stringMatching(/Try again after \d\d:\d\d/) });
    const [event] = await h.eventsOf(refused.correlationId);
    expect(event).toMatchObject({
      actorId: admin.user!.id,
      operation: 'user.revoke_sessions',
      outcome: 'denied',
      reasonCode: 'rate_limited',
    });
    expect(detailsOf(event!)).toMatchObject({ scope: 'person', limit, retryAt: expect.any(String) });
    // Even with a valid proof nothing happens while limited.
    const proof = await h.stepUpProof(admin, 'user.revoke_sessions', input);
    expect((await h.call(admin, revokeUserSessionsAction, input, { stepUpProof: proof })).result).toMatchObject({ code: 'RATE_LIMITED' });

    const rest = 1000 - limit - 2;
    for (let done = 0; done < rest; done += 50) {
      const burst = await Promise.all(Array.from({ length: Math.min(50, rest - done) }, enforce));
      for (const r of burst) expect(r).toMatchObject({ scope: 'person', limit, message: expect.stringContaining('Try again after') });
    }
    expect(await counter(`op:user.revoke_sessions:${admin.user!.id}`)).toBe(1000);
    expect(await denialsOf(admin.user!.id, 'user.revoke_sessions')).toHaveLength(1000 - limit);
    // Refused attempts did not use up the address's budget, and the target kept its session.
    expect(await counter(`op:user.revoke_sessions:ip:${admin.peer}`)).toBe(limit);
    expect(await h.liveSessions(target.user!.id)).toBe(1);
  }, 60_000);

  it('T48 two people behind one address share its limit; another address is not affected', async () => {
    const shared = '203.0.113.77';
    const [a, b, c] = [
      { ...(await h.caller('superadmin')), peer: shared },
      { ...(await h.caller('superadmin')), peer: shared },
      { ...(await h.caller('superadmin')), peer: shared },
    ];
    const elsewhere = await h.caller('superadmin');
    const spec = OPERATION_LIMITS['session.revoke_all'];
    expect(spec.ip.limit).toBe(2 * spec.person.limit);
    for (const who of [a, b]) {
      for (let i = 0; i < spec.person.limit; i++) {
        expect((await h.call(who, revokeAllSessionsAction, { reason: REASON })).result).toMatchObject({ code: 'STEP_UP_REQUIRED' });
      }
    }
    const refused = await h.call(c, revokeAllSessionsAction, { reason: REASON });
    expect(refused.result).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('Try again after') });
    const [event] = await h.eventsOf(refused.correlationId);
    expect(event).toMatchObject({ actorId: c.user!.id, outcome: 'denied', reasonCode: 'rate_limited' });
    expect(detailsOf(event!)).toMatchObject({ scope: 'ip', limit: spec.ip.limit });
    // c's own budget is untouched: the refusal came from the address.
    expect(await counter(`op:session.revoke_all:${c.user!.id}`)).toBe(0);
    expect((await h.call(elsewhere, revokeAllSessionsAction, { reason: REASON })).result).toMatchObject({ code: 'STEP_UP_REQUIRED' });
    // Everyone's sessions are still live.
    expect(await h.liveSessions(elsewhere.user!.id)).toBe(1);
  });

  it('T48 step-up begins beyond the limit are refused and audited; completing counts too', async () => {
    const admin = await h.caller('admin');
    const target = await h.createUser({ role: 'member' });
    const stepUpInput = { operation: 'user.revoke_sessions', input: { id: target.id, reason: REASON } };
    const limit = OPERATION_LIMITS['auth.step_up'].person.limit;
    for (let i = 0; i < limit - 1; i++) expect(await h.as(admin, () => enforceOperationLimit(viewerOf(admin), 'auth.step_up'))).toBeNull();
    expect((await h.call(admin, beginStepUpAction, stepUpInput)).result).toMatchObject({ ok: true, data: { method: 'totp' } });
    const refused = await h.call(admin, beginStepUpAction, stepUpInput);
    expect(refused.result).toMatchObject({ ok: false, code: 'RATE_LIMITED', message: expect.stringContaining('Try again after') });
    expect(await h.eventsOf(refused.correlationId)).toEqual([
      expect.objectContaining({ operation: 'auth.step_up', outcome: 'denied', reasonCode: 'rate_limited' }),
    ]);
    const completion = await h.call(admin, completeStepUpAction, {
      ...stepUpInput,
      evidence: { method: 'totp', challengeId: 'a'.repeat(43), code: '000000' },
    });
    expect(completion.result).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    // A refused completion verifies nothing, so it is not an account failure either.
    expect((await h.userState(admin.user!.id)).failedLoginCount).toBe(0);
  });

  it('T48 the anonymous passkey sign-in start is limited per address, audited, and refused from a blocked address', async () => {
    const anon = { ...h.anonymous(), peer: '198.18.0.9' };
    const spec = OPERATION_LIMITS['auth.passkey_sign_in_start'];
    for (let i = 0; i < spec.ip.limit - 1; i++) {
      expect((await consumeOperationLimit(null, 'auth.passkey_sign_in_start', { ip: anon.peer })).allowed).toBe(true);
    }
    expect((await h.call(anon, beginPasskeySignInAction, { mode: 'usernameless' })).result).toMatchObject({ ok: true });
    const refused = await h.call(anon, beginPasskeySignInAction, { mode: 'usernameless' });
    expect(refused.result).toMatchObject({ ok: false, code: 'RATE_LIMITED', message: expect.stringContaining('Try again after') });
    const [event] = await h.eventsOf(refused.correlationId);
    expect(event).toMatchObject({ actorId: null, operation: 'auth.sign_in', outcome: 'denied', reasonCode: 'rate_limited' });
    expect(detailsOf(event!)).toMatchObject({ scope: 'ip', limit: spec.ip.limit, limitId: 'auth.passkey_sign_in_start' });
    // Another address is not affected …
    expect((await h.call(h.anonymous(), beginPasskeySignInAction, { mode: 'usernameless' })).result).toMatchObject({ ok: true });
    // … unless the sign-in throttle has blocked it (failed passwords): then no ceremony starts either.
    const blocked = h.anonymous();
    await h.db.rateLimit.create({
      data: { key: ipRateLimitKey(blocked.peer), count: 20, windowStart: new Date(), blockedUntil: new Date(Date.now() + 600_000) },
    });
    const fromBlocked = await h.call(blocked, beginPasskeySignInAction, { mode: 'usernameless' });
    expect(fromBlocked.result).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    expect(detailsOf((await h.eventsOf(fromBlocked.correlationId))[0]!)).toMatchObject({ scope: 'ip' });
  });

  it('T48 a window another instance started a moment later is the same window; one started far ahead (clock set back) starts over', async () => {
    const userId = `skew-${randomUUID()}`;
    const key = `op:session.revoke_all:${userId}`;
    const limit = OPERATION_LIMITS['session.revoke_all'].person.limit;
    // A concurrent attempt whose clock read a few seconds later created the window and used it up.
    await h.db.rateLimit.create({ data: { key, count: limit, windowStart: new Date(Date.now() + 5_000) } });
    expect((await consumeOperationLimit(userId, 'session.revoke_all', { ip: null })).allowed).toBe(false);
    expect(await counter(key)).toBe(limit + 1); // refused attempts count too, in the same window
    // A window that starts beyond the allowed skew can only come from a clock set back: it starts over.
    await h.db.rateLimit.update({ where: { key }, data: { windowStart: new Date(Date.now() + CLOCK_SKEW_MS + 60_000) } });
    expect((await consumeOperationLimit(userId, 'session.revoke_all', { ip: null })).allowed).toBe(true);
    expect(await counter(key)).toBe(1);
  });

  it('T48 many parallel attempts on one fresh key are all counted (none restarts the window another just opened)', async () => {
    const userId = `burst-${randomUUID()}`;
    const limit = OPERATION_LIMITS['session.revoke_all'].person.limit;
    const decisions = await Promise.all(
      Array.from({ length: 12 }, () => consumeOperationLimit(userId, 'session.revoke_all', { ip: null })),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(limit);
    expect(await counter(`op:session.revoke_all:${userId}`)).toBe(12);
  });

  it('T48 exports have a global limit across users (events and bundles share it)', async () => {
    const global = OPERATION_LIMITS['audit.export_events'].global;
    for (let i = 0; i < global.limit; i++) {
      expect((await consumeOperationLimit(`someone-${i}`, 'audit.export_events', { ip: null })).allowed).toBe(true);
    }
    const auditor = await h.caller('auditor');
    for (const which of ['events', 'bundle'] as const) {
      const res = await download(auditor, which);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await res.text()).toMatch(/by everyone together: at most 60 in 1 hour\. Try again after/);
    }
    const hits = [...(await denialsOf(auditor.user!.id, 'audit.export_events')), ...(await denialsOf(auditor.user!.id, 'audit.export'))];
    expect(hits.map(detailsOf)).toEqual([
      expect.objectContaining({ scope: 'global', limit: global.limit }),
      expect.objectContaining({ scope: 'global', limit: global.limit }),
    ]);
    // The auditor's own and the address's budgets are untouched.
    expect(await counter(`op:audit.export_events:${auditor.user!.id}`)).toBe(0);
    expect(await counter(`op:audit.export_events:ip:${auditor.peer}`)).toBe(0);
    await h.db.rateLimit.delete({ where: { key: 'op:exports:global' } });
  });

  it('T48 10 parallel exports: at most 2 stream at once, the others get 429 with Retry-After; slots free when streams end or are cancelled', async () => {
    const auditors = await Promise.all(Array.from({ length: 10 }, () => h.caller('auditor')));
    const started = Date.now();
    const responses = await Promise.all(auditors.map((a, i) => download(a, i % 2 ? 'bundle' : 'events')));
    const open = responses.filter((r) => r.status === 200);
    const busy = responses.filter((r) => r.status === 429);
    expect(open).toHaveLength(EXPORT_CONCURRENCY.slots);
    expect(busy).toHaveLength(10 - EXPORT_CONCURRENCY.slots);
    // The refused ones waited for a slot before giving up.
    expect(Date.now() - started).toBeGreaterThanOrEqual(EXPORT_CONCURRENCY.waitMs - 500);
    for (const res of busy) {
      expect(res.headers.get('retry-after')).toBe(String(EXPORT_CONCURRENCY.retryAfterSeconds));
      expect(await res.text()).toContain('Try again in');
    }
    // While the two downloads are open, both slots are held.
    expect(await leasedSlots()).toBe(2);
    const hits = await h.db.auditEvent.findMany({
      where: { outcome: 'denied', reasonCode: 'rate_limited', actorId: { in: auditors.map((a) => a.user!.id) } },
    });
    expect(hits).toHaveLength(8);
    for (const hit of hits) expect(detailsOf(hit)).toMatchObject({ scope: 'global', limit: 2, concurrency: true });
    // A refusal for want of a slot does not use up the export limits.
    expect(await counter('op:exports:global')).toBe(2);

    // A client that aborts its download frees its slot at once.
    await open[0]!.body!.cancel();
    await vi.waitFor(async () => expect(await leasedSlots()).toBe(1));
    // … so the next export starts without waiting.
    const retry = await download(auditors[responses.indexOf(busy[0]!)]!, 'events');
    expect(retry.status).toBe(200);
    expect(await leasedSlots()).toBe(2);
    // Read to the end: the slots are released.
    await Promise.all([open[1]!.arrayBuffer(), retry.text()]);
    await vi.waitFor(async () => expect(await leasedSlots()).toBe(0));
  }, 60_000);

  it('T48 the bundle download releases its slot when the client aborts mid-stream', async () => {
    const auditor = await h.caller('auditor');
    const res = await download(auditor, 'bundle');
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    expect(await leasedSlots()).toBe(1);
    await reader.cancel();
    await vi.waitFor(async () => expect(await leasedSlots()).toBe(0));
  });

  it('T48 limits and export slots hold across instances (two Prisma clients on one database)', async () => {
    const g = globalThis as GlobalDb;
    const first = g.wardenDb!;
    const second = createDb({ url: h.testDb.url });
    const on = <T>(handle: Promise<DbHandle>, work: () => Promise<T>): Promise<T> => {
      g.wardenDb = handle;
      return work(); // the DAL picks its client synchronously, at the call
    };
    try {
      const userId = `instances-${randomUUID()}`;
      const limit = OPERATION_LIMITS['session.revoke_all'].person.limit;
      // PostgreSQL: the two instances race. SQLite: two clients in one process cannot
      // interleave write transactions (the driver waits synchronously for the file lock),
      // so they take turns; two processes would simply wait for each other.
      const attempt = (i: number) => on(i % 2 ? second : first, () => consumeOperationLimit(userId, 'session.revoke_all', { ip: null }));
      const decisions =
        provider === 'postgres'
          ? await Promise.all(Array.from({ length: 10 }, (_, i) => attempt(i)))
          : await Array.from({ length: 10 }, (_, i) => i).reduce<Promise<Awaited<ReturnType<typeof attempt>>[]>>(
              async (acc, i) => [...(await acc), await attempt(i)],
              Promise.resolve([]),
            );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(limit);
      expect(await counter(`op:session.revoke_all:${userId}`)).toBe(10);

      const a = await on(first, tryAcquireExportSlot);
      const b = await on(second, tryAcquireExportSlot);
      expect(a && b && a.id !== b.id).toBe(true);
      expect(await on(first, tryAcquireExportSlot)).toBeNull();
      expect(await on(second, tryAcquireExportSlot)).toBeNull();
      await on(first, () => a!.release());
      const c = await on(second, tryAcquireExportSlot);
      expect(c?.id).toBe(a!.id);
      // An instance that died with a slot: its lease runs out and the slot is free again.
      await h.db.monitorState.update({ where: { id: b!.id }, data: { leaseUntil: new Date(Date.now() - 1000) } });
      const d = await on(first, tryAcquireExportSlot);
      expect(d?.id).toBe(b!.id);
      // The dead owner's late release does not free the new holder's slot.
      await on(second, () => b!.release());
      expect(await leasedSlots()).toBe(2);
      await on(first, () => Promise.all([c!.release(), d!.release()]));
      expect(await leasedSlots()).toBe(0);
    } finally {
      g.wardenDb = first;
      await (await second).db.$disconnect();
    }
  });
});
