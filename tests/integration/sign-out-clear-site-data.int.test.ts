import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signOutAction } from '@/app/(console)/_actions/sign-out';
import { POST as signedOut } from '@/app/api/auth/signed-out/route';
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

const CLEAR = '"cache", "cookies", "storage"';

/**
 * SECURITY.md T18, the browser half: sign-out ends with Clear-Site-Data from
 * POST /api/auth/signed-out, which only the console's own pages may call, and
 * which never lets the browser forget a session the server still honours.
 */
describe.each(testProviders())('T18 sign-out clears site data on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 't18csd');
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  async function post(caller: Caller, headers: Record<string, string> = {}) {
    const correlationId = randomUUID();
    const scope = h.scope(caller, correlationId, headers);
    const url = `${new URL(env().APP_URL).origin}/api/auth/signed-out`;
    const res = await runInRequestScope(scope, () => signedOut(new Request(url, { method: 'POST', headers: scope.headers })));
    return { res, correlationId };
  }

  it('T18 after the sign-out action, the console is told to forget cache, cookies and storage; nothing more is recorded', async () => {
    const admin = await h.caller('admin');
    const { result, correlationId: signOutId } = await h.call(admin, signOutAction, {});
    expect(result).toMatchObject({ ok: true });
    expect(await h.eventsOf(signOutId)).toEqual([expect.objectContaining({ operation: 'auth.sign_out', outcome: 'success' })]);
    expect(await h.liveSessions(admin.user!.id)).toBe(0);

    // The browser no longer sends the cookie (the action deleted it).
    const { res, correlationId } = await post(h.anonymous());
    expect(res.status).toBe(204);
    expect(res.headers.get('clear-site-data')).toBe(CLEAR);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await h.eventsOf(correlationId)).toEqual([]);
  });

  it('T18 a page that skipped the action still ends its server session before the browser forgets it (audited)', async () => {
    const admin = await h.caller('admin');
    expect(await h.liveSessions(admin.user!.id)).toBe(1);
    const { res, correlationId } = await post(admin);
    expect(res.status).toBe(204);
    expect(res.headers.get('clear-site-data')).toBe(CLEAR);
    expect(await h.liveSessions(admin.user!.id)).toBe(0);
    expect(await h.eventsOf(correlationId)).toEqual([
      expect.objectContaining({ actorId: admin.user!.id, operation: 'auth.sign_out', outcome: 'success' }),
    ]);
  });

  it('T18 another site cannot wipe a signed-in person’s browser data or end their session through it', async () => {
    const admin = await h.caller('admin');
    for (const headers of [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'null', 'sec-fetch-site': 'cross-site' },
      { origin: 'http://localhost:3000', 'sec-fetch-site': 'cross-site' },
    ]) {
      const { res, correlationId } = await post(admin, headers);
      expect(res.status).toBe(403);
      expect(res.headers.get('clear-site-data')).toBeNull();
      expect(await res.text()).not.toMatch(/stack|prisma|\/work\//i);
      expect(await h.eventsOf(correlationId)).toEqual([]);
    }
    expect(await h.liveSessions(admin.user!.id)).toBe(1);
  });
});
