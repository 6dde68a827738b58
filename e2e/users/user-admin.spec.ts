import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { addPasskey, callAction } from '../actions';
import { auditEventsFor, clientAddress, createUser, e2eDb, expect, signIn, test, verifyAuditChain } from '../fixtures';

const POLICY_VERSION = (JSON.parse(fs.readFileSync('generated/policy-version.json', 'utf8')) as { version: string }).version;

/** Opens a user's page from the list, through the search box. */
async function openUser(page: Page, email: string) {
  await page.goto(`/users?q=${encodeURIComponent(email)}`);
  await page.getByTestId('user-row').getByRole('link').first().click();
  await expect(page).toHaveURL(/\/users\/[A-Za-z0-9_-]+$/);
}

/** Opens an operation from the Actions panel, fills the reason and confirms; the passkey step-up runs by itself. */
async function operate(
  page: Page,
  button: string,
  confirm: string,
  reason: string,
  extra?: (dialog: ReturnType<Page['getByRole']>) => Promise<void>,
) {
  await page.getByRole('region', { name: 'Actions' }).getByRole('button', { name: button, exact: true }).click();
  const dialog = page.getByRole('dialog').filter({ has: page.getByRole('button', { name: confirm, exact: true }) });
  await dialog.getByLabel(/^Reason/).fill(reason);
  if (extra) await extra(dialog);
  await dialog.getByRole('button', { name: confirm, exact: true }).click();
  await expect(dialog).toBeHidden({ timeout: 15_000 });
}

test.describe('[ADMIN] user administration in the browser', () => {
  test.setTimeout(180_000);

  test('[ADMIN][MANAGE_USERS] invite, accept, change role, suspend, reactivate and delete: each audited with actor, reason, rule and policy version', async ({
    page,
    browser,
  }) => {
    const admin = await createUser('admin');
    await signIn(page, admin);
    await addPasskey(page, admin);

    const email = `invited-${Date.now()}@e2e.warden.test`;
    await page.goto('/users');
    await page.getByRole('button', { name: 'Invite user' }).click();
    const invite = page.getByRole('dialog', { name: 'Invite a user' });
    await invite.getByLabel('Email').fill(email);
    await invite.getByLabel('Name').fill('Invited Person');
    await invite.getByLabel('Role').selectOption('member');
    await invite.getByRole('button', { name: 'Create invitation' }).click();
    const created = page.getByRole('dialog', { name: 'Invitation created' });
    const link = await created.getByLabel('Invitation link').inputValue();
    expect(link).toMatch(/\/invite#[A-Za-z0-9_-]{43}$/);
    await created.getByRole('button', { name: 'Done' }).click();

    const invitee = await browser.newContext();
    const inviteePage = await invitee.newPage();
    await inviteePage.goto(link);
    await expect(inviteePage).toHaveURL(/\/invite$/); // the token left the address bar
    const password = 'an invited person’s own long passphrase';
    await inviteePage.getByLabel('New password').fill(password);
    await inviteePage.getByLabel('Confirm password').fill(password);
    await inviteePage.getByRole('button', { name: 'Set password' }).click();
    await expect(inviteePage.getByRole('heading', { name: 'Invitation accepted' })).toBeVisible();
    await invitee.close();

    await openUser(page, email);
    await operate(page, 'Change role', 'Change role', 'Moves to the support team (HR-88)', async (d) => {
      await d.getByLabel('New role').selectOption('support');
    });
    await operate(page, 'Suspend', 'Suspend user', 'On leave until further notice');
    await operate(page, 'Reactivate', 'Reactivate user', 'Back from leave');
    await operate(page, 'Delete user', 'Delete user', 'Left the company', async (d) => {
      await d.getByLabel(/^Type /).fill(email);
    });
    await expect(page).toHaveURL(/\/users$/);

    const db = await e2eDb();
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user.role).toBe('support');
    expect(user.deletedAt).not.toBeNull();
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);

    const events = (await auditEventsFor(user.id)).filter((e) => e.outcome === 'success' && e.operation.startsWith('user.'));
    expect(events.map((e) => e.operation)).toEqual([
      'user.invite',
      'user.invite_accept',
      'user.role_change',
      'user.suspend',
      'user.reactivate',
      'user.delete',
    ]);
    for (const e of events.filter((e) => e.operation !== 'user.invite_accept')) {
      expect(e.actorId).toBe(admin.id);
      expect(e.actorRole).toBe('admin');
      expect(e.policyVersion).toBe(POLICY_VERSION);
      expect(e.decision).toBe(e.operation === 'user.invite' ? 'admin.invite_lower' : 'admin.manage_lower_roles');
      expect(JSON.parse(e.details)).toMatchObject({ stepUp: true });
    }
    expect(events.map((e) => e.reason)).toEqual([
      null,
      null,
      'Moves to the support team (HR-88)',
      'On leave until further notice',
      'Back from leave',
      'Left the company',
    ]);
    expect(JSON.parse(events[2]!.details)).toMatchObject({ before: { role: 'member' }, after: { role: 'support' } });
    expect(events.some((e) => e.details.includes(email))).toBe(false); // the email only as an HMAC digest
    expect(verifyAuditChain().code).toBe(0);
  });

  test('T19 ending all sessions and disabling a user lock their open browser out at once, in-flight actions included', async ({
    page,
    browser,
  }) => {
    const admin = await createUser('admin');
    const target = await createUser('support');
    const other = await browser.newContext();
    const targetPage = await other.newPage();
    await signIn(targetPage, target);
    await targetPage.goto('/account/sessions');

    await signIn(page, admin);
    await addPasskey(page, admin);
    await openUser(page, target.email);
    const row = page.getByTestId('user-session-row');
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(clientAddress()); // device, IP (the client's, as the proxy forwards it) and times are listed
    await expect(row).toContainText(/Chrome/);

    await operate(page, 'End all sessions', 'End all sessions', 'Laptop reported stolen');
    await expect(page.getByTestId('user-session-row')).toHaveCount(0);

    // The browser that was signed in: its next action and its next page are refused by the server.
    const inFlight = await callAction(targetPage.request, 'revokeOtherSessionsAction', [{}]);
    expect(inFlight.code).toBe('UNAUTHENTICATED');
    await targetPage.reload();
    await expect(targetPage).toHaveURL(/\/sign-in/);

    await operate(page, 'Disable', 'Disable user', 'Left the company');
    await targetPage.goto('/sign-in');
    await targetPage.getByLabel('Email').fill(target.email);
    await targetPage.getByLabel('Password').fill(target.password);
    await targetPage.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(targetPage.getByText('The email or password is incorrect, or this account cannot sign in.')).toBeVisible();
    await other.close();

    const events = (await auditEventsFor(target.id)).filter((e) => e.actorId === admin.id && e.outcome === 'success');
    expect(events.map((e) => e.operation)).toEqual(['user.revoke_sessions', 'user.disable']);
    expect(JSON.parse(events[0]!.details)).toMatchObject({ sessionsEnded: 1 });
    const db = await e2eDb();
    expect((await db.user.findUniqueOrThrow({ where: { id: target.id } })).status).toBe('disabled');
    expect(await db.session.count({ where: { userId: target.id, revokedAt: null } })).toBe(0);
    expect(verifyAuditChain().code).toBe(0);
  });

  test('T28 an admin cannot touch a superadmin or another admin; a superadmin role grant needs a second approver', async ({
    page,
    browser,
  }) => {
    const admin = await createUser('admin');
    const superadmin = await createUser('superadmin');
    const peer = await createUser('admin');
    await signIn(page, admin);
    for (const other of [superadmin, peer]) {
      await openUser(page, other.email);
      await expect(page.getByText('Your role cannot change this account.')).toBeVisible();
      await expect(page.getByRole('region', { name: 'Actions' }).getByRole('button')).toHaveCount(0);
    }
    // Straight to the endpoints, as admin: refused and audited, nothing changed.
    const suspend = await callAction(page.request, 'suspendUserAction', [{ id: superadmin.id, reason: 'admin tries a superadmin' }]);
    expect(suspend.code).toBe('FORBIDDEN');
    const promote = await callAction(page.request, 'grantPrivilegedRoleAction', [
      { id: peer.id, role: 'superadmin', reason: 'self-service promotion' },
    ]);
    expect(promote.code).toBe('FORBIDDEN');
    const own = await callAction(page.request, 'changeUserRoleAction', [{ id: admin.id, role: 'auditor', reason: 'my own role' }]);
    expect(own.code).toBe('FORBIDDEN');
    const denied = (await auditEventsFor(admin.id)).filter((e) => e.actorId === admin.id && e.outcome === 'denied');
    expect(denied.map((e) => [e.operation, e.targetId, e.decision])).toEqual([
      ['user.suspend', superadmin.id, 'authz.default_deny'],
      ['user.role_grant_privileged', peer.id, 'authz.default_deny'],
      ['user.role_change', admin.id, 'hierarchy.not_self'],
    ]);

    // A superadmin may ask, but one person alone cannot grant a privileged role: the ask becomes a
    // request that waits for a second superadmin, and nothing changes until then.
    const sa = await browser.newContext();
    const saPage = await sa.newPage();
    await signIn(saPage, superadmin);
    // Granting a privileged role is critical: the request is signed with a passkey.
    await addPasskey(saPage, superadmin);
    await openUser(saPage, peer.email);
    await saPage.getByRole('region', { name: 'Actions' }).getByRole('button', { name: 'Change role', exact: true }).click();
    const dialog = saPage.getByRole('dialog').filter({ has: saPage.getByLabel('New role') });
    await dialog.getByLabel('New role').selectOption('superadmin');
    await expect(dialog.getByTestId('approval-note')).toBeVisible();
    await dialog.getByLabel(/^Reason/).fill('Needs superadmin for the migration');
    await dialog.getByRole('button', { name: 'Change role', exact: true }).click();
    // The requester's passkey signs the request (the virtual authenticator confirms); it is frozen with that step-up.
    await expect(dialog).toBeHidden({ timeout: 15_000 });
    const sent = saPage.getByTestId('role-change-sent');
    await expect(sent).toContainText('Sent for approval');
    const viewRequest = sent.getByRole('link', { name: 'View request' });
    await expect(viewRequest).toHaveAttribute('href', /^\/approvals\/[A-Za-z0-9_-]+$/);
    const requestId = ((await viewRequest.getAttribute('href')) ?? '').split('/').pop()!;
    await sa.close();
    const db = await e2eDb();
    expect((await db.user.findUniqueOrThrow({ where: { id: peer.id } })).role).toBe('admin');
    expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } })).toMatchObject({
      status: 'pending',
      operation: 'user.role_grant_privileged',
      requesterId: superadmin.id,
      beneficiaryId: peer.id,
    });
    const saEvents = (await auditEventsFor(superadmin.id)).filter((e) => e.actorId === superadmin.id);
    const requested = saEvents.find((e) => e.operation === 'approval.request');
    expect(requested).toMatchObject({ outcome: 'success', targetType: 'ApprovalRequest', targetId: requestId });
    const sameCall = saEvents.filter((e) => e.correlationId === requested!.correlationId);
    expect(sameCall.map((e) => e.operation)).toEqual(['approval.request']);
    expect(saEvents.some((e) => e.operation === 'user.role_grant_privileged' && e.outcome === 'success')).toBe(false);
  });
});
