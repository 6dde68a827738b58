import { addPasskey } from '../actions';
import { createUser, e2eDb, expect, signIn, test } from '../fixtures';

/**
 * Signed intents (issue 13) through Chromium's virtual authenticator: an admin's
 * passkey step-up signs the intent of exactly one suspension; the audit event stores
 * the intent and the assertion; an auditor opening the event sees "Signed by passkey
 * … of <admin> — signature verified" with the intent in words.
 */
test.describe('[ADMIN][AUDITOR][PASSKEY] signed intents', () => {
  test.setTimeout(180_000);

  test('an admin with only an authenticator app is told to add a passkey before a critical operation; nothing changes until it is signed', async ({
    page,
  }) => {
    const admin = await createUser('admin');
    const victim = await createUser('support');
    await signIn(page, admin);
    // The console says so up front, with the way to fix it.
    const banner = page.getByTestId('passkey-needed-banner');
    await expect(banner).toContainText('must be signed with a passkey');
    await expect(banner.getByRole('link', { name: 'Add a passkey' })).toHaveAttribute('href', '/account/security');

    const deleteWith = async () => {
      await page.goto(`/users/${victim.id}`);
      await page.getByRole('region', { name: 'Actions' }).getByRole('button', { name: 'Delete user', exact: true }).click();
      const dialog = page.getByRole('dialog').filter({ has: page.getByLabel(/^Type /) });
      await dialog.getByLabel(/^Reason/).fill('Account closed on request (HR-77)');
      await dialog.getByLabel(/^Type /).fill(victim.email);
      await dialog.getByRole('button', { name: 'Delete user', exact: true }).click();
      return dialog;
    };
    // No code prompt: the operation cannot be confirmed by code, and the dialog says what to do.
    const dialog = await deleteWith();
    await expect(dialog.getByText(/critical operation: it must be signed with a passkey/)).toBeVisible({ timeout: 15_000 });
    await expect(page.getByRole('dialog', { name: 'Confirm it’s you' })).toHaveCount(0);
    await page.screenshot({ path: 'test-results/screens/critical-needs-passkey.png', fullPage: true });
    const db = await e2eDb();
    expect((await db.user.findUniqueOrThrow({ where: { id: victim.id } })).deletedAt).toBeNull();

    // With a passkey the banner is gone and the same deletion runs, signed.
    await addPasskey(page, admin);
    await expect(page.getByTestId('passkey-needed-banner')).toHaveCount(0);
    await deleteWith();
    await expect(page).toHaveURL(/\/users$/, { timeout: 15_000 });
    const event = await db.auditEvent.findFirstOrThrow({ where: { operation: 'user.delete', targetId: victim.id, outcome: 'success' } });
    expect(JSON.parse(event.details)).toMatchObject({
      stepUpMethod: 'passkey',
      signature: { intent: expect.stringContaining('"user.delete"') },
    });
  });

  test('a passkey step-up signs the operation; the event detail shows the verified signature and what was signed', async ({
    page,
    browser,
  }) => {
    const admin = await createUser('admin');
    const target = await createUser('support');
    const reason = 'Signed intent e2e, INC-1313';
    await signIn(page, admin);
    await addPasskey(page, admin);

    await page.goto(`/users/${target.id}`);
    await page.getByRole('region', { name: 'Actions' }).getByRole('button', { name: 'Suspend', exact: true }).click();
    const dialog = page.getByRole('dialog').filter({ has: page.getByRole('button', { name: 'Suspend user', exact: true }) });
    await dialog.getByLabel(/^Reason/).fill(reason);
    await dialog.getByRole('button', { name: 'Suspend user', exact: true }).click();
    await expect(dialog).toBeHidden({ timeout: 15_000 });
    // The signing dialog closes with the passkey ceremony.
    // (Each step-up control on the page has its own dialog element; none is left open.)
    await expect(page.locator('[data-testid="signing-dialog"][open]')).toHaveCount(0);

    const db = await e2eDb();
    await expect.poll(async () => (await db.user.findUniqueOrThrow({ where: { id: target.id } })).status).toBe('suspended');
    const event = await db.auditEvent.findFirstOrThrow({
      where: { operation: 'user.suspend', targetId: target.id, outcome: 'success' },
    });
    const details = JSON.parse(event.details) as { stepUpMethod?: string; signature?: { format: string; intent: string } };
    expect(details.stepUpMethod).toBe('passkey');
    expect(details.signature?.format).toBe('warden.intent.v1');
    expect(JSON.parse(details.signature!.intent)).toMatchObject({
      operation: 'user.suspend',
      input: { id: target.id, reason },
      targets: [target.id],
      actor: admin.id,
    });

    const auditor = await createUser('auditor');
    const context = await browser.newContext();
    const auditorPage = await context.newPage();
    await signIn(auditorPage, auditor);
    await auditorPage.goto(`/audit/events/${event.seq}`);
    const evidence = auditorPage.getByTestId('event-signature');
    await expect(evidence).toContainText('Signed by passkey “E2E key” of');
    await expect(evidence).toContainText(admin.name);
    await expect(evidence).toContainText('signature verified');
    await evidence.getByText('What was signed').click();
    const words = evidence.getByTestId('intent-words');
    await expect(words).toContainText('user.suspend');
    await expect(words).toContainText(target.id);
    await expect(words).toContainText(reason);
    await context.close();
  });
});
