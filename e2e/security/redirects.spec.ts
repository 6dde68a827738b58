import type { Page } from '@playwright/test';
import { E2E } from '../env';
import { createUser, expect, freshTotpCode, test, type TestUser } from '../fixtures';

/**
 * Post-sign-in redirects (SECURITY.md T34): whatever `callbackUrl` a link
 * carries, signing in ends on the app's origin — the path it names when that
 * is a plain same-origin path, `/` otherwise. The browser never even requests
 * another host, no script URL runs, and nothing secret appears in the URL.
 */

const APP = new URL(E2E.baseURL).origin;

/** Off-site targets in the encodings attackers use; each must end on `/`. */
const OFF_SITE = [
  'https://evil.example',
  '//evil.example',
  '/\\evil.example',
  '%2F%2Fevil.example',
  'https:%2F%2Fevil.example',
  'javascript:alert(1)',
  '/%09/evil.example',
  'http://localhost:3000@evil.example',
  `${APP}@evil.example`,
  '/.//evil.example',
  '/%2F%2Fevil.example',
  '\\\\evil.example',
  'data:text/html,<script>alert(1)</script>',
];

/** Signs in through the pages starting from `url`, ending wherever the app sends the browser. */
async function signInFrom(page: Page, url: string, user: TestUser) {
  await page.goto(url);
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in\/verify/);
  const code = await freshTotpCode(user);
  await page.getByLabel('Authenticator code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).not.toHaveURL(/\/sign-in/);
  return code;
}

/** Watches a page for anything leaving the app's origin, and for script dialogs. */
function watch(page: Page) {
  const offSite: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol.startsWith('http') && u.origin !== APP) offSite.push(r.url());
  });
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame() && !f.url().startsWith(APP) && f.url() !== 'about:blank') offSite.push(f.url());
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { offSite, dialogs };
}

test.describe('[SECURITY] post-sign-in redirects', () => {
  test('T34 sign-in with an off-site callbackUrl in any encoding ends on the app origin at /', async ({ browser }) => {
    test.setTimeout(240_000);
    for (const target of OFF_SITE) {
      // One user per target: at most two sign-ins, two authenticator codes (each step is accepted once).
      const user = await createUser('admin');
      // Both as the link carries it verbatim and as a properly encoded parameter.
      for (const query of [encodeURIComponent(target), target]) {
        const context = await browser.newContext();
        const page = await context.newPage();
        const seen = watch(page);
        const code = await signInFrom(page, `/sign-in?callbackUrl=${query}`, user);
        const landed = new URL(page.url());
        expect(landed.origin, `${target} (${query})`).toBe(APP);
        expect(landed.pathname, `${target} (${query})`).toBe('/');
        await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
        expect(seen.offSite, target).toEqual([]);
        expect(seen.dialogs, target).toEqual([]);
        // No secrets in the URL at any step.
        expect(page.url()).not.toContain(code);
        expect(page.url()).not.toContain(encodeURIComponent(user.password));
        await context.close();
        if (query === target) break; // already the same string
      }
    }
  });

  test('T34 a same-origin callbackUrl (added by the proxy for a cookie-less visit) is honoured', async ({ page }) => {
    const user = await createUser('admin');
    const seen = watch(page);
    await signInFrom(page, '/users?page=1', user);
    await expect(page).toHaveURL(`${APP}/users?page=1`);
    await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
    expect(seen.offSite).toEqual([]);
  });

  test('T34 a cookie-less visit to a protocol-relative-looking path still ends on the app origin', async ({ page }) => {
    const user = await createUser('admin');
    const seen = watch(page);
    await signInFrom(page, `${APP}//evil.example/users`, user);
    expect(new URL(page.url()).origin).toBe(APP);
    expect(seen.offSite).toEqual([]);
  });
});
