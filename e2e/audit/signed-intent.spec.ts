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
