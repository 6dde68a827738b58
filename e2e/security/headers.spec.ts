import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIResponse } from '@playwright/test';
import { parseCsp } from '../../lib/security/csp';
import { builtAction } from '../actions';
import { E2E } from '../env';
import { createUser, expect, signIn, test } from '../fixtures';

/**
 * SECURITY.md T39 (security headers and a per-request nonce CSP) and T15
 * (cookie attributes, nothing in web storage), against the production build.
 * The CSP itself is unit-tested in lib/security/csp.test.ts (including the https
 * variant: HSTS and upgrade-insecure-requests); here every route type is read
 * over HTTP, and the suite's fixture (e2e/fixtures.ts) fails any test whose
 * pages raise a CSP violation.
 */

/** Asserts the strict policy and returns its script nonce. */
function expectStrictCsp(res: APIResponse, label: string): string {
  const policy = res.headers()['content-security-policy'];
  expect(policy, `${label}: Content-Security-Policy`).toBeTruthy();
  const csp = parseCsp(policy!);
  const script = csp.get('script-src') ?? [];
  const nonce = script.map((s) => /^'nonce-([A-Za-z0-9+/_-]+={0,2})'$/.exec(s)?.[1]).find(Boolean);
  expect(nonce, `${label}: a nonce in script-src`).toBeTruthy();
  expect(Buffer.from(nonce!, 'base64').length, `${label}: a 128-bit nonce`).toBeGreaterThanOrEqual(16);
  expect(script, label).toContain("'strict-dynamic'");
  expect(script, label).not.toContain("'unsafe-inline'");
  expect(script, label).not.toContain("'unsafe-eval'");
  expect(csp.get('default-src'), label).toEqual(["'self'"]);
  expect(csp.get('object-src'), label).toEqual(["'none'"]);
  expect(csp.get('base-uri'), label).toEqual(["'none'"]);
  expect(csp.get('frame-ancestors'), label).toEqual(["'none'"]);
  expect(csp.get('form-action'), label).toEqual(["'self'"]);
  expect(csp.get('report-uri'), label).toEqual(['/api/csp-report']);
  expect(csp.get('report-to'), label).toEqual(['csp']);
  // Over http://localhost: no upgrade (it would break the local origin), no HSTS (browsers ignore it on http anyway).
  expect(csp.has('upgrade-insecure-requests'), label).toBe(false);
  expect(res.headers()['reporting-endpoints'], label).toBe(`csp="${E2E.baseURL}/api/csp-report"`);
  return nonce!;
}

/** The headers every response carries, static assets included. */
function expectBaseline(res: APIResponse, label: string) {
  const h = res.headers();
  expect(h['x-content-type-options'], label).toBe('nosniff');
  expect(['same-origin', 'no-referrer'], `${label}: Referrer-Policy`).toContain(h['referrer-policy']);
  expect(h['cross-origin-opener-policy'], label).toBe('same-origin');
  expect(h['x-frame-options'], label).toBe('DENY');
  expect(h['x-powered-by'], label).toBeUndefined();
  expect(h['strict-transport-security'], `${label}: no HSTS over http`).toBeUndefined();
}

function expectNoStore(res: APIResponse, label: string) {
  const directives = (res.headers()['cache-control'] ?? '').split(',').map((d) => d.trim());
  expect(directives, `${label}: Cache-Control`).toContain('no-store');
}

/** Every <script> of an HTML page carries the response's nonce (Next's own inline and external scripts). */
function expectScriptsNonced(html: string, nonce: string, label: string) {
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length, `${label}: scripts in the page`).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag, label).toContain(`nonce="${nonce}"`);
  const styles = html.match(/<style\b[^>]*>/g) ?? [];
  for (const tag of styles) expect(tag, label).toContain(`nonce="${nonce}"`);
}

test.describe('[SECURITY] response headers and the content security policy', () => {
  test.setTimeout(120_000);

  test('T39 every route type sends a per-request nonce CSP with strict-dynamic, object-src/base-uri/frame-ancestors none, nosniff, Referrer-Policy, COOP, no X-Powered-By, no HSTS on http; no-store where signed in', async ({
    page,
    request,
  }) => {
    // The sign-in page (anonymous): a fresh nonce per request, on every script Next renders.
    const signIn1 = await request.get('/sign-in');
    const signIn2 = await request.get('/sign-in');
    expect(signIn1.status()).toBe(200);
    const n1 = expectStrictCsp(signIn1, 'sign-in');
    const n2 = expectStrictCsp(signIn2, 'sign-in again');
    expect(n1).not.toBe(n2);
    expectBaseline(signIn1, 'sign-in');
    const signInHtml = await signIn1.text();
    expectScriptsNonced(signInHtml, n1, 'sign-in');

    // The optimistic redirect of a visitor without a cookie.
    const redirect = await request.get('/users', { maxRedirects: 0 });
    expect(redirect.status()).toBe(307);
    expectStrictCsp(redirect, 'redirect');
    expectBaseline(redirect, 'redirect');

    // A route handler, and a 404 (anonymous, so not the sign-in redirect).
    const health = await request.get('/api/health');
    expectStrictCsp(health, '/api/health');
    expectBaseline(health, '/api/health');
    expectNoStore(health, '/api/health');
    const missing = await request.get('/api/no-such-route');
    expect(missing.status()).toBe(404);
    const missingNonce = expectStrictCsp(missing, '404');
    expectBaseline(missing, '404');
    expectScriptsNonced(await missing.text(), missingNonce, '404');

    // A static asset: baseline headers, long-lived caching, no policy needed.
    const asset = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(signInHtml)?.[1];
    expect(asset, 'a /_next/static script on the sign-in page').toBeTruthy();
    const assetRes = await request.get(asset!);
    expect(assetRes.status()).toBe(200);
    expectBaseline(assetRes, 'static asset');
    expect(assetRes.headers()['cache-control']).toContain('immutable');

    // Signed in: a console page, its RSC payload, a server action reply, a signed-in 404, an export.
    const superadmin = await createUser('superadmin');
    await signIn(page, superadmin);
    const users1 = await page.request.get('/users');
    const users2 = await page.request.get('/users');
    expect(users1.status()).toBe(200);
    const u1 = expectStrictCsp(users1, '/users');
    expect(expectStrictCsp(users2, '/users again')).not.toBe(u1);
    expectBaseline(users1, '/users');
    expectNoStore(users1, '/users');
    expectScriptsNonced(await users1.text(), u1, '/users');

    const rsc = await page.request.get('/users', { headers: { RSC: '1' } });
    expect(rsc.status()).toBe(200);
    expect(rsc.headers()['content-type']).toContain('text/x-component');
    expectStrictCsp(rsc, 'RSC payload');
    expectBaseline(rsc, 'RSC payload');
    expectNoStore(rsc, 'RSC payload');

    const action = builtAction('unlockUserAction');
    const actionRes = await page.request.post(action.path, {
      headers: { 'next-action': action.id, 'content-type': 'text/plain;charset=UTF-8', accept: 'text/x-component', origin: E2E.baseURL },
      data: JSON.stringify([{ id: 'not-a-user', reason: 'header check' }]),
      maxRedirects: 0,
    });
    expect(actionRes.status()).toBe(200);
    expect(actionRes.headers()['content-type']).toContain('text/x-component');
    expectStrictCsp(actionRes, 'server action');
    expectBaseline(actionRes, 'server action');
    expectNoStore(actionRes, 'server action');

    const signedInMissing = await page.request.get('/no-such-page');
    expect(signedInMissing.status()).toBe(404);
    expectStrictCsp(signedInMissing, 'signed-in 404');
    expectNoStore(signedInMissing, 'signed-in 404');

    const exportRes = await page.request.get('/api/audit/events/export?format=csv&window=24h');
    expect(exportRes.status()).toBe(200);
    expect(exportRes.headers()['content-type']).toBe('text/csv; charset=utf-8');
    expectBaseline(exportRes, 'export');
    expectNoStore(exportRes, 'export');
    expectStrictCsp(exportRes, 'export');
  });

  test('T39 the violation report endpoint takes a report without a session, logs it without query strings, and refuses anything else', async ({
    request,
  }) => {
    const marker = `/report-check-${Date.now()}`;
    const report = {
      'csp-report': {
        'document-uri': `${E2E.baseURL}${marker}?secret=query-value`,
        'effective-directive': 'script-src-elem',
        'violated-directive': 'script-src-elem',
        'blocked-uri': 'https://evil.example/x.js?token=abc',
        disposition: 'enforce',
      },
    };
    const res = await request.post('/api/csp-report', {
      headers: { 'content-type': 'application/csp-report' },
      data: JSON.stringify(report),
    });
    expect(res.status()).toBe(204);
    expectStrictCsp(res, 'report endpoint');
    const logged = () =>
      fs
        .readFileSync('var/e2e/server.log', 'utf8')
        .split('\n')
        .filter((l) => l.includes(marker));
    await expect.poll(() => logged().length).toBe(1);
    const line = JSON.parse(logged()[0]!) as { level: number; msg: string; csp: Record<string, unknown> };
    expect(line).toMatchObject({
      level: 40,
      msg: 'csp violation',
      csp: { directive: 'script-src-elem', blocked: 'https://evil.example', documentPath: marker },
    });
    expect(logged()[0]).not.toContain('query-value');
    expect(logged()[0]).not.toContain('token=abc');

    const garbage = await request.post('/api/csp-report', { headers: { 'content-type': 'application/csp-report' }, data: '{"nope":1}' });
    expect(garbage.status()).toBe(400);
    const big = await request.post('/api/csp-report', { headers: { 'content-type': 'application/csp-report' }, data: 'x'.repeat(20_000) });
    expect(big.status()).toBe(413);
  });

  test('T39 the console cannot be framed by another origin', async ({ page, cspViolations }) => {
    const superadmin = await createUser('superadmin');
    await signIn(page, superadmin);
    // An attacker's page on another origin (another port of localhost: same site, so the
    // session cookie even goes along) frames the console.
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>evil</title><iframe id="victim" src="${E2E.baseURL}/users" width="800" height="600"></iframe>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // The blocked frame may report its frame-ancestors violation; that one is the point of this test.
    cspViolations.allow((v) => v.effectiveDirective === 'frame-ancestors');
    try {
      const port = (server.address() as AddressInfo).port;
      const framed = page.waitForResponse((r) => r.url() === `${E2E.baseURL}/users`);
      await page.goto(`http://localhost:${port}/`);
      const res = await framed;
      expect(res.status()).toBe(200);
      expect(res.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers()['x-frame-options']).toBe('DENY');
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(frame, 'the iframe').toBeTruthy();
      // The browser replaces the framed document with its own error page: nothing of the console is in it.
      await expect.poll(() => frame!.url(), { timeout: 10_000 }).not.toBe('about:blank');
      expect(frame!.url().startsWith(E2E.baseURL)).toBe(false);
      await expect(frame!.getByRole('navigation', { name: 'Console' })).toHaveCount(0);
      await expect(frame!.getByText('Users')).toHaveCount(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('T39 browsing sign-in → console → users → audit → config raises no CSP violation, and injected inline script is blocked and reported', async ({
    page,
    cspViolations,
  }) => {
    const superadmin = await createUser('superadmin');
    await signIn(page, superadmin);
    const nav = page.getByRole('navigation', { name: 'Console' });
    for (const [link, url] of [
      ['Users', /\/users$/],
      ['Audit trail', /\/audit/],
      ['Configuration', /\/config$/],
      ['Access reviews', /\/access$/],
      ['Overview', /\/$/],
    ] as const) {
      await nav.getByRole('link', { name: link }).click();
      await expect(page).toHaveURL(url);
      await page.waitForLoadState('load');
    }
    // Full page loads as well (server-rendered, not client navigations), including the pages with style attributes.
    for (const path of ['/users', '/audit', '/audit/dashboard', '/config', '/access', '/roles']) {
      await page.goto(path);
      await expect(nav).toBeVisible();
    }
    expect(cspViolations.violations, 'no violation from the app’s own pages').toEqual([]);

    // The listener works and the policy bites: markup injected into the page cannot run script
    // (an inline event handler has no nonce). Scripts that already run may still add scripts —
    // that is what 'strict-dynamic' trusts — so the point is that injected markup never starts.
    await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<img src="data:," onerror="window.__pwned = 1" alt="">');
    });
    await expect.poll(() => cspViolations.violations.length).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(cspViolations.violations[0]).toMatchObject({ effectiveDirective: 'script-src-attr', blockedURI: 'inline' });
    cspViolations.allow((v) => v.effectiveDirective === 'script-src-attr' && v.blockedURI === 'inline');
  });
});

/** One Set-Cookie line, read into its name, value and attributes (names lower-cased). */
function parseSetCookie(line: string) {
  const [pair, ...attrs] = line.split(';').map((s) => s.trim());
  const eq = pair!.indexOf('=');
  const attributes = new Map<string, string>();
  for (const a of attrs) {
    const i = a.indexOf('=');
    attributes.set((i < 0 ? a : a.slice(0, i)).toLowerCase(), i < 0 ? '' : a.slice(i + 1));
  }
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attributes, line };
}

test.describe('[SECURITY] cookies and web storage', () => {
  test('T15 the session and pending sign-in cookies are HttpOnly, SameSite=Strict, Path=/, host-only and small; over http they are not Secure and not __Host-; nothing token-like in web storage', async ({
    page,
  }) => {
    const setCookies: string[] = [];
    const reading: Promise<void>[] = [];
    page.on('response', (res) => {
      if (!res.url().startsWith(E2E.baseURL)) return;
      reading.push(
        res.headersArray().then((headers) => {
          for (const h of headers) if (h.name.toLowerCase() === 'set-cookie') setCookies.push(h.value);
        }),
      );
    });
    const admin = await createUser('admin');
    await signIn(page, admin);
    await page.goto('/account/security');
    await page.goto('/users');
    await Promise.all(reading);

    const cookies = setCookies.map(parseSetCookie);
    const session = cookies.filter((c) => c.name === 'warden.session' && c.value !== '');
    const pending = cookies.filter((c) => c.name === 'warden.pending');
    expect(session.length, 'the session cookie was set').toBeGreaterThan(0);
    expect(pending.filter((c) => c.value !== '').length, 'the pending sign-in cookie was set').toBeGreaterThan(0);
    const deletion = (c: ReturnType<typeof parseSetCookie>) => c.value === '' || c.attributes.get('max-age') === '0';
    for (const c of [...session, ...pending]) {
      // Clearing a cookie (empty value, expired) carries no secret: only its scope must match.
      expect(c.attributes.get('path'), c.line).toBe('/');
      expect(c.attributes.has('domain'), c.line).toBe(false);
      if (deletion(c)) continue;
      expect(c.attributes.has('httponly'), c.line).toBe(true);
      expect(c.attributes.get('samesite')?.toLowerCase(), c.line).toBe('strict');
      expect(c.attributes.get('path'), c.line).toBe('/');
      expect(c.attributes.has('domain'), c.line).toBe(false);
      expect(Buffer.byteLength(c.line), c.line).toBeLessThan(4096);
      // What the code promises on http://localhost: no Secure (the browser would drop it) and no
      // __Host- prefix (it requires Secure). On https both are set (lib/auth next-auth.ts, pending-login.ts).
      expect(c.attributes.has('secure'), c.line).toBe(false);
    }
    expect(cookies.some((c) => c.name.startsWith('__Host-'))).toBe(false);

    // Nothing for scripts: the cookie is invisible to document.cookie, and web storage holds no token.
    const sessionValue = session.at(-1)!.value;
    const seen = await page.evaluate(() => ({
      cookie: document.cookie,
      local: Object.entries(localStorage),
      session: Object.entries(sessionStorage),
    }));
    expect(seen.cookie).not.toContain('warden.session');
    expect(seen.cookie).not.toContain('warden.pending');
    for (const [key, value] of [...seen.local, ...seen.session]) {
      expect(value, key).not.toContain(sessionValue.slice(0, 32));
      expect(value, key).not.toMatch(/[A-Za-z0-9_-]{32,}/);
      expect(value, key).not.toMatch(/eyJ[A-Za-z0-9_-]+\./);
    }
    expect({ local: seen.local.map(([k]) => k), session: seen.session.map(([k]) => k) }).toEqual({ local: [], session: [] });
  });
});
