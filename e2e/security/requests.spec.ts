import { randomBytes } from 'node:crypto';
import type { APIResponse } from '@playwright/test';
import { builtAction } from '../actions';
import { E2E } from '../env';
import { createUser, e2eDb, expect, signIn, test } from '../fixtures';
import { postAction, refused } from './post-action';

/**
 * Request hardening seen from outside, against the production build (SECURITY.md
 * T29, T31, T32, T33, T36): forged origins and fetch metadata, forwarded-host
 * tricks, internal Next.js headers, forged session cookies, oversized bodies.
 * Each attack runs with the victim's real cookies where it matters, and the
 * test checks the database for "nothing changed".
 */

const APP = new URL(E2E.baseURL).origin;
const SAME_ORIGIN = { origin: APP, 'sec-fetch-site': 'same-origin' };
const NO_STACK = /\bat [\w.<>]+ \(|node_modules|\.next-e2e/;

async function liveSessions(userId: string): Promise<number> {
  const db = await e2eDb();
  return db.session.count({ where: { userId, revokedAt: null } });
}

/** A response that shows nothing protected: no 5xx, a redirect only to /sign-in, none of `secrets` in the body. */
async function expectNothingProtected(res: APIResponse, secrets: string[], label: string) {
  expect(res.status(), label).toBeLessThan(500);
  if (res.status() >= 300 && res.status() < 400) {
    expect(new URL(res.headers()['location'] ?? '', APP).pathname, label).toBe('/sign-in');
  }
  const body = await res.text();
  for (const secret of secrets) expect(body, label).not.toContain(secret);
  expect(body, label).not.toMatch(NO_STACK);
}

test.describe('[SECURITY] requests', () => {
  test('T32 a server action POSTed with the victim’s cookies and Origin: https://evil.example, Origin: null or Sec-Fetch-Site: cross-site is refused; nothing changes', async ({
    page,
  }) => {
    const victim = await createUser('admin');
    await signIn(page, victim);
    expect(await liveSessions(victim.id)).toBe(1);

    // [what the attacker sends, the ActionResult code when defineAction is what refuses it]
    // Next.js itself refuses an Origin that differs from Host (500, no ActionResult); the rest reach defineAction.
    const attempts: [string, Record<string, string>, string | null][] = [
      ['Origin: https://evil.example', { origin: 'https://evil.example' }, null],
      [
        'Origin: https://evil.example, Sec-Fetch-Site: cross-site',
        { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        null,
      ],
      ['Origin: null', { origin: 'null' }, null],
      ['no Origin, Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }, 'FORBIDDEN'],
      ['our own Origin, Sec-Fetch-Site: cross-site', { origin: APP, 'sec-fetch-site': 'cross-site' }, 'FORBIDDEN'],
      ['no Origin, Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' }, 'FORBIDDEN'],
      ['a browser POST without Origin', { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' }, 'FORBIDDEN'],
    ];
    for (const [label, headers, code] of attempts) {
      const reply = await postAction(page.request, 'signOutAction', [{}], headers);
      expect(refused(reply), `${label}: ${reply.status} ${reply.body.slice(0, 200)}`).toBe(true);
      if (code) expect(reply.result?.code, label).toBe(code);
      expect(reply.body, label).not.toMatch(NO_STACK);
      expect(await liveSessions(victim.id), label).toBe(1);
    }
    await page.goto('/');
    await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();

    // Control: the same request from the console's own origin works, so the cookies were sent every time.
    const own = await postAction(page.request, 'signOutAction', [{}], SAME_ORIGIN);
    expect(own.result).toMatchObject({ ok: true });
    expect(await liveSessions(victim.id)).toBe(0);
  });

  test('T32 an auto-submitting <form> on another origin (and on about:blank) posting to a server action changes nothing', async ({
    page,
    context,
  }) => {
    const victim = await createUser('admin');
    await signIn(page, victim);
    const action = builtAction('signOutAction');
    const form =
      `<form id="f" method="POST" enctype="multipart/form-data" action="${E2E.baseURL}${action.path}">` +
      `<input type="hidden" name="$ACTION_ID_${action.id}" value=""></form>` +
      `<script>document.getElementById('f').submit()</script>`;
    const html = `<!doctype html><html><head><title>win a prize</title></head><body>${form}</body></html>`;

    // A page of the attacker's own origin.
    const attacker = await context.newPage();
    await attacker.route('http://evil.example/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
    const fromEvil = attacker.waitForResponse((r) => r.url().startsWith(APP) && r.request().method() === 'POST');
    await attacker.goto('http://evil.example/');
    const evilResponse = await fromEvil;
    expect((await evilResponse.request().allHeaders())['origin']).toBe('http://evil.example');
    expect(evilResponse.status()).not.toBe(303);
    expect(await liveSessions(victim.id)).toBe(1);

    // The same form on about:blank (an opaque origin: Origin: null).
    const blank = await context.newPage();
    const fromBlank = blank.waitForResponse((r) => r.url().startsWith(APP) && r.request().method() === 'POST');
    await blank.setContent(html).catch(() => undefined); // the form navigates away while setContent waits
    const blankResponse = await fromBlank;
    expect(blankResponse.status()).not.toBe(303);
    expect(await liveSessions(victim.id)).toBe(1);

    await page.goto('/');
    await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
  });

  test('T33 X-Forwarded-Host: evil.example with Origin: https://evil.example is still refused (compared with APP_URL, not with Host)', async ({
    page,
  }) => {
    const victim = await createUser('admin');
    await signIn(page, victim);
    for (const headers of [
      { origin: 'https://evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      { origin: 'http://evil.example', 'x-forwarded-host': 'evil.example' },
    ] as Record<string, string>[]) {
      // Next.js accepts an Origin equal to X-Forwarded-Host; defineAction compares with the configured origin.
      const reply = await postAction(page.request, 'signOutAction', [{}], headers);
      expect(reply.result, reply.body.slice(0, 200)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
      expect(await liveSessions(victim.id)).toBe(1);
    }
  });

  test('T36 a server action body over the limit gets 413', async ({ page }) => {
    const victim = await createUser('admin');
    await signIn(page, victim);
    // Over next.config.mjs serverActions.bodySizeLimit (1 MB): refused before the action is decoded.
    const huge = JSON.stringify([{ padding: 'x'.repeat(1024 * 1024 + 16) }]);
    const reply = await postAction(page.request, 'signOutAction', huge, SAME_ORIGIN);
    expect(reply.status).toBe(413);
    expect(reply.body).not.toMatch(NO_STACK);
    expect(await liveSessions(victim.id)).toBe(1);

    // Under the request limit but over any action's input (lib/authz/input.ts): VALIDATION, nothing changes.
    const large = await postAction(page.request, 'signOutAction', [{ padding: 'x'.repeat(256 * 1024) }], SAME_ORIGIN);
    expect(large.result).toMatchObject({ ok: false, code: 'VALIDATION' });
    let deep = '"x"';
    for (let i = 0; i < 5_000; i++) deep = `{"a":${deep}}`;
    const nested = await postAction(page.request, 'signOutAction', `[${deep}]`, SAME_ORIGIN);
    expect(refused(nested)).toBe(true);
    expect(nested.body).not.toMatch(NO_STACK);
    // A prototype-pollution key: the framework's reply decoder drops `__proto__` (and lib/authz/input.ts refuses it
    // if it ever arrives — INT request-body), so the call is decided on what remains: here an empty suspend input,
    // refused by validation. Nothing inherits the planted field: the user named only through it stays active.
    const bystander = await createUser('support');
    const polluting = await postAction(
      page.request,
      'suspendUserAction',
      `[{"__proto__":{"id":"${bystander.id}","reason":"inherited through the prototype"}}]`,
      SAME_ORIGIN,
    );
    expect(refused(polluting)).toBe(true);
    expect(polluting.status).toBeLessThan(500);
    expect(polluting.body).not.toMatch(NO_STACK);
    expect((await liveSessions(victim.id)) >= 1).toBe(true);
    const db = await e2eDb();
    expect((await db.user.findUniqueOrThrow({ where: { id: bystander.id }, select: { status: true } })).status).toBe('active');
    await page.goto('/');
    await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
  });

  test('T29 internal Next.js headers (x-middleware-subrequest and friends) reach no protected page or action without a session', async ({
    request,
  }) => {
    const marker = await createUser('support');
    const secrets = [marker.email, marker.name];
    const internal: Record<string, string>[] = [
      { 'x-middleware-subrequest': 'middleware:middleware:middleware:middleware:middleware' },
      { 'x-middleware-subrequest': 'proxy:proxy:proxy:proxy:proxy' },
      { 'x-middleware-subrequest': 'src/middleware:src/middleware:src/middleware:src/middleware:src/middleware' },
      { 'x-middleware-subrequest': 'src/proxy:src/proxy:src/proxy:src/proxy:src/proxy' },
      { 'x-middleware-subrequest': 'pages/_middleware' },
      { 'x-invoke-path': '/users', 'x-invoke-query': '{}', 'x-invoke-status': '200', 'x-middleware-invoke': '1' },
      { 'x-middleware-rewrite': '/users', 'x-middleware-next': '1', 'x-middleware-override-headers': 'cookie' },
      { 'x-nextjs-data': '1', 'x-now-route-matches': '1', 'x-matched-path': '/users' },
      { rsc: '1', 'next-router-prefetch': '1', 'next-url': '/users' },
    ];
    for (const headers of internal) {
      const label = JSON.stringify(headers);
      for (const path of ['/', '/users', '/audit', '/sessions', '/users?q=support']) {
        await expectNothingProtected(await request.get(path, { headers, maxRedirects: 0 }), secrets, `${path} ${label}`);
      }
      // Without a cookie the proxy's optimistic redirect answers first; with a forged cookie the proxy lets the
      // request through (as if it were skipped), and the action itself must refuse it.
      const redirected = await postAction(request, 'suspendUserAction', [{ id: marker.id, reason: 'skip the proxy' }], {
        ...headers,
        ...SAME_ORIGIN,
      });
      expect(redirected.status === 307 || refused(redirected), `${label}: ${redirected.status}`).toBe(true);
      expect(redirected.status, label).toBeLessThan(500);
      const reply = await postAction(request, 'suspendUserAction', [{ id: marker.id, reason: 'skip the proxy' }], {
        ...headers,
        ...SAME_ORIGIN,
        cookie: 'warden.session=proxy-skipped-no-such-session',
      });
      // Refused, whether Next answered for the internal header itself or the action decided (then: UNAUTHENTICATED).
      expect(reply.status === 307 || refused(reply), `${label}: ${reply.status}`).toBe(true);
      expect(reply.status, label).toBeLessThan(500);
      if (reply.result) expect(reply.result, label).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
      for (const secret of secrets) expect(reply.body, label).not.toContain(secret);
    }
    const db = await e2eDb();
    expect((await db.user.findUniqueOrThrow({ where: { id: marker.id }, select: { status: true } })).status).toBe('active');
  });

  test('T31 forged, truncated, unsigned, oversized and empty session cookies against console pages: /sign-in, never a 500', async ({
    browser,
    request,
  }) => {
    const victim = await createUser('admin');
    const victimContext = await browser.newContext();
    await signIn(await victimContext.newPage(), victim);
    const valid = (await victimContext.cookies()).find((c) => c.name === 'warden.session')!.value;
    const secrets = [victim.email, victim.name];
    const forged: [string, string][] = [
      ['random bytes', randomBytes(96).toString('base64url')],
      ['a truncated real cookie', valid.slice(0, Math.floor(valid.length / 2))],
      ['a real cookie with its last character changed', valid.slice(0, -1) + (valid.endsWith('A') ? 'B' : 'A')],
      [
        'a real cookie with its ciphertext replaced',
        valid
          .split('.')
          .map((p, i) => (i === 3 ? randomBytes(48).toString('base64url') : p))
          .join('.'),
      ],
      ['an unsigned JWT (alg: none)', 'eyJhbGciOiJub25lIn0.e30.'],
      ['an alg:none JWT with claims', `eyJhbGciOiJub25lIn0.${Buffer.from('{"sid":"x","role":"superadmin"}').toString('base64url')}.`],
      ['an oversized (8 KB) cookie', 'A'.repeat(8 * 1024)],
      ['an empty cookie', ''],
    ];
    for (const [label, value] of forged) {
      for (const path of ['/', '/users', '/audit']) {
        const res = await request.get(path, { headers: { cookie: `warden.session=${value}` }, maxRedirects: 0 });
        await expectNothingProtected(res, secrets, `${label} ${path}`);
      }
    }
    // In a real browser too (cookies a browser will store: non-empty, under 4 KB).
    for (const [label, value] of forged.filter(([, v]) => v.length > 0 && v.length < 4000)) {
      const context = await browser.newContext();
      await context.addCookies([{ name: 'warden.session', value, url: APP }]);
      const page = await context.newPage();
      const response = await page.goto('/users');
      expect(response?.status() ?? 0, label).toBeLessThan(500);
      await expect(page, label).toHaveURL(/\/sign-in/);
      await expect(page.getByRole('navigation', { name: 'Console' })).toHaveCount(0);
      await context.close();
    }
    // The real session is untouched by all of it.
    expect(await liveSessions(victim.id)).toBe(1);
    await victimContext.close();
  });

  test('T31 a malformed Authorization: Bearer on /api/metrics gets 401, not 500', async ({ request }) => {
    for (const authorization of [
      'Bearer',
      'Bearer ',
      'Bearer a b c',
      `Bearer ${'x'.repeat(8 * 1024)}`,
      'Bearer eyJhbGciOiJub25lIn0.e30.',
      'Basic Og==',
    ]) {
      const res = await request.get('/api/metrics', { headers: { authorization } });
      expect(res.status(), authorization.slice(0, 30)).toBe(401);
      expect(await res.text()).toBe('Unauthorized');
    }
  });
});
