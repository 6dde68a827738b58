import fs from 'node:fs';
import path from 'node:path';
import { builtActions, callAction } from '../actions';
import { E2E } from '../env';
import { auditEventsFor, createUser, e2eDb, expect, signIn, test, type TestUser } from '../fixtures';

function actionFilesOnDisk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return actionFilesOnDisk(p);
    return p.includes(`${path.sep}_actions${path.sep}`) && p.endsWith('.ts') && !p.includes('.test.') ? [p.split(path.sep).join('/')] : [];
  });
}

test.describe('[AUTHZ] server actions are public endpoints', () => {
  test('T25 every server action in the build comes from an _actions file built with defineAction, and every such file is in the build', () => {
    const built = builtActions();
    for (const a of built) {
      expect(a.filename).toMatch(/^app\/.+\/_actions\/[a-z0-9-]+\.ts$/);
      expect(a.exportedName).toMatch(/^[a-z][A-Za-z]*Action$/);
      expect(fs.readFileSync(a.filename, 'utf8')).toContain(`export const ${a.exportedName} = defineAction(`);
    }
    expect(new Set(built.map((a) => a.filename))).toEqual(new Set(actionFilesOnDisk('app')));
  });

  test('T24 destructive actions called directly are refused to anonymous callers, auditors and support staff, and to admins without a step-up', async ({
    page,
    browser,
    playwright,
  }) => {
    test.setTimeout(120_000);
    const target = await createUser('support');
    const targetContext = await browser.newContext();
    await signIn(await targetContext.newPage(), target);
    const db = await e2eDb();
    const session = await db.session.findFirstOrThrow({ where: { userId: target.id, revokedAt: null } });
    const reason = 'direct call without the console';
    const inviteEmail = `never-${Date.now()}@e2e.warden.test`;

    // [action, input, needs a step-up]
    const calls: [string, Record<string, unknown>, boolean][] = [
      ['suspendUserAction', { id: target.id, reason }, true],
      ['disableUserAction', { id: target.id, reason }, true],
      ['deleteUserAction', { id: target.id, confirmEmail: target.email, reason }, true],
      ['resetUserMfaAction', { id: target.id, confirmEmail: target.email, reason }, true],
      ['revokeUserSessionsAction', { id: target.id, reason }, true],
      ['changeUserRoleAction', { id: target.id, role: 'auditor', reason }, true],
      ['inviteUserAction', { email: inviteEmail, name: 'Never Created', role: 'member' }, true],
      ['grantPrivilegedRoleAction', { id: target.id, role: 'admin', reason }, false],
      ['unlockUserAction', { id: target.id, reason }, false],
      ['revokeUserSessionAction', { id: session.id, reason }, false],
      ['suspendRoleAction', { role: 'auditor', reason }, true],
      ['reactivateRoleAction', { role: 'auditor', reason }, true],
      ['stageConfigChangeAction', { key: 'session.absolute_lifetime', mode: 'set', value: '1h' }, false],
      ['applySensitiveConfigChangesAction', { changeSetId: 'no-such-set', digest: `sha256:${'0'.repeat(64)}`, reason }, true],
      ['requestCriticalConfigChangesAction', { changeSetId: 'no-such-set', digest: `sha256:${'0'.repeat(64)}`, reason }, true],
      ['approveRequestAction', { id: 'no-such-request', digest: '0'.repeat(64) }, false],
      ['authorizeKeyRotationAction', { reason }, true],
    ];

    // Anonymous: without a cookie the proxy already redirects; with a made-up cookie the
    // request gets past the proxy (which is never the boundary) and the action refuses it.
    const noCookie = await playwright.request.newContext({ baseURL: E2E.baseURL });
    const forged = await playwright.request.newContext({
      baseURL: E2E.baseURL,
      extraHTTPHeaders: { cookie: 'warden.session=forged-session-value' },
    });
    for (const [name, input] of calls) {
      const redirected = await callAction(noCookie, name, [input]);
      expect(`${name}: ${redirected.status}`).toBe(`${name}: 307`);
      const reply = await callAction(forged, name, [input]);
      expect(`${name}: ${reply.code}`).toBe(`${name}: UNAUTHENTICATED`);
    }
    await noCookie.dispose();
    await forged.dispose();

    const callers: Record<string, TestUser> = { auditor: await createUser('auditor'), support: await createUser('support') };
    for (const [role, caller] of Object.entries(callers)) {
      const context = await browser.newContext();
      const callerPage = await context.newPage();
      await signIn(callerPage, caller);
      for (const [name, input] of calls) {
        const reply = await callAction(callerPage.request, name, [input]);
        expect(`${role} ${name}: ${['FORBIDDEN', 'NOT_FOUND'].includes(reply.code ?? '') ? 'refused' : reply.code}`).toBe(
          `${role} ${name}: refused`,
        );
      }
      const denied = (await auditEventsFor(caller.id)).filter((e) => e.actorId === caller.id && e.outcome === 'denied');
      expect(denied).toHaveLength(calls.length);
      expect(denied.every((e) => e.actorRole === role && e.policyVersion.length === 64)).toBe(true);
      await context.close();
    }

    const admin = await createUser('admin');
    await signIn(page, admin);
    for (const [name, input, stepUp] of calls.filter(([, , stepUp]) => stepUp)) {
      const reply = await callAction(page.request, name, [input]);
      const expected = ['suspendRoleAction', 'reactivateRoleAction', 'authorizeKeyRotationAction'].includes(name)
        ? 'FORBIDDEN'
        : stepUp
          ? 'STEP_UP_REQUIRED'
          : 'ok';
      expect(`admin ${name}: ${reply.code}`).toBe(`admin ${name}: ${expected}`);
    }

    const after = await db.user.findUniqueOrThrow({ where: { id: target.id } });
    expect([after.status, after.role, after.deletedAt, after.totpEnabledAt !== null]).toEqual(['active', 'support', null, true]);
    expect((await db.session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt).toBeNull();
    expect(await db.user.count({ where: { email: inviteEmail } })).toBe(0);
    expect((await db.roleState.findUnique({ where: { role: 'auditor' } }))?.suspended ?? false).toBe(false);
    // No configuration was staged or changed, and no approval request was made, by any of these callers.
    const callerIds = [...Object.values(callers).map((c) => c.id), admin.id];
    expect(await db.configChangeSet.count({ where: { authorId: { in: callerIds } } })).toBe(0);
    expect(await db.approvalRequest.count({ where: { requesterId: { in: callerIds } } })).toBe(0);
    await targetContext.close();
  });
});
