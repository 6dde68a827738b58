import { createUser, expect, signIn, test } from '../fixtures';

test.describe('[ROLES][POLICY_EXPLORER] the policy explorer', () => {
  test('an auditor filters the matrix, sees what one role may do, and has one cell explained — all from the URL', async ({ page }) => {
    const auditor = await createUser('auditor');
    await signIn(page, auditor);

    // The matrix view, filtered in the URL through the form.
    await page.goto('/roles/matrix');
    await expect(page.getByRole('heading', { name: 'Decision matrix', level: 1 })).toBeVisible();
    await expect(page.locator('[data-testid="matrix-operation"]').first()).toBeVisible();
    await page.getByLabel('Caller').selectOption('admin');
    await page.getByLabel('Operation (id or description)').fill('user.suspend');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page).toHaveURL(/principal=admin/);
    await expect(page).toHaveURL(/q=user\.suspend/);
    const table = page.locator('[data-testid="matrix-operation"][data-op="user.suspend"]');
    await expect(table).toBeVisible();
    await expect(page.locator('[data-testid="matrix-operation"]')).toHaveCount(1);
    // One caller column only.
    await expect(table.locator('thead th')).toHaveCount(2);

    // A cell explains itself: the rule that decided and what the catalog demands.
    await table.getByRole('link', { name: /explain user\.suspend on a member for admin/ }).click();
    await expect(page).toHaveURL(/view=explain/);
    const explained = page.getByTestId('explain-cell');
    await expect(explained.getByTestId('explain-rule')).toHaveText('admin.manage_lower_roles');
    await expect(explained).toContainText('Step-up');
    await expect(explained).toContainText('Two-person');

    // By role: what a support agent may do, grouped by area.
    await page.goto('/roles/matrix?view=role&principal=support');
    await expect(page.getByRole('heading', { name: 'What support may do' })).toBeVisible();
    await expect(page.locator('[data-testid="role-area"][data-area="ticket"]')).toBeVisible();
    const suspendRows = page.locator('[data-testid="role-row"][data-op="user.suspend"]');
    // Nothing permitted in the user area: it starts collapsed, and every row in it says deny.
    await expect(suspendRows.first()).toBeAttached();
    for (const decision of await suspendRows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-decision'))))
      expect(decision).toBe('deny');

    // Invalid filters fall back to defaults rather than failing.
    const response = await page.goto('/roles/matrix?principal=root&decision=maybe&page=-3&view=%3Cscript%3E');
    expect(response?.status()).toBe(200);
    await expect(page.locator('[data-testid="matrix-operation"]').first()).toBeVisible();
  });

  test('a support user may read the explorer too, and a filter with no match says so', async ({ page }) => {
    const support = await createUser('support');
    await signIn(page, support);
    const response = await page.goto('/roles/matrix?q=no-such-operation-anywhere');
    expect(response?.status()).toBe(200);
    await expect(page.getByText('No operation matches the filters.')).toBeVisible();
  });
});
