import fs from 'node:fs';
import { callAction, stepUpProof } from '../actions';
import { E2E } from '../env';
import { clientAddress, createUser, e2eDb, expect, freshTotpCode, signIn, test } from '../fixtures';

test.describe('[AUDIT] what a working session leaves in the trail', () => {
  test.setTimeout(120_000);

  test('T40 a scripted session: one event per step with time, actor, role, target, outcome, request id and address; no password, code, token or seed in the database or the log', async ({
    page,
    browser,
  }) => {
    const db = await e2eDb();
    const admin = await createUser('admin');
    const superadmin = await createUser('superadmin');
    const member = await createUser('member', { totp: false });
    const support = await createUser('support');
    const supportContext = await browser.newContext();
    await signIn(await supportContext.newPage(), support);
    const supportSession = await db.session.findFirstOrThrow({ where: { userId: support.id, revokedAt: null } });
    const start = (await db.auditEvent.aggregate({ _max: { seq: true } }))._max.seq ?? 0;
    const secrets: string[] = [admin.password, admin.totpSecret!];
    const codes: string[] = [];

    // 1. A wrong password. 2. The right password, a wrong code, then the right code.
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(`${admin.password} but wrong`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByText('The email or password is incorrect, or this account cannot sign in.')).toBeVisible();
    secrets.push(`${admin.password} but wrong`);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page).toHaveURL(/\/sign-in\/verify/);
    const right = await freshTotpCode(admin);
    const wrong = right === '000000' ? '000001' : '000000';
    await page.getByLabel('Authenticator code').fill(wrong);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await page.getByLabel('Authenticator code').fill(right);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
    codes.push(right);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'warden.session')!.value;
    secrets.push(cookie);

    // 3. A refused operation. 4. A role change with its step-up. 5. Ending someone's session.
    expect((await callAction(page.request, 'suspendUserAction', [{ id: superadmin.id, reason: 'not allowed' }])).code).toBe('FORBIDDEN');
    const input = { id: member.id, role: 'support', reason: 'Joins the support team' };
    const proof = await stepUpProof(page.request, admin, 'user.role_change', input);
    secrets.push(proof);
    expect((await callAction(page.request, 'changeUserRoleAction', [input, { stepUpProof: proof }])).ok).toBe(true);
    expect((await callAction(page.request, 'revokeUserSessionAction', [{ id: supportSession.id, reason: 'Shared laptop' }])).ok).toBe(true);
    secrets.push((await page.context().cookies()).find((c) => c.name === 'warden.session')!.value); // renewed by the step-up

    // 6. Sign out.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await supportContext.close();

    const events = (await db.auditEvent.findMany({ where: { seq: { gt: start } }, orderBy: { seq: 'asc' } })).filter(
      (e) => e.actorId === admin.id || e.targetId === admin.id,
    );
    expect(events.map((e) => `${e.operation}:${e.outcome}`)).toEqual([
      'auth.sign_in:failure',
      'auth.second_factor:failure',
      'auth.second_factor:success',
      'auth.sign_in:success', // the session opens once both factors are in
      'user.suspend:denied',
      'auth.step_up:success',
      'user.role_change:success',
      'session.revoke_user:success',
      'auth.sign_out:success',
    ]);
    for (const e of events) {
      expect(e.ts.toISOString()).toMatch(/Z$/);
      expect(e.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(e.ip).toBe(clientAddress());
      expect(e.policyVersion).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(events.filter((e) => e.actorId === admin.id).every((e) => e.actorRole === 'admin')).toBe(true);
    expect(events.find((e) => e.operation === 'user.role_change')).toMatchObject({
      targetType: 'User',
      targetId: member.id,
      reason: 'Joins the support team',
    });
    // One request id per request: only the code that completes the sign-in and the sign-in itself share one.
    expect(new Set(events.map((e) => e.correlationId)).size).toBe(events.length - 1);
    expect(events[2]!.correlationId).toBe(events[3]!.correlationId);

    // Nothing secret anywhere: the database file (every table), and every line the server logged.
    const dbBytes = fs.readFileSync(E2E.databaseUrl.replace(/^file:/, '')).toString('latin1');
    const wal = E2E.databaseUrl.replace(/^file:/, '') + '-wal';
    const walBytes = fs.existsSync(wal) ? fs.readFileSync(wal).toString('latin1') : '';
    const log = fs.readFileSync('var/e2e/server.log', 'utf8');
    for (const secret of secrets) {
      expect(dbBytes.includes(secret), 'a secret in the database file').toBe(false);
      expect(walBytes.includes(secret), 'a secret in the write-ahead log').toBe(false);
      expect(log.includes(secret), 'a secret in the server log').toBe(false);
    }
    const eventText = events.map((e) => [e.reason, e.reasonCode, e.details, e.userAgent, e.targetId].join(' ')).join('\n');
    for (const code of [...codes, wrong]) {
      expect(eventText.includes(code), 'an authenticator code in an audit event').toBe(false);
      expect(new RegExp(`\\b${code}\\b`).test(log), 'an authenticator code in the server log').toBe(false);
    }
  });
});
