import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
// The forged cookies must be real JWEs (right format, wrong key or wrong claims),
// made with the encoder next-auth itself uses, as tests/helpers/action-harness does.
// eslint-disable-next-line no-restricted-imports
import { encode } from 'next-auth/jwt';
import { signOutAction } from '@/app/(console)/_actions/sign-out';
import { lookupPersonalDataAction } from '@/app/(console)/audit/_actions/lookup-personal-data';
import { suspendUserAction } from '@/app/(console)/users/_actions/suspend-user';
import { GET as exportEvents } from '@/app/api/audit/events/export/route';
import { GET as metrics } from '@/app/api/metrics/route';
import { readSessionSecret, sessionCookieName } from '@/lib/auth/next-auth';
import { ABSOLUTE_LIFETIME_MS } from '@/lib/auth/session-policy';
import { getViewer, requireViewer } from '@/lib/auth/viewer';
import { requireArea } from '@/lib/authz/areas';
import { authSecret } from '@/lib/env';
import { ActionHarness, type Caller, type ServerAction } from '../helpers/action-harness';
import { callWith, runWith, type RequestOverrides } from '../helpers/request-overrides';
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

const REASON = 'Integration test of forged session cookies';

/** A JWE the way next-auth makes the session cookie, with any claims and key. */
function jwe(token: Record<string, unknown>, secret = authSecret()): Promise<string> {
  const salt = sessionCookieName();
  return encode({ token, secret, salt, maxAge: ABSOLUTE_LIFETIME_MS / 1000 });
}

/** The redirect a page guard throws (next/navigation redirect()), or null. */
function redirectTarget(error: unknown): string | null {
  const digest = (error as { digest?: unknown } | null)?.digest;
  if (typeof digest !== 'string' || !digest.startsWith('NEXT_REDIRECT;')) return null;
  return digest.split(';')[2] ?? null;
}

/** Headers an attacker adds hoping to skip the proxy layer (CVE-2025-29927 class). */
const INTERNAL_HEADERS: Record<string, string> = {
  'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware',
  'x-middleware-subrequest-id': 'forged',
  'x-invoke-path': '/users',
  'x-invoke-status': '200',
  'x-middleware-rewrite': '/users',
  'x-nextjs-data': '1',
  'x-now-route-matches': '1',
  'next-router-prefetch': '1',
  rsc: '1',
};

/**
 * SECURITY.md T31 (forged, broken and stale session cookies; a malformed
 * Authorization bearer) and the integration half of T29 (the data layer
 * refuses without a viewer however the request reached it: proxy.ts plays no
 * part here at all). Every case is "nobody is signed in": getViewer is null,
 * actions answer UNAUTHENTICATED, page guards redirect to /sign-in, route
 * handlers answer 404/401 — never an exception, never data.
 */
describe.each(testProviders())('forged session cookies (%s)', (provider) => {
  let h: ActionHarness;
  let admin: Caller;
  let target: Caller;
  let cookies: [string, string][];

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'cookie');
    admin = await h.caller('admin');
    target = await h.caller('support');
    const valid = admin.cookie!;
    const [header, , iv, , tag] = valid.split('.');
    cookies = [
      ['random bytes', randomBytes(96).toString('base64url')],
      [
        'random binary-ish text',
        randomBytes(64)
          .toString('latin1')
          .replace(/[^\x21-\x7e]/g, 'x'),
      ],
      ['a truncated valid cookie', valid.slice(0, Math.floor(valid.length / 2))],
      ['a valid cookie minus its last character', valid.slice(0, -1)],
      ['a valid cookie with its ciphertext swapped', [header, '', iv, randomBytes(40).toString('base64url'), tag].join('.')],
      ['an unsigned JWT (alg: none)', 'eyJhbGciOiJub25lIn0.e30.'],
      [
        'an alg:none JWT claiming a session id',
        `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ sid: 'x'.repeat(43) })).toString('base64url')}.`,
      ],
      [
        'a JWE sealed with an old secret',
        await jwe({ sid: randomBytes(32).toString('base64url') }, 'an-old-rotated-secret-0123456789abcdef'),
      ],
      ['a JWE with a session id of another length', await jwe({ sid: randomBytes(16).toString('base64url') })],
      ['a JWE with a well-formed session id that matches no session', await jwe({ sid: randomBytes(32).toString('base64url') })],
      ['a JWE with a non-string session id', await jwe({ sid: 12345 })],
      ['a JWE without a session id', await jwe({ sub: admin.user!.id, role: 'superadmin' })],
      ['an oversized (8 KB) cookie', 'A'.repeat(8 * 1024)],
      ['an empty cookie', ''],
    ];
  }, 120_000);
  afterAll(async () => {
    await h?.cleanup();
  });

  const as = (cookie: string, headers: RequestOverrides['headers'] = {}): RequestOverrides => ({ sessionCookie: cookie, headers });

  it('T31 every forged, truncated, stale, unsigned, oversized or empty session cookie means "nobody", never an exception', async () => {
    for (const [label, cookie] of cookies) {
      // Only a cookie sealed with our key and carrying a well-formed id is even looked up.
      if (!label.includes('matches no session'))
        await expect(
          runWith(h, admin, as(cookie), () => readSessionSecret()),
          label,
        ).resolves.toBeNull();
      await expect(
        runWith(h, admin, as(cookie), () => getViewer()),
        label,
      ).resolves.toBeNull();
    }
    // The real cookie still works: the forgeries failed on their own merits.
    await expect(h.as(admin, () => getViewer())).resolves.toMatchObject({ userId: admin.user!.id });
  });

  it('T31 server actions answer UNAUTHENTICATED to every forged cookie, and nothing changes', async () => {
    const before = await h.userState(target.user!.id);
    const events = await h.db.auditEvent.count();
    const calls: [ServerAction, unknown][] = [
      [suspendUserAction, { id: target.user!.id, reason: REASON }],
      [lookupPersonalDataAction, { email: target.user!.email, reason: REASON }],
      [signOutAction, {}],
    ];
    for (const [label, cookie] of cookies) {
      for (const [action, input] of calls) {
        const { result } = await callWith(h, admin, action, input, as(cookie));
        expect(result, label).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
      }
    }
    expect(await h.userState(target.user!.id)).toEqual(before);
    expect(await h.liveSessions(admin.user!.id)).toBe(1);
    expect(await h.db.auditEvent.count()).toBe(events);
  });

  it('T31 page guards redirect to /sign-in for every forged cookie', async () => {
    for (const [label, cookie] of cookies) {
      for (const guard of [() => requireViewer(), () => requireArea('users'), () => requireArea('audit')]) {
        const error = await runWith(h, admin, as(cookie), guard).then(
          () => null,
          (e: unknown) => e,
        );
        expect(redirectTarget(error), label).toBe('/sign-in');
      }
    }
  });

  it('T31 a malformed Authorization: Bearer on /api/metrics gets 401, not 500', async () => {
    for (const authorization of [
      'Bearer',
      'Bearer ',
      'Bearer a b c',
      'Bearer ' + 'x'.repeat(16 * 1024),
      'Bearer eyJhbGciOiJub25lIn0.e30.',
      'Bearer\tabc',
      'bearer ===',
      'Basic Og==',
      'Bearer %00%ff',
      'Negotiate',
    ]) {
      const res = await runWith(h, h.anonymous(), { headers: { authorization } }, () =>
        metrics(new Request('http://localhost:3000/api/metrics', { headers: { authorization } })),
      );
      expect(res.status, authorization.slice(0, 40)).toBe(401);
      expect(await res.text()).toBe('Unauthorized');
    }
    // A forged session cookie with a bad bearer is still just a bad bearer.
    const res = await runWith(h, admin, as(cookies[0]![1], { authorization: 'Bearer nope' }), () =>
      metrics(new Request('http://localhost:3000/api/metrics', { headers: { authorization: 'Bearer nope' } })),
    );
    expect(res.status).toBe(401);
  });

  describe('T29 the data layer decides, not the proxy', () => {
    it('T29 with internal Next.js headers and no session cookie, actions refuse, guards redirect, route handlers hide', async () => {
      const before = await h.userState(target.user!.id);
      const overrides: RequestOverrides = { sessionCookie: null, headers: INTERNAL_HEADERS };
      for (const [action, input] of [
        [suspendUserAction, { id: target.user!.id, reason: REASON }],
        [lookupPersonalDataAction, { email: target.user!.email, reason: REASON }],
      ] as [ServerAction, unknown][]) {
        const { result } = await callWith(h, admin, action, input, overrides);
        expect(result).toEqual({ ok: false, code: 'UNAUTHENTICATED', message: expect.any(String), correlationId: expect.any(String) });
      }
      expect(await h.userState(target.user!.id)).toEqual(before);
      expect(await runWith(h, admin, overrides, () => getViewer())).toBeNull();
      const guard = await runWith(h, admin, overrides, () => requireArea('users')).catch((e: unknown) => e);
      expect(redirectTarget(guard)).toBe('/sign-in');

      const exported = await runWith(h, admin, overrides, () =>
        exportEvents(new Request('http://localhost:3000/api/audit/events/export?format=jsonl', { headers: INTERNAL_HEADERS })),
      );
      expect(exported.status).toBe(404);
      expect(await exported.text()).not.toContain(target.user!.email);
      const scraped = await runWith(h, admin, overrides, () =>
        metrics(new Request('http://localhost:3000/api/metrics', { headers: INTERNAL_HEADERS })),
      );
      expect(scraped.status).toBe(404);
    });
  });
});
