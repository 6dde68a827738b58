import type { Page } from '@playwright/test';
import { callAction, stepUpProof } from '../actions';
import { createUser, e2eDb, expect, signIn, test, verifyAuditChain } from '../fixtures';

/** Collects CSP violations and dialogs a page raises (T35: stored payloads must stay inert). */
async function watch(page: Page) {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.addInitScript(() => {
    (window as unknown as { __csp: string[] }).__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return {
    dialogs,
    csp: () => page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []),
  };
}

test.describe('[AUDITOR] the audit browser answers questions in a few clicks', () => {
  test.setTimeout(150_000);

  test('[AUDITOR][BROWSER] who changed roles this week, from where, and why was it allowed — three clicks from the console', async ({
    page,
    browser,
  }) => {
    const db = await e2eDb();
    const admin = await createUser('admin');
    const member = await createUser('member', { totp: false });
    const adminContext = await browser.newContext();
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, admin);
    const input = { id: member.id, role: 'support', reason: 'Covers the weekend support rota (OPS-2231)' };
    const proof = await stepUpProof(adminPage.request, admin, 'user.role_change', input);
    expect((await callAction(adminPage.request, 'changeUserRoleAction', [input, { stepUpProof: proof }])).ok).toBe(true);
    const change = await db.auditEvent.findFirstOrThrow({
      where: { operation: 'user.role_change', targetId: member.id, outcome: 'success' },
    });
    await adminContext.close();

    const auditor = await createUser('auditor');
    await signIn(page, auditor);
    // 1. The navigation.
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Audit trail' }).click();
    await expect(page.getByRole('heading', { name: 'Audit trail', level: 1 })).toBeVisible();
    // 2. The question.
    await page.getByRole('link', { name: 'Who changed roles this week?' }).click();
    await expect(page).toHaveURL(/operation=user.role_change/);
    const row = page.getByTestId('audit-row').filter({ hasText: member.name });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(admin.name);
    await expect(row).toContainText('Covers the weekend support rota');
    await expect(row).toContainText(change.ip!);
    await page.screenshot({ path: 'test-results/screens/audit-browser.png', fullPage: true });
    // 3. The event.
    await row.getByRole('link', { name: `#${change.seq}` }).click();
    await expect(page.getByRole('heading', { name: `Event #${change.seq}` })).toBeVisible();
    const why = page.getByTestId('why-allowed');
    await expect(why).toContainText('admin.manage_lower_roles');
    await expect(why).toContainText('current policy');
    await expect(why).toContainText('Confirmed with otp');
    await expect(page.getByTestId('event-reason')).toHaveText('Covers the weekend support rota (OPS-2231)');
    await expect(page.getByTestId('change-summary')).toContainText('member');
    await expect(page.getByTestId('change-summary')).toContainText('support');
    await expect(page.getByText(change.ip!).first()).toBeVisible();
    await page.screenshot({ path: 'test-results/screens/audit-event.png', fullPage: true });

    // The dashboard over the demo organisation's month, and its drill-down into the browser.
    await page.getByRole('navigation', { name: 'Audit area' }).getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('combobox', { name: 'Time window' }).selectOption('30d');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/window=30d/);
    await expect(page.getByTestId('panel-activity')).toBeVisible();
    await expect(page.getByTestId('panel-top-actors')).toContainText('Alex Moreau');
    await page.screenshot({ path: 'test-results/screens/audit-dashboard.png', fullPage: true });
    await page.getByRole('navigation', { name: 'Audit area' }).getByRole('link', { name: 'Integrity' }).click();
    await expect(page.getByTestId('integrity-status')).toBeVisible();
    await page.screenshot({ path: 'test-results/screens/audit-integrity.png', fullPage: true });

    // The auditor's own looking is in the trail, with the filter used.
    const views = await db.auditEvent.findMany({ where: { actorId: auditor.id, operation: 'audit.view' }, orderBy: { seq: 'asc' } });
    expect(views.map((v) => JSON.parse(v.details) as { view: string; filter?: Record<string, string> })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ view: 'browser', filter: { window: '7d', operation: 'user.role_change' } }),
        expect.objectContaining({ view: 'event' }),
      ]),
    );
    expect(views.some((v) => v.targetType === 'AuditEvent' && v.targetId === String(change.seq))).toBe(true);
  });

  test('[ADMIN][BROWSER] an admin sees their own actions only, and no dashboard or integrity tools', async ({ page }) => {
    const admin = await createUser('admin');
    await signIn(page, admin);
    await page.goto('/audit?window=all');
    await expect(page.getByText('Your own actions, newest first.')).toBeVisible();
    const actors = await page.getByTestId('audit-row').allInnerTexts();
    expect(actors.length).toBeGreaterThan(0);
    for (const text of actors) expect(text).toContain(admin.name);
    await expect(page.getByRole('navigation', { name: 'Audit area' }).getByRole('link')).toHaveText(['Events']);
    const db = await e2eDb();
    const someoneElse = await db.auditEvent.findFirstOrThrow({ where: { actorId: { not: admin.id } }, orderBy: { seq: 'desc' } });
    expect((await page.goto(`/audit/events/${someoneElse.seq}`))?.status()).toBe(404);
    expect((await page.goto('/audit/dashboard'))?.status()).toBe(404);
    expect((await page.goto('/audit/integrity'))?.status()).toBe(404);
  });
});

test.describe('[SECURITY] the audit viewer', () => {
  test.setTimeout(150_000);

  test('T35 stored markup, script URLs and bidi overrides in names, reasons and user agents render as inert text in the browser, the event detail and the dashboard', async ({
    page,
    browser,
  }) => {
    const db = await e2eDb();
    const nameAttack = `<img src=x onerror=alert("name")>\u202Eevil`;
    const reasonAttack = `<script>alert("reason")</script> javascript:alert(1) \u202Egnp.exe =HYPERLINK("http://evil.example")`;
    // A header can only carry Latin-1: the user agent gets markup, the other fields bidi overrides too.
    const uaAttack = `<svg onload=alert("ua")>agent`;
    const admin = await createUser('admin');
    await db.user.update({ where: { id: admin.id }, data: { name: nameAttack } });
    const member = await createUser('member', { totp: false });
    await db.user.update({ where: { id: member.id }, data: { name: `<b onmouseover=alert("target")>${member.name}</b>` } });
    const adminContext = await browser.newContext({ userAgent: uaAttack });
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, { ...admin, name: nameAttack });
    const input = { id: member.id, role: 'auditor', reason: reasonAttack };
    const proof = await stepUpProof(adminPage.request, admin, 'user.role_change', input);
    expect((await callAction(adminPage.request, 'changeUserRoleAction', [input, { stepUpProof: proof }])).ok).toBe(true);
    await adminContext.close();
    const event = await db.auditEvent.findFirstOrThrow({ where: { operation: 'user.role_change', targetId: member.id } });
    expect(event.userAgent).toBe(uaAttack);

    const auditor = await createUser('auditor');
    const watched = await watch(page);
    await signIn(page, auditor);
    const pages = [
      `/audit?window=24h&actor=${encodeURIComponent(admin.id)}`,
      `/audit?window=24h&q=${encodeURIComponent('javascript')}`,
      `/audit/events/${event.seq}`,
      '/audit/dashboard?window=24h',
    ];
    for (const path of pages) {
      await page.goto(path);
      await expect(page.locator('main')).toBeVisible();
      // Nothing the payloads describe exists as markup.
      await expect(page.locator('img[src="x"], svg[onload], script:text("alert")')).toHaveCount(0);
      await expect(page.locator('[onerror], [onload], [onmouseover]')).toHaveCount(0);
      await expect(page.locator('a[href^="javascript:"]')).toHaveCount(0);
    }
    // The detail shows each payload as text, with the bidi override made visible.
    await page.goto(`/audit/events/${event.seq}`);
    await expect(page.getByTestId('event-reason')).toHaveText(
      '<script>alert("reason")</script> javascript:alert(1) \\u{202E}gnp.exe =HYPERLINK("http://evil.example")',
    );
    await expect(page.getByText('<img src=x onerror=alert("name")>\\u{202E}evil').first()).toBeVisible();
    await expect(page.getByText('<svg onload=alert("ua")>agent')).toBeVisible();
    await expect(page.getByText(`<b onmouseover=alert("target")>${member.name}</b>`).first()).toBeVisible();
    const body = await page.locator('main').innerText();
    expect(body).not.toContain('\u202E');
    await page.goto(`/audit?window=24h&actor=${encodeURIComponent(admin.id)}`);
    expect(await page.locator('main').innerText()).not.toContain('\u202E');

    expect(watched.dialogs).toEqual([]);
    expect(await watched.csp()).toEqual([]);
  });

  test('T44 an auditor can read and verify but change nothing: no mutation control on any page, direct calls refused, and the trail still verifies', async ({
    page,
    browser,
  }) => {
    const db = await e2eDb();
    const auditor = await createUser('auditor');
    const target = await createUser('support');
    const targetContext = await browser.newContext();
    await signIn(await targetContext.newPage(), target);
    const session = await db.session.findFirstOrThrow({ where: { userId: target.id, revokedAt: null } });
    await signIn(page, auditor);
    const head = (await db.auditEvent.aggregate({ _max: { seq: true } }))._max.seq!;

    // Every page an auditor can open: the controls on it only read, filter, verify or download.
    const READ_ONLY_CONTROL =
      /^(Apply filters|Apply|Clear|Verify now|Download \(\.tar\)|Check|Look up.*|Sign out|Show data table|Export CSV|Export JSON Lines|Older →|Newer|← Newer|Newest|Remove filter .*|Toggle .*|Open menu|Close)$/;
    // A word standing alone, not inside an operation id such as user.invite (the matrix names those).
    const MUTATION_WORDS =
      /(?<![.\w])(suspend|reactivate|disable|delete|remove user|reset|unlock|revoke|end session|change role|invite|grant|edit|save|rotate|approve|retention)(?![.\w])/i;
    // The one thing an auditor manages on the integrity page is their own witness (issue 13):
    // registering a witness key, revoking one, and recording a cosignature — evidence held
    // against the operators, which changes nothing in the trail, the users or the settings —
    // with the confirmation and step-up dialogs those controls open (Confirm, Cancel).
    const WITNESS_CONTROL = /^(Register witness key|Revoke .+|Verify and record|Verifying…|Confirm|Cancel)$/;
    for (const path of ['/', '/audit', `/audit/events/${head}`, '/audit/dashboard', '/audit/integrity', '/roles', '/roles/matrix']) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      for (const name of await page
        .locator('main button, main [role="button"], main input[type="submit"]')
        .evaluateAll((els) => els.map((e) => (e.getAttribute('aria-label') ?? e.textContent ?? '').trim()))) {
        if (path === '/audit/integrity' && WITNESS_CONTROL.test(name)) continue;
        expect(name, `a control on ${path}`).toMatch(READ_ONLY_CONTROL);
      }
      const links = await page.locator('main a').allInnerTexts();
      for (const text of links) expect(`${path}: ${text}`).not.toMatch(MUTATION_WORDS);
    }
    for (const path of ['/users', `/users/${target.id}`, '/sessions']) {
      expect((await page.goto(path))?.status(), path).toBe(404);
    }

    // Direct calls of every mutation the console has, with well-formed input: all refused.
    const reason = 'auditor trying to change things directly';
    const calls: [string, Record<string, unknown>][] = [
      ['suspendUserAction', { id: target.id, reason }],
      ['reactivateUserAction', { id: target.id, reason }],
      ['disableUserAction', { id: target.id, reason }],
      ['deleteUserAction', { id: target.id, confirmEmail: target.email, reason }],
      ['resetUserMfaAction', { id: target.id, confirmEmail: target.email, reason }],
      ['revokeUserSessionsAction', { id: target.id, reason }],
      ['changeUserRoleAction', { id: target.id, role: 'member', reason }],
      ['grantPrivilegedRoleAction', { id: target.id, role: 'admin', reason }],
      ['unlockUserAction', { id: target.id, reason }],
      ['revokeUserSessionAction', { id: session.id, reason }],
      ['inviteUserAction', { email: `auditor-invite-${Date.now()}@e2e.warden.test`, name: 'Nope', role: 'member' }],
      ['suspendRoleAction', { role: 'support', reason }],
      ['reactivateRoleAction', { role: 'support', reason }],
    ];
    for (const [name, input] of calls) {
      const reply = await callAction(page.request, name, [input]);
      expect(`${name}: ${['FORBIDDEN', 'NOT_FOUND'].includes(reply.code ?? '') ? 'refused' : reply.code}`).toBe(`${name}: refused`);
    }
    const after = await db.user.findUniqueOrThrow({ where: { id: target.id } });
    expect(after).toMatchObject({ status: 'active', role: 'support', deletedAt: null });
    expect(await db.session.count({ where: { userId: target.id, revokedAt: null } })).toBe(1);
    const denied = await db.auditEvent.findMany({ where: { actorId: auditor.id, outcome: 'denied', seq: { gt: head } } });
    expect(denied.length).toBe(calls.length);

    // The rows themselves: no role's database account for the app may rewrite them (triggers), so nothing changed.
    await expect(db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "reason" = 'rewritten' WHERE "seq" = ${head}`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "seq" = ${head}`)).rejects.toThrow(/append-only/);
    expect(verifyAuditChain().code).toBe(0);
    await targetContext.close();
  });
});
