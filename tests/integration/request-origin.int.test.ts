import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signInAction } from '@/app/(auth)/sign-in/_actions/sign-in';
import { signOutAction } from '@/app/(console)/_actions/sign-out';
import { suspendUserAction } from '@/app/(console)/users/_actions/suspend-user';
import { GET as exportEvents } from '@/app/api/audit/events/export/route';
import { POST as setClock } from '@/app/api/test/clock/route';
import { ipRateLimitKey } from '@/lib/auth/throttle';
import { ActionHarness, type Caller, type TestUser } from '../helpers/action-harness';
import { callWith, runWith, type RequestOverrides } from '../helpers/request-overrides';
import { testProviders } from '../helpers/test-db';

vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
  // One configured reverse proxy: only its X-Forwarded-For is honoured (T33).
  vi.stubEnv('TRUSTED_PROXIES', '10.9.9.9');
});
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const REASON = 'Integration test of cross-site request refusal';
const PASSWORD = 'a long enough integration passphrase';
const TRUSTED_PROXY = '10.9.9.9';

/** Request shapes a browser on another site (or a forged request) would produce. */
const CROSS_SITE: [string, RequestOverrides['headers']][] = [
  ['Origin: https://evil.example', { origin: 'https://evil.example', 'sec-fetch-site': null }],
  ['Origin: null (sandboxed frame)', { origin: 'null', 'sec-fetch-site': null }],
  ['no Origin, Sec-Fetch-Site: cross-site', { origin: null, 'sec-fetch-site': 'cross-site' }],
  ['the right Origin, Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
  ['Sec-Fetch-Site: same-site (a sibling subdomain)', { origin: 'https://evil.localhost:3000', 'sec-fetch-site': 'same-site' }],
  ['a browser POST without Origin', { origin: null, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' }],
  ['Origin with userinfo trick', { origin: 'http://localhost:3000@evil.example', 'sec-fetch-site': null }],
];

/** T33: headers that try to make a foreign Origin "match" the host the server thinks it is. */
const FORGED_HOST: RequestOverrides['headers'] = {
  host: 'evil.example',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'https',
  origin: 'https://evil.example',
  'sec-fetch-site': null,
};

/**
 * SECURITY.md T32/T33 at the integration layer: real server actions called with
 * the headers a cross-site request would carry are refused before anything
 * else runs (FORBIDDEN, nothing changed, no audit event at all); forwarded
 * headers count only from the configured proxy; redirects are paths on the
 * configured origin whatever Host says.
 */
describe.each(testProviders())('cross-site requests (%s)', (provider) => {
  let h: ActionHarness;
  let admin: Caller;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'origin');
    admin = await h.caller('admin');
  }, 120_000);
  afterAll(async () => {
    await h?.cleanup();
  });

  async function auditCount() {
    return h.db.auditEvent.count();
  }

  it.each(CROSS_SITE)(
    'T32 a state-changing server action POSTed with %s is refused, nothing changes, nothing is audited',
    async (_label, headers) => {
      // A fresh admin per case: each has the authenticator codes of two steps for its proofs.
      const admin = await h.caller('admin');
      const target = await h.caller('support');
      const input = { id: target.user!.id, reason: REASON };
      const proof = await h.stepUpProof(admin, 'user.suspend', input);
      const before = await h.userState(target.user!.id);
      const events = await auditCount();

      // Even with a valid step-up proof in hand, the cross-site request does nothing.
      const refused = await callWith(h, admin, suspendUserAction, input, { headers }, { stepUpProof: proof });
      expect(refused.result).toMatchObject({ ok: false, code: 'FORBIDDEN', correlationId: refused.correlationId });
      expect(await h.userState(target.user!.id)).toEqual(before);
      expect(await h.eventsOf(refused.correlationId)).toEqual([]);
      expect(await auditCount()).toBe(events);

      // Sign-out is state-changing too: the victim's session survives a forged sign-out.
      const signOut = await callWith(h, target, signOutAction, {}, { headers });
      expect(signOut.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(await h.liveSessions(target.user!.id)).toBe(1);

      // The same proof, from the console itself, still works: only the origin stopped it.
      const done = await h.call(admin, suspendUserAction, input, { stepUpProof: proof });
      expect(done.result).toMatchObject({ ok: true });
      expect((await h.userState(target.user!.id)).status).toBe('suspended');
    },
  );

  it('T32 login CSRF: a cross-site sign-in POST is refused before any credential is checked', async () => {
    const user = await h.createUser({ role: 'admin', password: PASSWORD });
    const events = await auditCount();
    for (const [, headers] of CROSS_SITE) {
      const res = await callWith(h, h.anonymous(), signInAction, { email: user.email, password: PASSWORD }, { headers });
      expect(res.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    }
    expect(await auditCount()).toBe(events);
    expect(await h.db.pendingLogin.count({ where: { userId: user.id } })).toBe(0);
  });

  it('T32 a non-browser client (no Origin, no Sec-Fetch-*) is not CSRF: the normal session checks decide', async () => {
    const target = await h.caller('support');
    const res = await callWith(h, target, signOutAction, {}, { headers: { origin: null, 'sec-fetch-site': null } });
    expect(res.result).toMatchObject({ ok: true });
    expect(await h.liveSessions(target.user!.id)).toBe(0);
  });

  it('T32 state-changing and cookie-authenticated route handlers refuse cross-site requests', async () => {
    // POST /api/test/clock (test hook; off here, so 404 before anything else), and the
    // cookie-authenticated audit export, which answers a cross-site request as if it did not exist.
    const auditor = await h.caller('auditor');
    for (const [label, headers] of CROSS_SITE) {
      // A GET without Origin is what a same-origin navigation sends; that case is a POST-only refusal.
      const res = await runWith(h, auditor, { headers }, () =>
        exportEvents(new Request('http://localhost:3000/api/audit/events/export?format=jsonl', { headers: flatten(headers) })),
      );
      expect(res.status).toBe(label === 'a browser POST without Origin' ? 200 : 404);
      const clock = await setClock(
        new Request('http://localhost:3000/api/test/clock', { method: 'POST', headers: flatten(headers), body: '{"offsetMs":1}' }),
      );
      expect(clock.status).toBe(404);
    }
  });

  it('T33 Host and X-Forwarded-Host set to the attacker do not make a foreign Origin match', async () => {
    const target = await h.caller('support');
    const input = { id: target.user!.id, reason: REASON };
    const before = await h.userState(target.user!.id);
    const res = await callWith(h, admin, suspendUserAction, input, { headers: FORGED_HOST });
    expect(res.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await h.eventsOf(res.correlationId)).toEqual([]);
    const out = await callWith(h, target, signOutAction, {}, { headers: FORGED_HOST });
    expect(out.result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await h.userState(target.user!.id)).toEqual(before);
  });

  it('T33 X-Forwarded-For from an untrusted peer changes neither the audited IP nor the rate-limit key', async () => {
    const user = await h.createUser({ role: 'admin', password: PASSWORD });
    const attacker = h.anonymous();
    const res = await callWith(
      h,
      attacker,
      signInAction,
      { email: user.email, password: 'not the password at all' },
      { headers: { 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1', forwarded: 'for=127.0.0.1' } },
    );
    expect(res.result).toMatchObject({ ok: false, code: 'INVALID_CREDENTIALS' });
    const [event] = await h.eventsOf(res.correlationId);
    expect(event).toMatchObject({ operation: 'auth.sign_in', outcome: 'failure', reasonCode: 'bad_password', ip: attacker.peer });
    expect(await h.db.rateLimit.findUnique({ where: { key: ipRateLimitKey(attacker.peer) } })).toMatchObject({ count: 1 });
    expect(await h.db.rateLimit.findUnique({ where: { key: ipRateLimitKey('127.0.0.1') } })).toBeNull();
  });

  it('T33 X-Forwarded-For is honoured only from the configured proxy address', async () => {
    const user = await h.createUser({ role: 'admin', password: PASSWORD });
    const viaProxy: Caller = { ...h.anonymous(), peer: TRUSTED_PROXY };
    const res = await callWith(
      h,
      viaProxy,
      signInAction,
      { email: user.email, password: 'not the password at all' },
      { headers: { 'x-forwarded-for': '127.0.0.1, 203.0.113.77' } },
    );
    expect(res.result).toMatchObject({ ok: false, code: 'INVALID_CREDENTIALS' });
    // The right-most hop the proxy appended is the client; what the client itself wrote before it is ignored.
    expect((await h.eventsOf(res.correlationId))[0]).toMatchObject({ ip: '203.0.113.77' });
    expect(await h.db.rateLimit.findUnique({ where: { key: ipRateLimitKey('203.0.113.77') } })).toMatchObject({ count: 1 });
    expect(await h.db.rateLimit.findUnique({ where: { key: ipRateLimitKey('127.0.0.1') } })).toBeNull();
  });

  it('T33 the redirect after sign-in is a path on the configured origin, whatever Host and X-Forwarded-Host say', async () => {
    const user: TestUser = await h.createUser({ role: 'admin', password: PASSWORD });
    const headers = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
    for (const [callbackUrl, expected] of [
      [undefined, '/sign-in/verify'],
      ['/users?page=2', `/sign-in/verify?callbackUrl=${encodeURIComponent('/users?page=2')}`],
      ['https://evil.example/users', '/sign-in/verify'],
      ['//evil.example/users', '/sign-in/verify'],
    ] as const) {
      const res = await callWith(
        h,
        h.anonymous(),
        signInAction,
        { email: user.email, password: PASSWORD, ...(callbackUrl ? { callbackUrl } : {}) },
        { headers },
      );
      expect(res.result).toEqual({ ok: true, data: { redirectTo: expected } });
      const target = new URL((res.result as { data: { redirectTo: string } }).data.redirectTo, 'http://localhost:3000');
      expect(target.origin).toBe('http://localhost:3000');
    }
  });
});

/** The headers of an override as a plain header list (a null value means "absent"). */
function flatten(headers: RequestOverrides['headers']): Record<string, string> {
  const out: Record<string, string> = {
    origin: 'http://localhost:3000',
    'sec-fetch-site': 'same-origin',
    'x-warden-correlation-id': randomUUID(),
  };
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}
