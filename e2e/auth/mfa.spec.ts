import type { CDPSession, Page } from '@playwright/test';
import { generateRecoveryCodes } from '../../lib/auth/recovery-codes';
import { totpCodeAt } from '../../lib/auth/totp';
import { auditEventsFor, createUser, e2eDb, expect, freshTotpCode, setServerClock, signIn, test } from '../fixtures';

async function enterPassword(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Chromium's virtual authenticator (CTAP2, internal, resident keys, user verification). */
async function addVirtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

test.describe('[AUTH] multi-factor sign-in', () => {
  test('[ADMIN][ENROL] a console user without a second factor reaches only enrolment, enrols TOTP and gets recovery codes', async ({
    page,
  }) => {
    const admin = await createUser('admin', { totp: false });
    await enterPassword(page, admin.email, admin.password);
    await expect(page).toHaveURL(/\/account\/security/);
    await expect(page.getByRole('navigation', { name: 'Console' }).getByRole('link')).toHaveText(['Account security']);
    await page.goto('/users');
    await expect(page).toHaveURL(/\/account\/security/);

    const secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.getByLabel('Code from the app').fill(totpCodeAt(secret, new Date()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await expect(page.getByTestId('recovery-codes').getByRole('listitem')).toHaveCount(10);

    await page.goto('/users');
    await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
    const db = await e2eDb();
    const row = await db.user.findUniqueOrThrow({ where: { id: admin.id } });
    expect(row.totpSecretEnc).toMatch(/^v1:/);
    expect(row.totpSecretEnc).not.toContain(secret);
    const ops = (await auditEventsFor(admin.id)).map((e) => e.operation);
    expect(ops).toEqual(expect.arrayContaining(['account.totp_enable', 'account.recovery_codes_generate']));
  });

  test('T04 between the password and the second factor nothing else is reachable, and the step expires', async ({
    page,
    request,
    browser,
  }) => {
    // A real server-action request (its id and body), captured from another, signed-in browser.
    const other = await browser.newPage();
    await signIn(other, await createUser('auditor'));
    const captured = other.waitForRequest((r) => r.method() === 'POST' && !!r.headers()['next-action']);
    await other.getByRole('button', { name: 'Sign out' }).click();
    const action = await captured;
    await other.close();

    const admin = await createUser('admin');
    await enterPassword(page, admin.email, admin.password);
    await expect(page).toHaveURL(/\/sign-in\/verify/);
    const names = (await page.context().cookies()).map((c) => c.name);
    expect(names).toContain('warden.pending');
    expect(names).not.toContain('warden.session');
    for (const path of ['/', '/users', '/account/security']) {
      await page.goto(path);
      await expect(page).toHaveURL(/\/sign-in/);
    }
    // The pending cookie (plus a forged session cookie, so the optimistic proxy lets it
    // through) must not run a console action: the action itself refuses.
    const pending = (await page.context().cookies()).find((c) => c.name === 'warden.pending')?.value ?? '';
    const replay = await request.post(new URL(action.url()).pathname, {
      headers: {
        cookie: `warden.pending=${pending}; warden.session=forged-value`,
        'next-action': action.headers()['next-action'] ?? '',
        'content-type': action.headers()['content-type'] ?? 'text/plain;charset=UTF-8',
      },
      data: action.postData() ?? '[{}]',
      maxRedirects: 0,
    });
    expect(await replay.text()).toContain('UNAUTHENTICATED');
    await page.goto('/sign-in/verify');
    await setServerClock(request, 5 * 60_000 + 1000);
    await page.getByLabel('Authenticator code').fill(await freshTotpCode(admin));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    const db = await e2eDb();
    expect(await db.session.count({ where: { userId: admin.id } })).toBe(0);
  });

  test('T07 five wrong codes end the pending sign-in and count on the account', async ({ page }) => {
    const auditor = await createUser('auditor');
    await enterPassword(page, auditor.email, auditor.password);
    for (let i = 0; i < 4; i++) {
      await page.getByLabel('Authenticator code').fill('000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      await expect(page.getByRole('status').last()).toHaveText('That code did not work. Check it and try again.');
    }
    await page.getByLabel('Authenticator code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    const db = await e2eDb();
    const row = await db.user.findUniqueOrThrow({ where: { id: auditor.id } });
    expect(row.failedLoginCount).toBe(5);
    const failures = (await auditEventsFor(auditor.id)).filter((e) => e.operation === 'auth.second_factor' && e.outcome === 'failure');
    expect(failures).toHaveLength(5);
  });

  test('[AUDITOR][RECOVERY] a recovery code signs in once and the security page warns about it', async ({ page }) => {
    const auditor = await createUser('auditor');
    const db = await e2eDb();
    const codes = await db.$transaction((tx) => generateRecoveryCodes(tx, auditor.id));
    const code = codes[0] ?? '';
    await enterPassword(page, auditor.email, auditor.password);
    await page.getByRole('link', { name: 'Lost your device? Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(code.toUpperCase());
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
    await page.goto('/account/security');
    await expect(page.getByText('A recovery code was used to sign in to your account')).toBeVisible();
    await expect(page.getByTestId('recovery-codes-left')).toHaveText('9');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await enterPassword(page, auditor.email, auditor.password);
    await page.getByRole('link', { name: 'Lost your device? Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByRole('status').last()).toHaveText('That code did not work. Check it and try again.');
    const events = (await auditEventsFor(auditor.id)).filter((e) => e.operation === 'auth.second_factor');
    expect(events.map((e) => [e.outcome, JSON.parse(e.details).factor])).toEqual([
      ['success', 'rc'],
      ['failure', 'rc'],
    ]);
  });

  test('T11 T13 T14 [SUPPORT][PASSKEY] registers a passkey only after a step-up, signs in with it alone (never without user verification), and removes it with a passkey step-up', async ({
    page,
  }) => {
    const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
    const support = await createUser('support');
    await signIn(page, support);
    await page.goto('/account/security');
    await page.getByLabel('Name for a new passkey').fill('Laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.getByLabel('Authenticator code').fill(await freshTotpCode(support));
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByTestId('passkey-row')).toHaveCount(1);
    await expect(page.getByTestId('passkey-row')).toContainText('Laptop');
    await page.screenshot({ path: 'test-results/screens/account-security.png', fullPage: true });

    const db = await e2eDb();
    const credential = await db.webAuthnCredential.findFirstOrThrow({ where: { userId: support.id } });
    expect(credential.algorithm).toBe(-7); // ES256: first in the options, as most devices choose

    // Passkey alone (usernameless, user verification) is a full sign-in.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
    const session = await db.session.findFirstOrThrow({ where: { userId: support.id, revokedAt: null } });
    expect(session.amr).toBe('hwk');

    // T14: the step-up rotates the session secret; T23: the proof is bound to this passkey id.
    await page.goto('/account/security');
    const before = (await page.context().cookies()).find((c) => c.name === 'warden.session')?.value;
    await page.getByRole('button', { name: 'Remove passkey Laptop' }).click();
    await expect(page.getByTestId('passkey-row')).toHaveCount(0);
    const after = (await page.context().cookies()).find((c) => c.name === 'warden.session')?.value;
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    const stepUps = (await auditEventsFor(support.id)).filter((e) => e.operation === 'auth.step_up' && e.outcome === 'success');
    expect(stepUps.map((e) => JSON.parse(e.details).forOperation)).toEqual(['account.passkey_register', 'account.passkey_remove']);
    expect((await auditEventsFor(support.id)).map((e) => e.operation)).toEqual(
      expect.arrayContaining(['account.passkey_register', 'account.passkey_remove']),
    );

    // T11: without user verification no sign-in happens. The server demands UV
    // (userVerification "required", and it re-checks the UV flag: see the
    // integration suite for forged UV=0 assertions); Chromium refuses first.
    await page.getByLabel('Name for a new passkey').fill('Second');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await dialog.getByLabel('Authenticator code').fill(await freshTotpCode(support));
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByTestId('passkey-row')).toHaveCount(1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    const sessionsBefore = await db.session.count({ where: { userId: support.id } });
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(page.getByRole('status').last()).not.toBeEmpty();
    await expect(page).toHaveURL(/\/sign-in/);
    expect(await db.session.count({ where: { userId: support.id } })).toBe(sessionsBefore);
  });

  test('T21 changing the password needs a step-up and the current password, and ends other sessions', async ({ page }) => {
    test.setTimeout(120_000);
    const admin = await createUser('admin');
    await signIn(page, admin);
    const db = await e2eDb();
    const elsewhere = await db.session.create({
      data: {
        tokenHash: `other-${admin.id}`,
        userId: admin.id,
        sessionVersion: 0,
        authTime: new Date(),
        lastSeenAt: new Date(),
        expiresAt: new Date(Date.now() + 3600_000),
      },
    });
    await page.goto('/account/security');
    const newPassword = 'a brand new passphrase for tests';
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });

    await page.getByLabel('Current password').fill('not my current password');
    await page.getByLabel('New password', { exact: false }).first().fill(newPassword);
    await page.getByLabel('Repeat the new password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await dialog.getByLabel('Authenticator code').fill(await freshTotpCode(admin));
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByText('Your current password is not right.').first()).toBeVisible();

    await page.getByLabel('Current password').fill(admin.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await dialog.getByLabel('Authenticator code').fill(await freshTotpCode(admin));
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByText('Password changed. 1 other session(s) ended.')).toBeVisible();

    const ended = await db.session.findUniqueOrThrow({ where: { id: elsewhere.id } });
    expect(ended.revokedReason).toBe('password_changed');
    const outcomes = (await auditEventsFor(admin.id)).filter((e) => e.operation === 'account.password_change').map((e) => e.outcome);
    expect(outcomes).toEqual(['failure', 'success']);
    const stepUps = (await auditEventsFor(admin.id)).filter((e) => e.operation === 'auth.step_up');
    expect(stepUps.every((e) => !e.details.includes(newPassword) && !e.details.includes(admin.password))).toBe(true);
  });

  test('[ADMIN][PASSKEY] an EdDSA passkey registers, can be renamed, and signs in alone', async ({ page }) => {
    await addVirtualAuthenticator(page);
    const admin = await createUser('admin');
    await signIn(page, admin);
    await page.goto('/account/security');
    // Make this authenticator choose EdDSA, as a device that prefers it would: list EdDSA
    // first in the options it receives. The server accepts either of its two algorithms.
    await page.route('**/account/security', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const response = await route.fetch();
      const body = (await response.text()).replace(
        /\[\{"alg":-7,"type":"public-key"\},\{"alg":-8,"type":"public-key"\}\]/,
        '[{"alg":-8,"type":"public-key"},{"alg":-7,"type":"public-key"}]',
      );
      await route.fulfill({ response, body });
    });
    await page.getByLabel('Name for a new passkey').fill('Ed key');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await dialog.getByLabel('Authenticator code').fill(await freshTotpCode(admin));
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(page.getByTestId('passkey-row')).toContainText('Ed key');
    const db = await e2eDb();
    const credential = await db.webAuthnCredential.findFirstOrThrow({ where: { userId: admin.id } });
    expect(credential.algorithm).toBe(-8);

    await page.getByRole('button', { name: 'Rename passkey Ed key' }).click();
    await page.getByLabel('New name for Ed key').fill('Security key (EdDSA)');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId('passkey-row')).toContainText('Security key (EdDSA)');
    expect((await auditEventsFor(admin.id)).map((e) => e.operation)).toContain('account.passkey_rename');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
    const used = await db.webAuthnCredential.findUniqueOrThrow({ where: { id: credential.id } });
    expect(used.lastUsedAt).not.toBeNull();
  });
});
