import { expect, test, type Page, type Response } from '@playwright/test';
import { freshTotpCode } from '../e2e/fixtures';
import { MULTI } from './env';
import { callActionOn, createUserOn, multiDb, signedInOn } from './helpers';

const A = MULTI.urls.a;
const B = MULTI.urls.b;

/** The first response of a navigation (before any redirect it led to). */
function firstResponseOf(response: Response | null): Promise<Response | null> {
  let request = response?.request();
  while (request?.redirectedFrom()) request = request.redirectedFrom()!;
  return request ? request.response() : Promise.resolve(null);
}

/** Asserts that the very next request of `page`, a page on instance B, is refused: redirected to B's sign-in. */
async function expectRefusedOnB(page: Page, path: string) {
  const response = await page.goto(`${B}${path}`);
  const first = await firstResponseOf(response);
  expect(first?.url()).toBe(`${B}${path}`);
  expect([302, 303, 307]).toContain(first?.status());
  expect(first?.headers().location).toMatch(/\/sign-in/);
  await expect(page).toHaveURL(new RegExp(`^${B}/sign-in`));
  await expect(page.getByRole('navigation', { name: 'Console' })).toHaveCount(0);
}

test.describe('[MULTI] sessions live in the database, not in one instance', () => {
  test('a session signed in on instance A works on instance B; when the user ends it from another browser on A, B refuses it on its very next request', async ({
    browser,
    playwright,
  }) => {
    const admin = await createUserOn('admin');
    // The laptop signs in through instance A and then works on instance B with the same session.
    const laptop = await signedInOn(browser, 'a', admin);
    await laptop.goto(`${B}/account/sessions`);
    await expect(laptop.getByRole('heading', { name: 'My sessions' })).toBeVisible();
    const laptopCookie = (await laptop.context().cookies(B)).find((c) => c.name === 'warden.session');
    expect(laptopCookie, 'the laptop has a session cookie for B as well').toBeTruthy();

    // The phone, on instance A, ends every other session of the same person.
    const phone = await signedInOn(browser, 'a', admin);
    await phone.goto('/account/sessions');
    await phone.getByRole('button', { name: 'End all other sessions' }).click();
    const dialog = phone.getByRole('dialog');
    await dialog.getByRole('button', { name: /^End \d+ sessions?$/ }).click();
    await expect(dialog).toBeHidden({ timeout: 15_000 });
    await expect(phone.getByRole('button', { name: 'End all other sessions' })).toBeDisabled();

    // The laptop's very next request, to instance B: refused, to B's sign-in page.
    await expectRefusedOnB(laptop, '/users');

    // A server action on B with the laptop's old cookie is refused as well, and changes nothing.
    const replay = await playwright.request.newContext({ extraHTTPHeaders: { cookie: `warden.session=${laptopCookie!.value}` } });
    const reply = await callActionOn(replay, 'b', 'revokeOtherSessionsAction', [{}]);
    expect(reply.code).toBe('UNAUTHENTICATED');
    await replay.dispose();

    // The phone, which ended the others, still works on B.
    await phone.goto(`${B}/account/sessions`);
    await expect(phone.getByRole('heading', { name: 'My sessions' })).toBeVisible();

    const db = await multiDb();
    const sessions = await db.session.findMany({ where: { userId: admin.id }, select: { revokedAt: true } });
    expect(sessions.filter((s) => s.revokedAt === null)).toHaveLength(1);
    await laptop.context().close();
    await phone.context().close();
  });

  test('a sign-in whose password is checked on instance A completes with the authenticator code on instance B', async ({ browser }) => {
    const admin = await createUserOn('admin');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${A}/sign-in`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`^${A}/sign-in/verify`));
    // A proxy may send the next request anywhere: the pending sign-in is in the database, not in A.
    await page.goto(`${B}/sign-in/verify`);
    await page.getByLabel('Authenticator code').fill(await freshTotpCode(admin));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`^${B}/`));
    await page.goto(`${A}/account/sessions`);
    await expect(page.getByRole('heading', { name: 'My sessions' })).toBeVisible();
    await context.close();
  });

  test('a superadmin on instance A ends a support agent’s sessions; the agent’s open page on instance B is signed out on its next request', async ({
    browser,
  }) => {
    const support = await createUserOn('support');
    const superadmin = await createUserOn('superadmin');
    // The agent signed in through B and works there.
    const agent = await signedInOn(browser, 'b', support);
    await agent.goto('/account/sessions');
    await expect(agent.getByRole('heading', { name: 'My sessions' })).toBeVisible();

    // The superadmin, on A, ends all of the agent's sessions (a step-up with the authenticator app).
    const admin = await signedInOn(browser, 'a', superadmin);
    await admin.goto(`/users?q=${encodeURIComponent(support.email)}`);
    await admin.getByTestId('user-row').getByRole('link').first().click();
    await expect(admin).toHaveURL(/\/users\/[A-Za-z0-9_-]+$/);
    await expect(admin.getByTestId('user-session-row')).toHaveCount(1);
    await admin.getByRole('region', { name: 'Actions' }).getByRole('button', { name: 'End all sessions', exact: true }).click();
    const dialog = admin.getByRole('dialog').filter({ has: admin.getByRole('button', { name: 'End all sessions', exact: true }) });
    await dialog.getByLabel(/^Reason/).fill('Multi-instance test: laptop reported stolen');
    await dialog.getByRole('button', { name: 'End all sessions', exact: true }).click();
    const stepUp = admin.getByRole('dialog', { name: 'Confirm it’s you' });
    await stepUp.getByLabel('Authenticator code').fill(await freshTotpCode(superadmin));
    await stepUp.getByRole('button', { name: 'Confirm' }).click();
    await expect(dialog).toBeHidden({ timeout: 15_000 });
    await expect(admin.getByTestId('user-session-row')).toHaveCount(0);

    // The agent's next request, on B: refused.
    await expectRefusedOnB(agent, '/account/sessions');
    await agent.context().close();
    await admin.context().close();
  });
});
