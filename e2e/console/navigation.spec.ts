import { DEMO, demoUser, expect, signIn, test } from '../fixtures';

/** The areas each seeded role must see — and no others. (Approvals may carry a count of waiting requests.) */
const APPROVALS = /^Approvals(\s*\d+)?$/;
const ALERTS = /^Alerts(\s*\d+)?$/;
const EXPECTED: Record<keyof typeof DEMO, (string | RegExp)[]> = {
  superadmin: [
    'Overview',
    'Users',
    'Sessions',
    'Tickets',
    'Audit trail',
    ALERTS,
    'Incidents',
    'Configuration',
    APPROVALS,
    'Access reviews',
    'Elevation',
    'Roles',
    'My sessions',
    'Account security',
  ],
  admin: [
    'Overview',
    'Users',
    'Sessions',
    'Tickets',
    'Audit trail',
    ALERTS,
    'Incidents',
    'Configuration',
    APPROVALS,
    'Access reviews',
    'Elevation',
    'Roles',
    'My sessions',
    'Account security',
  ],
  auditor: [
    'Overview',
    'Audit trail',
    ALERTS,
    'Incidents',
    'Configuration',
    APPROVALS,
    'Access reviews',
    'Elevation',
    'Roles',
    'My sessions',
    'Account security',
  ],
  support: ['Overview', 'Tickets', 'Elevation', 'Roles', 'My sessions', 'Account security'],
};
const FORBIDDEN: Record<keyof typeof DEMO, string[]> = {
  superadmin: [],
  admin: ['/audit/dashboard', '/audit/integrity', '/api/audit/verifier'],
  auditor: ['/users', '/sessions', '/users/any-id', '/tickets', '/tickets/any-id'],
  support: [
    '/users',
    '/audit',
    '/audit/events/1',
    '/audit/dashboard',
    '/sessions',
    '/users/any-id',
    '/config',
    '/config/review',
    '/approvals',
    '/approvals/any-id',
  ],
};

for (const role of Object.keys(DEMO) as (keyof typeof DEMO)[]) {
  test(`[${role.toUpperCase()}][NAVIGATION] shows only the permitted areas and refuses the others`, async ({ page }) => {
    await signIn(page, demoUser(role));
    const links = page.getByRole('navigation', { name: 'Console' }).getByRole('link');
    await expect(links).toHaveText(EXPECTED[role]);
    for (const path of FORBIDDEN[role]) {
      const response = await page.goto(path);
      expect(response?.status(), `${role} must not reach ${path}`).toBe(404);
    }
    await page.goto('/roles');
    await expect(page.getByRole('heading', { name: 'Roles', exact: true })).toBeVisible();
    await expect(page.getByText('Your role')).toHaveCount(1);
    await page.screenshot({ path: `test-results/screens/overview-${role}.png`, fullPage: true });
  });
}

test('[ADMIN][USERS] the users table filters by role and paginates', async ({ page }) => {
  await signIn(page, demoUser('admin'));
  await page.goto('/users');
  await expect(page.getByTestId('user-row')).toHaveCount(25);
  await page.getByLabel('Role').selectOption('support');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/role=support/);
  await expect(page.getByTestId('user-row').first()).toContainText('support');
  await page.goto('/users?role=member&page=2');
  await expect(page.getByText('Page 2 of')).toBeVisible();
  await page.goto('/users?page=not-a-number&role=<script>');
  await expect(page.getByText('Page 1 of')).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/users.png', fullPage: true });
});
