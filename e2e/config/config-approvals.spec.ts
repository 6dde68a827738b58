import type { Page } from '@playwright/test';
import { addPasskey, callAction, passkeyStepUpProof } from '../actions';
import { createUser, e2eDb, expect, freshTotpCode, signIn, test, verifyAuditChain, type TestUser } from '../fixtures';

/**
 * Issue 8: runtime configuration with tiers, reviewed change sets, and
 * two-person approval for the critical tier. Each test seeds its own users; the
 * settings it changes are put back at its end (and, should a test fail half-way,
 * by the afterAll safety net below), so the rest of the suite keeps the defaults.
 */

const HOUR = 3_600_000;

/** Keys these tests change. */
const TOUCHED_KEYS = ['session.absolute_lifetime', 'console.banner', 'invitations.ttl'] as const;

/**
 * Test isolation only: puts a key back to its default straight in the database.
 * ConfigRevision is append-only (triggers) and unique on (key, version), so the
 * ConfigEntry row is neither deleted nor rewound: its value is cleared (= the
 * default) and its version kept, so the next change through the console gets the
 * next version number. The server's settings cache lives 2 s (SETTINGS_TTL_MS).
 */
async function restoreDefaultInDb(key: string) {
  const db = await e2eDb();
  await db.configEntry.updateMany({ where: { key }, data: { value: null, secretEnc: null, fingerprint: null } });
  await new Promise((r) => setTimeout(r, 2_100));
}

/** Confirms the TOTP step-up dialog (a user without a passkey). */
async function confirmWithCode(page: Page, user: TestUser) {
  const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
  await dialog.getByLabel('Authenticator code').fill(await freshTotpCode(user));
  await dialog.getByRole('button', { name: 'Confirm' }).click();
}

/** Opens "Edit <label>" on /config, enters a value (or ticks "Reset to the default") and stages it. */
async function stage(page: Page, label: string, value: string | { reset: true }) {
  await page.getByRole('button', { name: `Edit ${label}`, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Change ${label}` });
  await expect(dialog).toBeVisible();
  if (typeof value === 'string') await dialog.getByLabel('New value').fill(value);
  else await dialog.getByLabel('Reset to the default').check();
  await dialog.getByRole('button', { name: 'Add to pending changes' }).click();
  await expect(dialog).toBeHidden();
}

/** From /config, follows "Review pending changes (n)". */
async function openReview(page: Page, count = 1) {
  await page.getByRole('link', { name: `Review pending changes (${count})` }).click();
  await expect(page.getByRole('heading', { name: 'Review pending changes', level: 1 })).toBeVisible();
}

/** The user's change set still in draft (their pending changes), with its items. */
async function draftOf(userId: string) {
  const db = await e2eDb();
  return db.configChangeSet.findFirst({ where: { authorId: userId, status: 'draft' }, include: { items: true } });
}

/** Collects dialogs and CSP violations a page raises (T35: stored payloads must stay inert). */
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

const refused = (code: string | null) => (['FORBIDDEN', 'NOT_FOUND'].includes(code ?? '') ? 'refused' : code);

test.describe('[CONFIG] configuration and two-person approvals', () => {
  test.setTimeout(180_000);

  test.afterAll(async () => {
    // Safety net for a test that failed before its own clean-up (see restoreDefaultInDb).
    const db = await e2eDb();
    await db.configEntry.updateMany({ where: { key: { in: [...TOUCHED_KEYS] }, value: { not: null } }, data: { value: null } });
  });

  test('[ADMIN][SUPERADMIN][CONFIG_CRITICAL] done when: an admin asks to shorten the session lifetime to 8h, a second person approves it with a passkey, and only new sessions get 8h — linked in the audit trail', async ({
    page,
    browser,
  }) => {
    const db = await e2eDb();
    const admin = await createUser('admin');
    await signIn(page, admin);
    // A critical change is signed with a passkey when it is asked for (the virtual authenticator confirms).
    await addPasskey(page, admin);

    // The admin opens Configuration and stages the change.
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Configuration', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Configuration', level: 1 })).toBeVisible();
    const lifetimeRow = page.locator('[data-testid="config-row"][data-key="session.absolute_lifetime"]');
    await expect(lifetimeRow).toContainText('12h (default)');
    await expect(lifetimeRow).toContainText('critical');
    await stage(page, 'Session lifetime', '8h');
    await expect(lifetimeRow).toContainText('Pending: 8h');
    await page.screenshot({ path: 'test-results/screens/config.png', fullPage: true });

    // The review: what changes, its tier and who must approve.
    await openReview(page);
    const item = page.getByTestId('pending-change-row');
    await expect(item).toHaveCount(1);
    await expect(item).toContainText('Session lifetime');
    await expect(item).toContainText('critical');
    await expect(item.getByRole('cell').nth(2)).toHaveText('12h (default)');
    await expect(item.getByRole('cell').nth(3)).toContainText('8h');
    await expect(page.locator('p', { hasText: 'Who must approve:' })).toContainText('a superadmin other than you approves');
    const digest = (await page.getByTestId('change-set-digest').textContent())?.trim() ?? '';
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    await page.getByLabel('Reason').fill('Shorter sessions for the audit finding (SEC-412)');
    await page.screenshot({ path: 'test-results/screens/config-review.png', fullPage: true });
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await expect(page.getByText(/^Sent for approval\./)).toBeVisible({ timeout: 15_000 });
    const viewRequest = page.getByRole('link', { name: 'View request' });
    const href = (await viewRequest.getAttribute('href')) ?? '';
    expect(href).toMatch(/^\/approvals\/[A-Za-z0-9_-]+$/);
    const requestId = href.split('/').pop()!;
    await viewRequest.click();
    await expect(page).toHaveURL(new RegExp(`/approvals/${requestId}$`));
    // The requester reads their request but has no say in it.
    await expect(page.getByRole('button', { name: 'Approve', exact: true })).toHaveCount(0);

    // Nothing has changed yet.
    const frozen = await db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } });
    expect(frozen).toMatchObject({ status: 'pending', requesterId: admin.id, operation: 'config.apply_critical' });
    expect((await db.configEntry.findUnique({ where: { key: 'session.absolute_lifetime' } }))?.value ?? null).toBeNull();

    // A second person: a superadmin with a passkey, in another browser.
    const superadmin = await createUser('superadmin');
    const saContext = await browser.newContext();
    const saPage = await saContext.newPage();
    await signIn(saPage, superadmin);
    await addPasskey(saPage, superadmin);
    await saPage.goto('/');
    const approvalsLink = saPage.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: /^Approvals/ });
    await expect(approvalsLink).toHaveAccessibleName(/^Approvals, [1-9]\d* waiting$/);
    await approvalsLink.click();
    await expect(saPage.getByRole('heading', { name: 'Approvals', level: 1 })).toBeVisible();
    await saPage.screenshot({ path: 'test-results/screens/approvals.png', fullPage: true });
    const inboxRow = saPage.locator(`[data-testid="approval-row"][data-approval-id="${requestId}"]`);
    await expect(inboxRow).toContainText(admin.name);
    await expect(inboxRow).toContainText('You can decide this');
    await inboxRow.getByRole('link').click();
    await expect(saPage).toHaveURL(new RegExp(`/approvals/${requestId}$`));
    await expect(saPage.getByRole('heading', { name: 'Change 1 configuration key', level: 1 })).toBeVisible();
    const change = saPage.getByTestId('approval-change-row');
    await expect(change).toHaveCount(1);
    await expect(change.getByRole('cell').nth(0)).toHaveText('Session lifetime (session.absolute_lifetime)');
    await expect(change.getByRole('cell').nth(1)).toHaveText('12h (default)');
    await expect(change.getByRole('cell').nth(2)).toContainText('8h');
    await expect(change.getByRole('cell').nth(3)).toHaveText('critical');
    await expect(saPage.getByTestId('approval-digest')).toHaveText(frozen.digest);
    await expect(saPage.getByTestId('approval-status')).toContainText('Pending');
    await expect(saPage.getByText('Shorter sessions for the audit finding (SEC-412)')).toBeVisible();
    await saPage.screenshot({ path: 'test-results/screens/approval-detail.png', fullPage: true });
    await saPage.getByRole('button', { name: 'Approve', exact: true }).click();
    const approve = saPage.getByRole('dialog', { name: 'Approve this request' });
    await approve.getByLabel('Note (optional)').fill('Checked against SEC-412');
    await approve.getByRole('button', { name: 'Approve with passkey' }).click();
    await expect(saPage.getByTestId('decision-outcome')).toHaveText('Approved. The change has been made and recorded in the audit trail.', {
      timeout: 15_000,
    });
    await expect(saPage.getByTestId('approval-status')).toContainText('Executed');
    await expect(saPage.getByRole('button', { name: 'Approve', exact: true })).toHaveCount(0);
    await saPage.screenshot({ path: 'test-results/screens/approval-executed.png', fullPage: true });

    // In effect: the setting reads 8h; a new sign-in gets 8h, the sessions started before keep 12h.
    await saPage.goto('/config');
    await expect(saPage.locator('[data-testid="config-row"][data-key="session.absolute_lifetime"]')).toContainText('8h');
    const newcomer = await createUser('auditor');
    const newContext = await browser.newContext();
    await signIn(await newContext.newPage(), newcomer);
    const fresh = await db.session.findFirstOrThrow({ where: { userId: newcomer.id, revokedAt: null } });
    expect(Math.abs(fresh.expiresAt.getTime() - fresh.authTime.getTime() - 8 * HOUR)).toBeLessThanOrEqual(60_000);
    for (const userId of [admin.id, superadmin.id]) {
      const earlier = await db.session.findFirstOrThrow({ where: { userId, revokedAt: null } });
      expect(Math.abs(earlier.expiresAt.getTime() - earlier.authTime.getTime() - 12 * HOUR)).toBeLessThanOrEqual(60_000);
    }
    await newContext.close();

    // The trail links request → decision → change, and the request points at each event.
    const done = await db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } });
    expect(done).toMatchObject({ status: 'executed', approverId: superadmin.id, decisionNote: 'Checked against SEC-412' });
    const events = await db.auditEvent.findMany({
      where: {
        outcome: 'success',
        operation: { in: ['approval.request', 'approval.approve', 'config.apply_critical'] },
        OR: [{ targetId: requestId }, { details: { contains: requestId } }],
      },
      orderBy: { seq: 'asc' },
    });
    expect(events.map((e) => [e.operation, e.actorId])).toEqual([
      ['approval.request', admin.id],
      ['approval.approve', superadmin.id],
      ['config.apply_critical', admin.id],
    ]);
    const [requested, approved, executed] = events as [(typeof events)[0], (typeof events)[0], (typeof events)[0]];
    expect(requested).toMatchObject({ targetType: 'ApprovalRequest', targetId: requestId });
    expect(approved).toMatchObject({ targetType: 'ApprovalRequest', targetId: requestId });
    const execution = JSON.parse(executed.details) as {
      approval: { id: string; approverId: string; requestSeq: number; decisionSeq: number };
      changes: { key: string; before: unknown; after: unknown }[];
    };
    expect(execution.approval).toMatchObject({
      id: requestId,
      approverId: superadmin.id,
      requestSeq: requested.seq,
      decisionSeq: approved.seq,
    });
    expect(execution.changes).toEqual([expect.objectContaining({ key: 'session.absolute_lifetime', before: null, after: 8 * HOUR })]);
    expect(done).toMatchObject({ requestSeq: requested.seq, decisionSeq: approved.seq, executionSeq: executed.seq });
    expect(verifyAuditChain().code).toBe(0);
    await saContext.close();

    // Test isolation: the rest of the suite expects the 12 h default (see restoreDefaultInDb).
    await restoreDefaultInDb('session.absolute_lifetime');
  });

  test('T28 [SUPERADMIN][APPROVAL] no one approves their own request: not in the page, not by a direct POST with a valid passkey proof, not from a second session', async ({
    page,
    browser,
  }) => {
    const db = await e2eDb();
    const superadmin = await createUser('superadmin');
    await signIn(page, superadmin);
    await addPasskey(page, superadmin);
    await page.goto('/config');
    await stage(page, 'Approval request lifetime', '12h');
    await openReview(page);
    await page.getByLabel('Reason').fill('Fewer stale requests in the inbox (OPS-77)');
    await page.getByRole('button', { name: 'Submit for approval' }).click(); // the passkey confirms by itself
    await expect(page.getByText(/^Sent for approval\./)).toBeVisible({ timeout: 15_000 });
    await page.getByRole('link', { name: 'View request' }).click();
    await expect(page).toHaveURL(/\/approvals\/[A-Za-z0-9_-]+$/);
    const id = page.url().split('/').pop()!;
    const { digest } = await db.approvalRequest.findUniqueOrThrow({ where: { id } });

    // The page: a note instead of the decision buttons.
    await expect(page.getByTestId('approval-why-not')).toHaveText('This is your own request: someone else must approve it.');
    await expect(page.getByRole('button', { name: 'Approve', exact: true })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Reject', exact: true })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Withdraw request' })).toBeVisible();

    // A direct POST with a valid passkey step-up bound to {id, digest}: refused all the same.
    const proof = await passkeyStepUpProof(page.request, page, 'approval.approve', { id, digest });
    const direct = await callAction(page.request, 'approveRequestAction', [{ id, digest }, { stepUpProof: proof }]);
    expect(refused(direct.code)).toBe('refused');

    // Another session of the same person (another browser) is the same person.
    const second = await browser.newContext();
    const secondPage = await second.newPage();
    await signIn(secondPage, superadmin);
    await secondPage.goto(`/approvals/${id}`);
    await expect(secondPage.getByTestId('approval-why-not')).toHaveText('This is your own request: someone else must approve it.');
    await expect(secondPage.getByRole('button', { name: 'Approve', exact: true })).toHaveCount(0);
    const secondProof = await passkeyStepUpProof(secondPage.request, page, 'approval.approve', { id, digest });
    const fromSecond = await callAction(secondPage.request, 'approveRequestAction', [{ id, digest }, { stepUpProof: secondProof }]);
    expect(refused(fromSecond.code)).toBe('refused');
    await second.close();

    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id } })).status).toBe('pending');
    expect(await db.configEntry.findUnique({ where: { key: 'approvals.expiry' } })).toBeNull();
    const denied = await db.auditEvent.findMany({
      where: { actorId: superadmin.id, operation: 'approval.approve', outcome: 'denied' },
    });
    expect(denied).toHaveLength(2);
    expect(denied.every((e) => e.targetId === id)).toBe(true);

    // Clean-up through the console's own path: the requester withdraws it.
    const withdraw = await callAction(page.request, 'cancelRequestAction', [{ id }]);
    expect(withdraw.ok, withdraw.body.slice(0, 300)).toBe(true);
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id } })).status).toBe('cancelled');
    expect(verifyAuditChain().code).toBe(0);
  });

  test('T44 an auditor reads configuration and approvals but changes nothing; an admin’s critical change waits for approval', async ({
    page,
    browser,
  }) => {
    const db = await e2eDb();

    // An admin asks to change the audit retention statement (critical): sent for approval, nothing applied.
    const admin = await createUser('admin');
    const adminContext = await browser.newContext();
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, admin);
    await addPasskey(adminPage, admin);
    await adminPage.goto('/config');
    await stage(adminPage, 'Audit retention statement', '{"retainDays": 3650, "exportedTo": "s3://audit-archive"}');
    await openReview(adminPage);
    await expect(adminPage.getByTestId('pending-change-row')).toContainText('critical');
    await adminPage.getByLabel('Reason').fill('Ten-year retention agreed with compliance (GRC-9)');
    await adminPage.getByRole('button', { name: 'Submit for approval' }).click();
    await expect(adminPage.getByText(/^Sent for approval\./)).toBeVisible({ timeout: 15_000 });
    const id = ((await adminPage.getByRole('link', { name: 'View request' }).getAttribute('href')) ?? '').split('/').pop()!;
    const request = await db.approvalRequest.findUniqueOrThrow({ where: { id } });
    expect(request).toMatchObject({ status: 'pending', operation: 'config.apply_critical' });
    expect(await db.configEntry.findUnique({ where: { key: 'audit.trail_notes' } })).toBeNull();
    const changeSet = await db.configChangeSet.findFirstOrThrow({ where: { authorId: admin.id, approvalId: id } });
    expect(changeSet.status).toBe('pending_approval');

    // The auditor: every setting and the request, and no control that changes anything.
    const auditor = await createUser('auditor');
    await signIn(page, auditor);
    const head = (await db.auditEvent.aggregate({ _max: { seq: true } }))._max.seq!;
    await page.goto('/config');
    await expect(page.getByRole('heading', { name: 'Configuration', level: 1 })).toBeVisible();
    await expect(page.getByText('Your role can read them and their history, not change them.')).toBeVisible();
    await expect(page.getByTestId('config-row')).not.toHaveCount(0);
    await expect(page.locator('main').getByRole('button', { name: /^Edit / })).toHaveCount(0);
    await page.goto('/config/audit.trail_notes');
    await expect(page.getByRole('heading', { name: 'Audit retention statement', level: 1 })).toBeVisible();
    await expect(page.locator('main').getByRole('button')).toHaveCount(0);
    expect((await page.goto('/config/review'))?.status()).toBe(200); // their own (empty) pending changes
    await page.goto('/approvals?status=all');
    await expect(page.getByRole('heading', { name: 'Approvals', level: 1 })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Approvals', exact: true })).toBeVisible();
    const row = page.locator(`[data-testid="approval-row"][data-approval-id="${id}"]`);
    await expect(row).toContainText(admin.name);
    await expect(row).not.toContainText('You can decide this');
    await row.getByRole('link').click();
    await expect(page.getByTestId('approval-digest')).toHaveText(request.digest);
    await expect(page.getByTestId('approval-why-not')).toHaveText('Your role cannot decide approval requests.');
    await page.screenshot({ path: 'test-results/screens/approval-auditor.png', fullPage: true });
    for (const name of ['Approve', 'Reject', 'Withdraw request']) {
      await expect(page.getByRole('button', { name, exact: true })).toHaveCount(0);
    }

    // Straight to the endpoints, with well-formed input: refused, audited as denied, nothing changed.
    const reason = 'auditor trying to change configuration directly';
    const calls: [string, Record<string, unknown>][] = [
      ['stageConfigChangeAction', { key: 'audit.trail_notes', mode: 'set', value: '{"retainDays": 365, "exportedTo": ""}' }],
      ['stageConfigChangeAction', { key: 'approvals.expiry', mode: 'set', value: '72h' }],
      ['stageConfigChangeAction', { key: 'approvals.expiry', mode: 'reset' }],
      ['unstageConfigChangeAction', { key: 'audit.trail_notes' }],
      ['applyConfigChangesAction', { changeSetId: changeSet.id, digest: changeSet.digest!, reason }],
      ['applySensitiveConfigChangesAction', { changeSetId: changeSet.id, digest: changeSet.digest!, reason }],
      ['requestCriticalConfigChangesAction', { changeSetId: changeSet.id, digest: changeSet.digest!, reason }],
      ['approveRequestAction', { id, digest: request.digest }],
      ['rejectRequestAction', { id, reason }],
      ['cancelRequestAction', { id, reason }],
    ];
    for (const [name, input] of calls) {
      const reply = await callAction(page.request, name, [input]);
      expect(`${name}: ${refused(reply.code)}`).toBe(`${name}: refused`);
    }
    const denied = await db.auditEvent.findMany({ where: { actorId: auditor.id, outcome: 'denied', seq: { gt: head } } });
    expect(denied.length).toBe(calls.length);
    expect(new Set(denied.map((e) => e.operation))).toEqual(
      new Set([
        'config.stage',
        'config.unstage',
        'config.apply',
        'config.apply_sensitive',
        'config.apply_critical',
        'approval.approve',
        'approval.reject',
        'approval.cancel',
      ]),
    );
    expect(await db.configEntry.findUnique({ where: { key: 'audit.trail_notes' } })).toBeNull();
    expect(await db.configEntry.findUnique({ where: { key: 'approvals.expiry' } })).toBeNull();
    expect(await db.configChangeSet.count({ where: { authorId: auditor.id } })).toBe(0);
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id } })).status).toBe('pending');

    // Clean-up: the admin withdraws the request.
    expect((await callAction(adminPage.request, 'cancelRequestAction', [{ id }])).ok).toBe(true);
    await adminContext.close();
    expect(verifyAuditChain().code).toBe(0);
  });

  test('T35 a configuration value with markup renders as inert text in the banner, the settings, the history and the audit event; bidi characters are refused', async ({
    page,
  }) => {
    const db = await e2eDb();
    const payload = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const watched = await watch(page);
    const admin = await createUser('admin');
    await signIn(page, admin);
    await page.goto('/config');
    await stage(page, 'Console banner', payload);
    await openReview(page);
    await expect(page.getByTestId('pending-change-row')).toContainText(payload);
    await expect(page.getByTestId('pending-change-row')).toContainText('normal');
    await page.getByRole('button', { name: 'Apply changes' }).click(); // normal: no step-up, reason optional
    await expect(page.getByText(/^Applied\./)).toBeVisible({ timeout: 15_000 });

    const applied = await db.auditEvent.findFirstOrThrow({
      where: { actorId: admin.id, operation: 'config.apply', outcome: 'success' },
      orderBy: { seq: 'desc' },
    });
    const staged = await db.auditEvent.findFirstOrThrow({
      where: { actorId: admin.id, operation: 'config.stage', outcome: 'success' },
      orderBy: { seq: 'desc' },
    });
    expect(applied.details).toContain('onerror=alert(1)');
    for (const path of [
      '/config',
      '/config/console.banner',
      '/config/review',
      `/audit/events/${applied.seq}`,
      `/audit/events/${staged.seq}`,
    ]) {
      await page.goto(path);
      await expect(page.locator('main')).toBeVisible();
      await expect(page.getByTestId('console-banner'), path).toHaveText(payload);
      // Nothing the payload describes exists as markup.
      await expect(page.locator('img[src="x"], [onerror]'), path).toHaveCount(0);
      // (Playwright's text selectors skip <script> contents, so look at every script element's own text.)
      const scripts = await page.locator('script').evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
      expect(
        scripts.filter((t) => t === 'alert(2)'),
        path,
      ).toEqual([]);
    }
    await page.goto('/config');
    await expect(page.locator('[data-testid="config-row"][data-key="console.banner"]')).toContainText(payload);
    await page.screenshot({ path: 'test-results/screens/config-banner-t35.png', fullPage: true });
    await page.goto('/config/console.banner');
    await expect(page.getByTestId('current-value')).toHaveText(payload);
    await expect(page.getByTestId('revision-row').first()).toContainText(payload);
    await page.goto(`/audit/events/${applied.seq}`);
    await expect(page.getByTestId('event-details')).toContainText('onerror=alert(1)');

    // A bidi override: the field error under "New value", and nothing staged (in the page or by a direct call).
    await page.goto('/config');
    await page.getByRole('button', { name: 'Edit Console banner', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Change Console banner' });
    await dialog.getByLabel('New value').fill('Maintenance \u202Etonight');
    await dialog.getByRole('button', { name: 'Add to pending changes' }).click();
    await expect(dialog.getByLabel('New value')).toHaveAccessibleDescription(/Use plain text: no control or text-direction characters\./);
    await expect(dialog.getByLabel('New value')).toHaveAttribute('aria-invalid', 'true');
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const direct = await callAction(page.request, 'stageConfigChangeAction', [
      { key: 'console.banner', mode: 'set', value: 'Maintenance \u202Etonight' },
    ]);
    expect(direct.code).toBe('VALIDATION');
    expect((direct.result as { fieldErrors?: Record<string, string[]> }).fieldErrors?.value).toEqual([
      'Use plain text: no control or text-direction characters.',
    ]);
    expect((await draftOf(admin.id))?.items ?? []).toHaveLength(0);
    await expect(page.getByRole('link', { name: /^Review pending changes/ })).toHaveCount(0);

    expect(watched.dialogs).toEqual([]);
    expect(await watched.csp()).toEqual([]);

    // Clean-up through the console: reset to the default (empty: no banner).
    await stage(page, 'Console banner', { reset: true });
    await openReview(page);
    await expect(page.getByTestId('pending-change-row')).toContainText('(back to the default)');
    await page.getByRole('button', { name: 'Apply changes' }).click();
    await expect(page.getByText(/^Applied\./)).toBeVisible({ timeout: 15_000 });
    await page.goto('/config');
    await expect(page.getByTestId('console-banner')).toHaveCount(0);
  });

  test('[ADMIN][CONFIG] a value outside its typed bounds is refused under "New value" and nothing is staged', async ({ page }) => {
    const admin = await createUser('admin');
    await signIn(page, admin);
    await page.goto('/config');
    await page.getByRole('button', { name: 'Edit Session lifetime', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Change Session lifetime' });
    const input = dialog.getByLabel('New value');
    await input.fill('48h');
    await dialog.getByRole('button', { name: 'Add to pending changes' }).click();
    await expect(input).toHaveAccessibleDescription(/At most 12h\./);
    await expect(dialog.getByText('At most 12h.')).toBeVisible();
    await input.fill('soon');
    await expect(input).toHaveAccessibleDescription(/Enter a duration such as 30m, 12h or 2d\./);
    await dialog.getByRole('button', { name: 'Add to pending changes' }).click();
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();

    // The server's answer is the same when the form is skipped.
    const direct = await callAction(page.request, 'stageConfigChangeAction', [
      { key: 'session.absolute_lifetime', mode: 'set', value: '48h' },
    ]);
    expect(direct.code).toBe('VALIDATION');
    expect((direct.result as { fieldErrors?: Record<string, string[]> }).fieldErrors?.value).toEqual(['At most 12h.']);
    await page.reload();
    await expect(page.getByRole('link', { name: /^Review pending changes/ })).toHaveCount(0);
    expect((await draftOf(admin.id))?.items ?? []).toHaveLength(0);
  });

  test('[ADMIN][CONFIG_SENSITIVE] a sensitive change applies after a step-up and a reason, and its history shows before and after', async ({
    page,
  }) => {
    const db = await e2eDb();
    const admin = await createUser('admin');
    await signIn(page, admin);
    const version = ((await db.configEntry.findUnique({ where: { key: 'invitations.ttl' } }))?.version ?? 0) + 1;
    await page.goto('/config');
    await stage(page, 'Invitation link lifetime', '48h');
    await openReview(page);
    const item = page.getByTestId('pending-change-row');
    await expect(item).toContainText('sensitive');
    await expect(item.getByRole('cell').nth(2)).toHaveText('3d (default)');
    await expect(item.getByRole('cell').nth(3)).toContainText('2d');
    await expect(page.locator('p', { hasText: 'Who must approve:' })).toContainText('confirm with your passkey (or authenticator code)');

    // No reason: stopped before any step-up.
    await page.getByRole('button', { name: 'Apply changes' }).click();
    await expect(page.getByLabel('Reason')).toHaveAccessibleDescription(/Say why you are making this change/);
    await expect(page.getByRole('dialog', { name: 'Confirm it’s you' })).toHaveCount(0);

    await page.getByLabel('Reason').fill('Partners need two days to accept (HR-301)');
    await page.getByRole('button', { name: 'Apply changes' }).click();
    await confirmWithCode(page, admin);
    await expect(page.getByText(/^Applied\./)).toBeVisible({ timeout: 15_000 });

    await page.goto('/config/invitations.ttl');
    await expect(page.getByRole('heading', { name: 'Invitation link lifetime', level: 1 })).toBeVisible();
    await expect(page.getByTestId('current-value')).toHaveText('2d');
    const revision = page.locator(`[data-testid="revision-row"][data-version="${version}"]`);
    await expect(revision.getByRole('cell').nth(0)).toContainText(String(version));
    await expect(revision.getByRole('cell').nth(2)).toHaveText(admin.name);
    await expect(revision.getByRole('cell').nth(3)).toHaveText('3d (default)');
    await expect(revision.getByRole('cell').nth(4)).toHaveText('2d');
    await expect(revision.getByRole('cell').nth(5)).toHaveText('Partners need two days to accept (HR-301)');
    await page.screenshot({ path: 'test-results/screens/config-history.png', fullPage: true });

    const event = await db.auditEvent.findFirstOrThrow({
      where: { actorId: admin.id, operation: 'config.apply_sensitive', outcome: 'success' },
    });
    expect(event.reason).toBe('Partners need two days to accept (HR-301)');
    expect(JSON.parse(event.details)).toMatchObject({
      stepUp: true,
      changes: [expect.objectContaining({ key: 'invitations.ttl', before: null, after: 48 * HOUR, version })],
    });

    // Back to the default, through the console (another step-up and reason).
    await page.goto('/config');
    await stage(page, 'Invitation link lifetime', { reset: true });
    await openReview(page);
    await page.getByLabel('Reason').fill('Back to the default after the partner onboarding');
    await page.getByRole('button', { name: 'Apply changes' }).click();
    await confirmWithCode(page, admin);
    await expect(page.getByText(/^Applied\./)).toBeVisible({ timeout: 15_000 });
    await page.goto('/config/invitations.ttl');
    await expect(page.getByTestId('current-value')).toHaveText('3d (default)');
    await expect(page.getByTestId('revision-row')).toHaveCount(version + 1);
    expect(verifyAuditChain().code).toBe(0);
  });
});
