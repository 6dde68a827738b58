import { auditEventsFor, clientAddress, createUser, e2eDb, expect, setServerClock, signIn, test } from '../fixtures';

const MIN = 60_000;

test.describe('[AUTH] sessions end on the server', () => {
  test('T18 a session cookie copied before sign-out is refused afterwards, for pages and server actions', async ({ page, playwright }) => {
    const admin = await createUser('admin');
    await signIn(page, admin);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'warden.session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');

    // Something the console's origin keeps in the browser, to see Clear-Site-Data act on it.
    await page.evaluate(() => window.localStorage.setItem('warden-t18', 'kept before sign-out'));

    // Capture the real sign-out server-action request (its id and body) to replay later.
    const actionRequest = page.waitForRequest((r) => r.method() === 'POST' && !!r.headers()['next-action']);
    const cleared = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/auth/signed-out');
    await page.getByRole('button', { name: 'Sign out' }).click();
    const captured = await actionRequest;
    await expect(page).toHaveURL(/\/sign-in/);
    // Sign-out tells the browser to forget this origin's cache, cookies and storage, and it does.
    const clearing = await cleared;
    expect(clearing.status()).toBe(204);
    expect((await clearing.allHeaders())['clear-site-data']).toBe('"cache", "cookies", "storage"');
    expect(await page.evaluate(() => window.localStorage.getItem('warden-t18'))).toBeNull();
    expect((await page.context().cookies()).filter((c) => c.name === 'warden.session')).toEqual([]);

    const attacker = await playwright.request.newContext({
      baseURL: page.url().replace(/\/sign-in.*$/, ''),
      extraHTTPHeaders: { cookie: `warden.session=${session?.value}` },
    });
    const pageResponse = await attacker.get('/', { maxRedirects: 0 });
    expect(pageResponse.status()).toBe(307);
    expect(pageResponse.headers().location).toMatch(/\/sign-in/);
    const usersResponse = await attacker.get('/users', { maxRedirects: 0 });
    expect([307, 303, 302]).toContain(usersResponse.status());

    const db = await e2eDb();
    const row = await db.session.findFirstOrThrow({ where: { userId: admin.id } });
    expect(row.revokedAt).not.toBeNull();
    const before = (await auditEventsFor(admin.id)).length;
    const replay = await attacker.post(new URL(captured.url()).pathname, {
      headers: {
        'next-action': captured.headers()['next-action'] ?? '',
        'content-type': captured.headers()['content-type'] ?? 'text/plain;charset=UTF-8',
      },
      data: captured.postData() ?? '[{}]',
      maxRedirects: 0,
    });
    expect(await replay.text()).toContain('UNAUTHENTICATED');
    expect((await auditEventsFor(admin.id)).length).toBe(before);
    await attacker.dispose();
  });

  test('T16 an admin session survives 29 idle minutes and ends after 30; actions then answer UNAUTHENTICATED', async ({
    page,
    request,
  }) => {
    const admin = await createUser('admin');
    await signIn(page, admin);
    await setServerClock(request, 29 * MIN);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' }).click();
    await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();

    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'My sessions' }).click();
    await expect(page.getByRole('heading', { name: 'My sessions' })).toBeVisible();
    await setServerClock(request, (29 + 31) * MIN);
    // An in-page action first: the server refuses it (not the client).
    await page.getByRole('button', { name: 'Sign out here' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
    await expect(page.getByRole('dialog').getByRole('status')).toContainText('Your session has ended');
    await page.goto('/users');
    await expect(page).toHaveURL(/\/sign-in/);

    const db = await e2eDb();
    const row = await db.session.findFirstOrThrow({ where: { userId: admin.id } });
    expect(row.revokedReason).toBe('expired_idle');
    const ends = (await auditEventsFor(admin.id)).filter((e) => e.operation === 'session.end');
    expect(ends.map((e) => e.reasonCode)).toEqual(['expired_idle']);
  });

  test('T16 a superadmin session ends after 15 idle minutes', async ({ page, request }) => {
    const sa = await createUser('superadmin');
    await signIn(page, sa);
    await setServerClock(request, 14 * MIN);
    await page.goto('/audit');
    await expect(page.getByRole('heading', { name: 'Audit trail' })).toBeVisible();
    await setServerClock(request, (14 + 16) * MIN);
    await page.goto('/audit');
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test('T17 a session active every 5 minutes still ends 12 hours after sign-in', async ({ page, request }) => {
    test.setTimeout(180_000);
    const admin = await createUser('admin');
    await signIn(page, admin);
    for (let minutes = 5; minutes < 12 * 60; minutes += 5) {
      await setServerClock(request, minutes * MIN);
      const res = await page.request.get('/account/sessions', { maxRedirects: 0 });
      expect(res.status(), `still signed in after ${minutes} minutes`).toBe(200);
    }
    await setServerClock(request, (12 * 60 + 5) * MIN);
    await page.goto('/account/sessions');
    await expect(page).toHaveURL(/\/sign-in/);
    const db = await e2eDb();
    const row = await db.session.findFirstOrThrow({ where: { userId: admin.id } });
    expect(row.revokedReason).toBe('expired_absolute');
  });

  test('T19 ending one of my sessions from another browser signs that browser out on its next request', async ({ browser }) => {
    const auditor = await createUser('auditor');
    const a = await browser.newContext();
    const b = await browser.newContext();
    const pageA = await a.newPage();
    const pageB = await b.newPage();
    await signIn(pageB, auditor);
    await signIn(pageA, auditor);

    await pageA.goto('/account/sessions');
    const rows = pageA.getByTestId('session-row');
    await expect(rows).toHaveCount(2);
    const other = rows.filter({ hasNotText: 'This browser' });
    await expect(other).toContainText(/Chrome on \w+/);
    await expect(other).toContainText(clientAddress());
    await other.getByRole('button', { name: 'End session' }).click();
    const dialog = pageA.getByRole('dialog');
    await expect(dialog).toContainText('will be signed out on its next request');
    await dialog.getByRole('button', { name: 'End session' }).click();
    await expect(dialog).toBeHidden();
    await expect(rows).toHaveCount(1);

    await pageB.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit trail' }).click();
    await expect(pageB).toHaveURL(/\/sign-in/);
    // A is unaffected.
    await pageA.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit trail' }).click();
    await expect(pageA.getByRole('heading', { name: 'Audit trail' })).toBeVisible();

    const revokes = (await auditEventsFor(auditor.id)).filter((e) => e.operation === 'session.revoke');
    expect(revokes).toHaveLength(1);
    expect(revokes[0]?.outcome).toBe('success');
    await a.close();
    await b.close();
  });
});
