import { addPasskey, callAction, passkeyStepUpProof } from '../actions';
import { auditEventsFor, createUser, e2eDb, expect, setServerClock, signIn, test, verifyAuditChain } from '../fixtures';

const MIN = 60_000;

test.describe('[ADMIN][DELETE_USER] deleting a user needs a fresh step-up for exactly that deletion', () => {
  test.setTimeout(240_000);

  test('T23 (a) no step-up, (b) a 6-minute-old one, (c) one for another action, (d) one from another session are refused; (e) a proper one works once', async ({
    page,
    browser,
    request,
  }) => {
    const admin = await createUser('admin');
    const victim = await createUser('member');
    const bystander = await createUser('member');
    await signIn(page, admin);
    // Step-ups with a passkey (virtual authenticator), so this test spends few authenticator codes.
    await addPasskey(page, admin);
    const api = page.request;
    const input = { id: victim.id, confirmEmail: victim.email, reason: 'Account closed on request' };

    // (a) No step-up at all.
    const a = await callAction(api, 'deleteUserAction', [input]);
    expect(a.code).toBe('STEP_UP_REQUIRED');

    // (b) A proof for exactly this deletion, used 6 minutes later (the proof lives 5).
    const old = await passkeyStepUpProof(api, page, 'user.delete', input);
    await setServerClock(request, 6 * MIN);
    const b = await callAction(api, 'deleteUserAction', [input, { stepUpProof: old }]);
    expect(b.code).toBe('STEP_UP_REQUIRED');
    await setServerClock(request, 0);

    // (c) A proof for another action on the same user, and one for deleting someone else.
    const forSuspend = await passkeyStepUpProof(api, page, 'user.suspend', { id: victim.id, reason: 'Account closed on request' });
    const c1 = await callAction(api, 'deleteUserAction', [input, { stepUpProof: forSuspend }]);
    expect(c1.code).toBe('STEP_UP_REQUIRED');
    const forOther = await passkeyStepUpProof(api, page, 'user.delete', { ...input, id: bystander.id, confirmEmail: bystander.email });
    const c2 = await callAction(api, 'deleteUserAction', [input, { stepUpProof: forOther }]);
    expect(c2.code).toBe('STEP_UP_REQUIRED');

    // (d) A proof made in another session of the same admin.
    const second = await browser.newContext();
    const secondPage = await second.newPage();
    await signIn(secondPage, admin);
    const elsewhere = await passkeyStepUpProof(secondPage.request, page, 'user.delete', input);
    const d = await callAction(api, 'deleteUserAction', [input, { stepUpProof: elsewhere }]);
    expect(d.code).toBe('STEP_UP_REQUIRED');
    await second.close();

    const db = await e2eDb();
    expect((await db.user.findUniqueOrThrow({ where: { id: victim.id } })).deletedAt).toBeNull();

    // (e) Done properly, through the console (the passkey confirms): the proof is spent, the user deleted once.
    await page.goto(`/users/${victim.id}`);
    await page.getByRole('region', { name: 'Actions' }).getByRole('button', { name: 'Delete user', exact: true }).click();
    const dialog = page.getByRole('dialog').filter({ has: page.getByLabel(/^Type /) });
    await dialog.getByLabel(/^Reason/).fill('Account closed on request');
    await dialog.getByLabel(/^Type /).fill(victim.email);
    const sent = page.waitForRequest((r) => r.method() === 'POST' && (r.postData() ?? '').includes('stepUpProof'));
    await dialog.getByRole('button', { name: 'Delete user', exact: true }).click();
    await expect(page).toHaveURL(/\/users$/);
    expect((await db.user.findUniqueOrThrow({ where: { id: victim.id } })).deletedAt).not.toBeNull();

    // Replaying the exact request that worked is refused (the record is gone, and so is the proof).
    const replayed = await sent;
    const again = await api.post(replayed.url(), {
      headers: { 'next-action': replayed.headers()['next-action'] ?? '', 'content-type': 'text/plain;charset=UTF-8' },
      data: replayed.postData() ?? '',
    });
    expect(await again.text()).not.toContain('"ok":true');

    // A proof spent on one success cannot be spent again, even where the rule still allows the operation.
    const suspendInput = { id: bystander.id, reason: 'Suspicious activity' };
    const once = await passkeyStepUpProof(api, page, 'user.suspend', suspendInput);
    expect((await callAction(api, 'suspendUserAction', [suspendInput, { stepUpProof: once }])).ok).toBe(true);
    expect((await callAction(api, 'suspendUserAction', [suspendInput, { stepUpProof: once }])).code).toBe('STEP_UP_REQUIRED');

    const events = (await auditEventsFor(victim.id)).filter((e) => e.operation === 'user.delete');
    expect(events.map((e) => [e.outcome, e.reasonCode])).toEqual([
      ['denied', 'step_up_required'],
      ['denied', 'step_up_required'],
      ['denied', 'step_up_required'],
      ['denied', 'step_up_required'],
      ['denied', 'step_up_required'],
      ['success', null],
      ['denied', 'forbidden'],
    ]);
    expect(verifyAuditChain().code).toBe(0);
  });
});
