import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { revokeAllSessionsAction } from '@/app/(console)/incidents/_actions/revoke-all-sessions';
import { GET } from '@/app/api/audit/events/export/route';
import { OPERATION_LIMITS } from '@/lib/dal/operation-limits';
import { env } from '@/lib/env';
import { ActionHarness, type Caller } from '../helpers/action-harness';
import { runInRequestScope } from '../helpers/request-scope';
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

const REASON = 'T48: containment called in a loop';

/**
 * T48: wide containment and exports are limited per person, in the database (so
 * the limit holds across instances); a hit changes nothing, is audited as a
 * denial with reasonCode rate_limited, and does not affect anyone else.
 */
describe.each(testProviders())('T48 operation limits on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 't48');
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it('T48 ending every session is refused after 3 attempts in 10 minutes, for that person only, and again allowed after the window', async () => {
    const sa = await h.caller('superadmin');
    const other = await h.caller('superadmin');
    const bystander = await h.caller('member');
    const limit = OPERATION_LIMITS['session.revoke_all'].person.limit;
    for (let i = 0; i < limit; i++) {
      const { result } = await h.call(sa, revokeAllSessionsAction, { reason: REASON });
      expect(result).toMatchObject({ ok: false, code: 'STEP_UP_REQUIRED' });
    }
    const { result, correlationId } = await h.call(sa, revokeAllSessionsAction, { reason: REASON });
    expect(result).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    expect((await h.eventsOf(correlationId)).filter((e) => e.operation === 'session.revoke_all')).toEqual([
      expect.objectContaining({ actorId: sa.user!.id, outcome: 'denied', reasonCode: 'rate_limited' }),
    ]);
    // Even with a valid proof nothing happens while limited.
    const proof = await h.stepUpProof(sa, 'session.revoke_all', { reason: REASON });
    expect((await h.call(sa, revokeAllSessionsAction, { reason: REASON }, { stepUpProof: proof })).result).toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(await h.liveSessions(bystander.user!.id)).toBe(1);
    // Another person is not affected.
    expect((await h.call(other, revokeAllSessionsAction, { reason: REASON })).result).toMatchObject({ code: 'STEP_UP_REQUIRED' });
    // After the window the person may act again.
    await h.db.rateLimit.update({
      where: { key: `op:session.revoke_all:${sa.user!.id}` },
      data: { windowStart: new Date(Date.now() - 11 * 60_000) },
    });
    expect((await h.call(sa, revokeAllSessionsAction, { reason: REASON })).result).toMatchObject({ code: 'STEP_UP_REQUIRED' });
  });

  it('T48 audit exports are limited per person per hour: the next one is 429, audited, with Retry-After', async () => {
    const auditor = await h.caller('auditor');
    const get = (caller: Caller) => {
      const scope = h.scope(caller, randomUUID(), {});
      const url = `${new URL(env().APP_URL).origin}/api/audit/events/export?format=jsonl&window=1h`;
      return runInRequestScope(scope, () => GET(new Request(url, { headers: scope.headers })));
    };
    const limit = OPERATION_LIMITS['audit.export_events'].person.limit;
    // One after another: only two exports stream at once (rate-limits.int.test.ts covers that).
    for (let i = 0; i < limit; i++) {
      const res = await get(auditor);
      expect(res.status).toBe(200);
      await res.text();
    }
    const refused = await get(auditor);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('cache-control')).toContain('no-store');
    const hits = await h.db.auditEvent.findMany({
      where: { actorId: auditor.user!.id, operation: 'audit.export_events', outcome: 'denied' },
    });
    expect(hits).toEqual([expect.objectContaining({ reasonCode: 'rate_limited' })]);
    // Exactly `limit` exports were made.
    expect(
      await h.db.auditEvent.count({ where: { actorId: auditor.user!.id, operation: 'audit.export_events', outcome: 'success' } }),
    ).toBe(limit);
  });
});
