import { addPasskey } from '../actions';
import { auditEventsFor, createUser, e2eDb, expect, signIn, test, verifyAuditChain } from '../fixtures';

test.describe('[SUPERADMIN][ROLE_SUSPEND] suspending a whole role', () => {
  test.setTimeout(150_000);
  test.afterEach(async () => {
    // Never leave the shared e2e database with a suspended role, whatever happened above.
    const db = await e2eDb();
    await db.roleState.updateMany({ where: { role: 'support' }, data: { suspended: false, suspendedAt: null } });
  });

  test('T20 a support user is refused on the next request after the support role is suspended, and can sign in again after reactivation', async ({
    page,
    browser,
  }) => {
    const superadmin = await createUser('superadmin');
    const support = await createUser('support');
    const supportContext = await browser.newContext();
    const supportPage = await supportContext.newPage();
    await signIn(supportPage, support);
    await signIn(page, superadmin);
    // Suspending a role is critical: it must be signed with a passkey (the virtual authenticator confirms each step-up).
    await addPasskey(page, superadmin);

    await page.goto('/roles');
    const row = page.locator('[data-testid="role-state-row"][data-role="support"]');
    await row.getByRole('button', { name: 'Suspend role' }).click();
    const dialog = page.getByRole('dialog', { name: /Suspend the Support role/ });
    await expect(dialog).toContainText(/active support users? will be refused/);
    await dialog.getByLabel(/^Reason/).fill('Incident INC-7: support credentials phished');
    await dialog.getByRole('button', { name: 'Suspend role' }).click();
    await expect(row).toContainText('Suspended');

    // No waiting for a token to expire: the role state is read on every request.
    await supportPage.reload();
    await expect(supportPage).toHaveURL(/\/sign-in/);
    const db = await e2eDb();
    const ended = await db.session.findFirstOrThrow({ where: { userId: support.id }, orderBy: { createdAt: 'desc' } });
    expect(ended.revokedAt).not.toBeNull();

    await row.getByRole('button', { name: 'Reactivate role' }).click();
    const reactivate = page.getByRole('dialog', { name: /Reactivate the Support role/ });
    await reactivate.getByLabel(/^Ticket reference/).fill('INC-7');
    await reactivate.getByRole('button', { name: 'Reactivate role' }).click();
    await expect(row).toContainText('Active');

    await signIn(supportPage, support);
    await expect(supportPage.getByTestId('viewer-role')).toContainText(/support/i);

    const events = (await auditEventsFor(superadmin.id)).filter((e) => e.operation.startsWith('role.') && e.outcome === 'success');
    expect(events.map((e) => [e.operation, e.targetId, e.decision])).toEqual([
      ['role.suspend', 'support', 'superadmin.role_state'],
      ['role.reactivate', 'support', 'superadmin.role_state'],
    ]);
    expect(events[0]?.reason).toBe('Incident INC-7: support credentials phished');
    expect(JSON.parse(events[0]?.details ?? '{}')).toMatchObject({
      stepUpMethod: 'passkey',
      signature: { intent: expect.stringContaining('role.suspend') },
    });
    expect(JSON.parse(events[1]?.details ?? '{}')).toMatchObject({ ticketRef: 'INC-7', stepUp: true });
    expect(verifyAuditChain().code).toBe(0);
    await supportContext.close();
  });
});
