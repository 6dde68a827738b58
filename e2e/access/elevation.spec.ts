import type { Page } from '@playwright/test';
import { addPasskey } from '../actions';
import { createUser, e2eDb, expect, setServerClock, signIn, test, verifyAuditChain } from '../fixtures';

/**
 * Issue 10: time-bound elevation and break-glass, through the browser. A
 * support agent asks to hold admin for a few minutes, a superadmin approves it
 * with a passkey, the agent's console becomes an admin's until the expiry, and
 * the first request after it is a support agent's again. Break-glass raises a
 * critical alert and opens a mandatory review.
 */

const MINUTE = 60_000;

const nav = (page: Page) => page.getByRole('navigation', { name: 'Console' });

test.describe('[ELEVATION] time-bound elevation and break-glass', () => {
  test.setTimeout(180_000);

  test('[SUPPORT][SUPERADMIN] a support agent holds admin for 5 minutes after a superadmin approves; the next request after the expiry is a support agent’s again', async ({
    page,
    browser,
    request,
  }) => {
    const db = await e2eDb();
    const agent = await createUser('support');
    await signIn(page, agent);
    await expect(nav(page).getByRole('link', { name: 'Users', exact: true })).toHaveCount(0);
    expect((await page.goto('/users'))?.status()).toBe(404);
    // Asking for an elevation is critical: the request is signed with the agent's passkey.
    await addPasskey(page, agent);

    await page.goto('/');
    await nav(page).getByRole('link', { name: 'Elevation', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Elevation', level: 1 })).toBeVisible();
    await expect(page.getByTestId('current-elevation')).toHaveCount(0);
    await page.getByLabel('Role to hold').selectOption('admin');
    await page.getByLabel('For how many minutes').fill('5');
    await page.getByLabel('Reason').fill('Escalated member lockout needs an admin (SUP-311)');
    await page.getByRole('button', { name: 'Ask for approval' }).click();
    await expect(page.getByTestId('elevation-sent')).toContainText('Sent for approval', { timeout: 15_000 });
    const requestId = ((await page.getByRole('link', { name: 'View request' }).getAttribute('href')) ?? '').split('/').pop()!;
    expect(await db.elevation.count({ where: { userId: agent.id } })).toBe(0);
    await page.screenshot({ path: 'test-results/screens/elevation-request.png', fullPage: true });

    // A superadmin approves it with a passkey.
    const superadmin = await createUser('superadmin');
    const saContext = await browser.newContext();
    const saPage = await saContext.newPage();
    await signIn(saPage, superadmin);
    await addPasskey(saPage, superadmin);
    await saPage.goto(`/approvals/${requestId}`);
    await expect(saPage.getByRole('heading', { level: 1 })).toHaveText(`Let ${agent.name} use the admin role for 5 minutes`);
    await saPage.getByRole('button', { name: 'Approve', exact: true }).click();
    await saPage.getByRole('dialog', { name: 'Approve this request' }).getByRole('button', { name: 'Approve with passkey' }).click();
    await expect(saPage.getByTestId('approval-status')).toContainText('Executed', { timeout: 15_000 });

    // The agent's next request is an admin's, and the console says so.
    await page.goto('/elevation');
    await expect(page.getByTestId('elevation-banner')).toContainText('Elevated: you hold the admin role (your own: support)');
    await expect(page.getByTestId('current-elevation')).toContainText('You hold the admin role');
    await expect(nav(page).getByRole('link', { name: 'Users', exact: true })).toBeVisible();
    await page.screenshot({ path: 'test-results/screens/elevation-active.png', fullPage: true });
    expect((await page.goto('/users'))?.status()).toBe(200);
    const held = await db.elevation.findFirstOrThrow({ where: { userId: agent.id } });
    expect(held).toMatchObject({ status: 'active', role: 'admin', baseRole: 'support', approverId: superadmin.id, approvalId: requestId });

    // Superadmins and auditors see it in the register.
    await saPage.goto('/elevation?status=active');
    await expect(saPage.locator(`[data-testid="elevation-row"][data-elevation-id="${held.id}"]`)).toContainText('in force');

    // Past the expiry: the same session is a support agent's again, without anyone doing anything.
    await setServerClock(request, 5 * MINUTE + 1_000);
    expect((await page.goto('/users'))?.status()).toBe(404);
    await page.goto('/elevation');
    await expect(page.getByTestId('elevation-banner')).toHaveCount(0);
    await expect(nav(page).getByRole('link', { name: 'Users', exact: true })).toHaveCount(0);
    await expect(page.locator(`[data-testid="elevation-row"][data-elevation-id="${held.id}"]`)).not.toContainText('in force');
    await saContext.close();
    expect(verifyAuditChain().code).toBe(0);
  });

  test('[SUPERADMIN][BREAK_GLASS] break-glass starts at once, alerts, and opens a mandatory review', async ({ page }) => {
    const db = await e2eDb();
    const superadmin = await createUser('superadmin');
    await createUser('superadmin'); // a second superadmin: the review's reviewer
    await signIn(page, superadmin);
    await addPasskey(page, superadmin);
    await page.goto('/elevation');
    await page.getByRole('button', { name: 'Break glass' }).click();
    const dialog = page.getByRole('dialog', { name: 'Break glass?' });
    await expect(dialog).toContainText('every superadmin and auditor gets a critical alert', { ignoreCase: true });
    await dialog.getByLabel('For how many minutes').fill('10');
    await dialog.getByLabel(/Reason/).fill('Second superadmin unreachable during outage INC-77');
    await dialog.getByRole('button', { name: 'Break glass with passkey' }).click();
    await expect(page.getByTestId('elevation-banner')).toContainText('Break-glass is on', { timeout: 15_000 });
    await page.screenshot({ path: 'test-results/screens/elevation-break-glass.png', fullPage: true });

    const elevation = await db.elevation.findFirstOrThrow({ where: { userId: superadmin.id, scope: 'break_glass' } });
    expect(elevation.reviewId).not.toBeNull();
    const review = await db.accessReview.findUniqueOrThrow({ where: { id: elevation.reviewId! } });
    expect(review).toMatchObject({ kind: 'break_glass', status: 'open' });

    // The critical alert, raised by the monitoring job from the event.
    await expect
      .poll(async () => db.alert.count({ where: { rule: 'access.break_glass', actorId: superadmin.id, severity: 'critical' } }), {
        timeout: 45_000,
      })
      .toBe(1);

    // Ending it early.
    await page.getByTestId('current-elevation').getByRole('button', { name: 'End now' }).click();
    await page.getByRole('dialog', { name: 'End this elevation now?' }).getByRole('button', { name: 'End elevation' }).click();
    await expect(page.getByTestId('elevation-banner')).toHaveCount(0);
    expect(await db.elevation.findUniqueOrThrow({ where: { id: elevation.id } })).toMatchObject({
      status: 'ended',
      endReason: 'ended_by_holder',
    });
  });
});
