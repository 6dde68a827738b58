import type { Page } from '@playwright/test';
import { addPasskey } from '../actions';
import { createUser, e2eDb, expect, freshTotpCode, signIn, test, verifyAuditChain, type TestUser } from '../fixtures';

/**
 * Issue 10: an access review campaign through the browser. A superadmin starts
 * a campaign over two support agents (listed by email, so the scope holds
 * exactly them whatever else the suite created) with an admin as reviewer; the
 * admin sees each agent's usage evidence, keeps one with a reason and suspends
 * the other (a passkey step-up: the normal user.suspend, carrying the item);
 * the auditor reads the report — coverage 2/2, both decisions, their audit
 * events — and signs it off (authenticator-code step-up), which closes it.
 * Every user is created by the test; no demo account is used.
 */

async function confirmWithCode(page: Page, user: TestUser) {
  const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
  await dialog.getByLabel('Authenticator code').fill(await freshTotpCode(user));
  await dialog.getByRole('button', { name: 'Confirm' }).click();
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Console' });
const row = (page: Page, email: string) => page.locator(`[data-testid="review-item"][data-user-email="${email}"]`);

test.describe('[ACCESS-REVIEW] access review campaigns', () => {
  test.setTimeout(180_000);

  test('[SUPERADMIN][ADMIN][AUDITOR] start a campaign, review with evidence, keep and suspend (applied and audited), report and sign-off', async ({
    browser,
  }) => {
    const db = await e2eDb();
    const superadmin = await createUser('superadmin');
    const reviewer = await createUser('admin');
    const auditor = await createUser('auditor');
    const keepAgent = await createUser('support');
    const dropAgent = await createUser('support');

    // 1. The superadmin starts the campaign.
    const saContext = await browser.newContext();
    const sa = await saContext.newPage();
    await signIn(sa, superadmin);
    await nav(sa).getByRole('link', { name: 'Access reviews', exact: true }).click();
    await sa.getByRole('link', { name: 'Start a campaign' }).click();
    await expect(sa.getByRole('heading', { name: 'Start an access review', level: 1 })).toBeVisible();
    const title = `Support access ${keepAgent.id.slice(-6)}`;
    await sa.getByLabel('Title').fill(title);
    await sa.getByLabel('People to review, by email').fill(`${keepAgent.email}\n${dropAgent.email}`);
    await sa.getByRole('checkbox', { name: new RegExp(reviewer.name) }).check();
    await sa.getByLabel('Reason').fill('Quarterly review of support access (REV-42)');
    await sa.getByRole('button', { name: 'Start campaign' }).click();
    await expect(sa).toHaveURL(/\/access\/reviews\/(?!new$)[A-Za-z0-9_-]+$/, { timeout: 15_000 });
    const reviewId = new URL(sa.url()).pathname.split('/').pop()!;
    const campaign = await db.accessReview.findUniqueOrThrow({ where: { id: reviewId }, include: { items: true, reviewers: true } });
    await expect(sa.getByRole('heading', { level: 1 })).toHaveText(`AR-${campaign.number} ${title}`);
    await expect(sa.getByTestId('coverage').first()).toHaveText('0/2 decided');
    expect(campaign.items.map((i) => i.userId).sort()).toEqual([keepAgent.id, dropAgent.id].sort());
    expect(campaign.reviewers.map((r) => r.userId)).toEqual([reviewer.id]);
    const started = await db.auditEvent.findFirstOrThrow({ where: { operation: 'review.start', targetId: reviewId } });
    expect(started).toMatchObject({ outcome: 'success', actorId: superadmin.id });
    await saContext.close();

    // 2. The reviewer opens it, sees the evidence, keeps one agent and suspends the other.
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signIn(admin, reviewer);
    await addPasskey(admin, reviewer);
    await admin.goto('/access');
    await admin.getByRole('link', { name: new RegExp(title) }).click();
    await expect(admin.getByRole('heading', { level: 1 })).toHaveText(`AR-${campaign.number} ${title}`);
    for (const agent of [keepAgent, dropAgent]) {
      await expect(row(admin, agent.email).getByTestId('review-evidence')).toContainText('Granted');
      await expect(row(admin, agent.email).getByTestId('review-evidence')).toContainText('Last active');
    }

    await admin.getByRole('button', { name: `Keep ${keepAgent.name}`, exact: true }).click();
    const keepDialog = admin.getByRole('dialog', { name: `Keep ${keepAgent.name}’s access?` });
    await keepDialog.getByLabel('Reason').fill('Handles the member queue every day');
    await keepDialog.getByRole('button', { name: 'Keep access' }).click();
    await expect(keepDialog).toBeHidden();
    await expect(row(admin, keepAgent.email)).toHaveAttribute('data-decision', 'keep');
    await expect(row(admin, keepAgent.email)).toContainText('Handles the member queue every day');

    await admin.getByRole('button', { name: `Suspend ${dropAgent.name}`, exact: true }).click();
    const suspendDialog = admin.getByRole('dialog', { name: `Suspend ${dropAgent.name}?` });
    await suspendDialog.getByLabel('Reason').fill('Moved teams; no support work in the window');
    await suspendDialog.getByRole('button', { name: 'Suspend user' }).click();
    // The step-up is the passkey on the virtual authenticator (no prompt to answer).
    await expect(suspendDialog).toBeHidden({ timeout: 15_000 });
    await expect(row(admin, dropAgent.email)).toHaveAttribute('data-decision', 'suspend');
    await expect(admin.getByTestId('coverage').first()).toHaveText('2/2 decided');

    // Applied through the normal operation, audited with the campaign, in the same transaction as the item.
    expect((await db.user.findUniqueOrThrow({ where: { id: dropAgent.id } })).status).toBe('suspended');
    const suspended = await db.auditEvent.findFirstOrThrow({
      where: { operation: 'user.suspend', targetId: dropAgent.id, outcome: 'success' },
    });
    const details = JSON.parse(suspended.details) as { stepUp: boolean; accessReview: { id: string; itemId: string } };
    expect(details.stepUp).toBe(true);
    expect(details.accessReview.id).toBe(reviewId);
    const dropItem = await db.accessReviewItem.findUniqueOrThrow({ where: { reviewId_userId: { reviewId, userId: dropAgent.id } } });
    expect(dropItem).toMatchObject({
      decision: 'suspend',
      decidedById: reviewer.id,
      appliedSeq: suspended.seq,
      decisionSeq: suspended.seq,
    });
    const kept = await db.accessReviewItem.findUniqueOrThrow({ where: { reviewId_userId: { reviewId, userId: keepAgent.id } } });
    expect(kept).toMatchObject({ decision: 'keep', reason: 'Handles the member queue every day', decidedById: reviewer.id });
    await admin.screenshot({ path: 'test-results/screens/access-review-decided.png', fullPage: true });
    await adminContext.close();

    // 3. The auditor reads the report and signs off.
    const auditorContext = await browser.newContext();
    const au = await auditorContext.newPage();
    await signIn(au, auditor);
    // On /access the campaign tabs keep the usage report's window (?days=30) instead of resetting it.
    await au.goto('/access?days=30');
    await au.getByRole('navigation', { name: 'Campaign status' }).getByRole('link', { name: 'All', exact: true }).click();
    await expect(au).toHaveURL(/\/access\?(?=.*days=30)(?=.*reviews=all)/);
    await au.goto(`/access/reviews/${reviewId}/report`);
    await expect(au.getByRole('heading', { level: 1 })).toHaveText(`Report: AR-${campaign.number} ${title}`);
    await expect(au.getByTestId('coverage').first()).toHaveText('2/2 decided');
    await expect(au.getByTestId('report-decision')).toHaveCount(2);
    await expect(au.locator(`[data-testid="report-decision"][data-user-email="${keepAgent.email}"]`)).toHaveAttribute(
      'data-decision',
      'keep',
    );
    await expect(au.locator(`[data-testid="report-decision"][data-user-email="${dropAgent.email}"]`)).toHaveAttribute(
      'data-decision',
      'suspend',
    );
    await expect(au.getByTestId('report-reviewer')).toContainText(reviewer.name);
    for (const seq of [started.seq, kept.decisionSeq!, suspended.seq]) {
      await expect(au.getByTestId('report-events').getByRole('link', { name: `#${seq}`, exact: true })).toHaveAttribute(
        'href',
        `/audit/events/${seq}`,
      );
    }

    const statement = 'Both decisions checked against the support roster; campaign complete.';
    await au.getByRole('button', { name: 'Sign off', exact: true }).click();
    const signDialog = au.getByRole('dialog', { name: 'Sign off this access review?' });
    await expect(signDialog.getByTestId('sign-off-pending-warning')).toHaveCount(0);
    await signDialog.getByLabel('Reason').fill(statement);
    await signDialog.getByRole('button', { name: 'Sign off and close' }).click();
    await confirmWithCode(au, auditor);
    await expect(au.getByTestId('report-signoff')).toContainText(statement, { timeout: 15_000 });
    await expect(au.getByTestId('report-signoff')).toContainText(auditor.name);
    await expect(au.getByRole('button', { name: 'Sign off', exact: true })).toHaveCount(0);
    const closed = await db.accessReview.findUniqueOrThrow({ where: { id: reviewId } });
    expect(closed).toMatchObject({ status: 'closed', closedById: auditor.id, signOff: statement });
    const signed = await db.auditEvent.findFirstOrThrow({ where: { operation: 'review.sign_off', targetId: reviewId } });
    expect(signed.seq).toBe(closed.closeSeq);
    expect(JSON.parse(signed.details)).toMatchObject({
      stepUp: true,
      coverage: { items: 2, decided: 2, kept: 1, suspended: 1, pending: 0 },
    });
    await au.screenshot({ path: 'test-results/screens/access-review-report.png', fullPage: true });
    await auditorContext.close();

    expect(verifyAuditChain().code).toBe(0);
  });
});
