import { auditEventsFor, createUser, e2eDb, expect, signIn, test } from '../fixtures';

const GENERIC = 'The email or password is incorrect, or this account cannot sign in.';

test.describe('[AUTH] sign-in and sign-out', () => {
  test('[ADMIN][SIGN_IN] signs in, lands on the overview, and is audited', async ({ page }) => {
    const admin = await createUser('admin');
    await signIn(page, admin);
    await expect(page.getByRole('heading', { name: `Welcome, ${admin.name}` })).toBeVisible();
    await expect(page.getByTestId('viewer-role')).toHaveText('admin');
    const events = await auditEventsFor(admin.id);
    expect(events.map((e) => [e.operation, e.outcome])).toContainEqual(['auth.sign_in', 'success']);
    const db = await e2eDb();
    expect(await db.session.count({ where: { userId: admin.id, revokedAt: null } })).toBe(1);
  });

  test('[AUTH][SIGN_IN] a wrong password and an unknown email get the same generic message', async ({ page }) => {
    const admin = await createUser('admin');
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill('definitely not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.locator('#sign-in-error')).toHaveText(GENERIC);

    await page.getByLabel('Email').fill('nobody-here@e2e.warden.test');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.locator('#sign-in-error')).toHaveText(GENERIC);
    await expect(page).toHaveURL(/\/sign-in/);

    const db = await e2eDb();
    const row = await db.user.findUniqueOrThrow({ where: { id: admin.id } });
    expect(row.failedLoginCount).toBe(1);
    const events = await auditEventsFor(admin.id);
    expect(events.map((e) => [e.operation, e.outcome, e.reasonCode])).toContainEqual(['auth.sign_in', 'failure', 'bad_password']);
    expect(await db.session.count({ where: { userId: admin.id } })).toBe(0);
  });

  test('[AUTH][SIGN_IN] a disabled user and a member cannot sign in, with the same message', async ({ page }) => {
    for (const user of [await createUser('admin', { status: 'disabled' }), await createUser('member')]) {
      await page.goto('/sign-in');
      await page.getByLabel('Email').fill(user.email);
      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect(page.locator('#sign-in-error')).toHaveText(GENERIC);
      const events = await auditEventsFor(user.id);
      expect(events.at(-1)?.outcome).toBe('denied');
    }
  });

  test('[ADMIN][SIGN_OUT] signing out revokes the session row and returns to sign-in', async ({ page }) => {
    const admin = await createUser('admin');
    await signIn(page, admin);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto('/');
    await expect(page).toHaveURL(/\/sign-in/);
    const db = await e2eDb();
    const sessions = await db.session.findMany({ where: { userId: admin.id } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.revokedReason).toBe('sign_out');
    const events = await auditEventsFor(admin.id);
    expect(events.map((e) => e.operation)).toContain('auth.sign_out');
  });

  test('T14 T15 a planted cookie is ignored and replaced at sign-in; the session cookie is HttpOnly, SameSite=Strict, small; no tokens in web storage', async ({
    page,
    context,
    baseURL,
  }) => {
    await context.addCookies([{ name: 'warden.session', value: 'planted-by-an-attacker', url: baseURL ?? '' }]);
    const admin = await createUser('admin');
    await signIn(page, admin);
    const cookie = (await context.cookies()).find((c) => c.name === 'warden.session');
    expect(cookie?.value).toBeTruthy();
    expect(cookie?.value).not.toBe('planted-by-an-attacker');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect((cookie?.name.length ?? 0) + (cookie?.value.length ?? 0)).toBeLessThan(4096);
    const storage = await page.evaluate(() => ({ local: Object.keys(localStorage), session: Object.keys(sessionStorage) }));
    expect(storage).toEqual({ local: [], session: [] });
  });
});
