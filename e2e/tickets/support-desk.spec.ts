import type { Page } from '@playwright/test';
import { callAction } from '../actions';
import { createUser, e2eDb, expect, signIn, test, type TestUser } from '../fixtures';

let nextNumber = 500_000 + Math.floor(Math.random() * 100_000);

async function makeTicket(requester: TestUser, assignee: TestUser | null, over: { subject?: string; body?: string; status?: string } = {}) {
  const db = await e2eDb();
  return db.ticket.create({
    data: {
      number: nextNumber++,
      requesterId: requester.id,
      subject: over.subject ?? 'Locked out after a weekend away',
      body: over.body ?? 'I cannot sign in any more; the app says my account is locked.',
      status: over.status ?? 'open',
      priority: 'high',
      tags: 'login lockout',
      assigneeId: assignee?.id ?? null,
    },
  });
}

async function noDialogs(page: Page) {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return dialogs;
}

test.describe('[SUPPORT] the support desk: a ticket is the only window onto a user', () => {
  test.setTimeout(150_000);

  test('[SUPPORT][STORY] an agent picks up a ticket, reveals the email with a reason, unlocks the account, replies and resolves; then the requester is out of reach', async ({
    page,
  }) => {
    const db = await e2eDb();
    const agent = await createUser('support');
    const requester = await createUser('member', { totp: false });
    await db.user.update({ where: { id: requester.id }, data: { lockedAt: new Date(), failedLoginCount: 50, phone: '+44 20 7946 0777' } });
    const ticket = await makeTicket(requester, agent);
    const [local, domain] = requester.email.split('@') as [string, string];

    await signIn(page, agent);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Tickets' }).click();
    const row = page.getByTestId('ticket-row').filter({ hasText: `SUP-${ticket.number}` });
    await expect(row).toHaveCount(1);
    await page.screenshot({ path: 'test-results/screens/tickets-queue.png', fullPage: true });
    await row.getByRole('link', { name: `SUP-${ticket.number}` }).click();

    const panel = page.getByTestId('requester-panel');
    await expect(panel).toContainText(requester.name);
    await expect(panel).toContainText(`${local[0]}•••@${domain}`);
    await expect(panel).not.toContainText(requester.email);
    await expect(panel).toContainText('•••• 77');
    await page.screenshot({ path: 'test-results/screens/ticket-masked.png', fullPage: true });

    // Reveal the email: a reason is required, and the reveal is recorded without the value.
    await panel.getByRole('button', { name: 'Reveal email' }).click();
    const reveal = page.getByRole('dialog', { name: 'Reveal the requester’s email' });
    await reveal.getByLabel('Reason').fill('Caller verified identity by phone callback');
    await reveal.getByRole('button', { name: /Reveal/ }).click();
    await expect(panel).toContainText(requester.email);

    // Unlock the account.
    await panel.getByRole('button', { name: 'Unlock account' }).click();
    const unlock = page.getByRole('dialog', { name: 'Unlock the requester’s account' });
    await unlock.getByLabel('Reason').fill('Locked out after a weekend away; identity verified');
    await unlock.getByRole('button', { name: /Unlock/ }).click();
    await expect.poll(async () => (await db.user.findUniqueOrThrow({ where: { id: requester.id } })).lockedAt).toBeNull();

    // Reply and resolve.
    await page.getByTestId('composer').getByRole('textbox').fill('Your account is unlocked — you can sign in again.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await expect(page.getByTestId('conversation')).toContainText('Your account is unlocked');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expect(page.getByText('resolved').first()).toBeVisible();
    await expect(page.getByTestId('requester-panel')).toHaveCount(0);
    await page.screenshot({ path: 'test-results/screens/ticket-resolved.png', fullPage: true });

    // The window has closed: direct calls on the requester are refused.
    const again = await callAction(page.request, 'revealRequesterFieldAction', [
      { ticketId: ticket.id, field: 'email', reason: 'one more look after resolving' },
    ]);
    // The ticket is still the agent's to read (resolved, not closed), so the refusal says "not allowed", not "not found".
    expect(again.code).toBe('FORBIDDEN');
    expect(JSON.stringify(again.result)).not.toContain(requester.email);

    // An auditor can see exactly what was revealed, when and why.
    const events = await db.auditEvent.findMany({
      where: { actorId: agent.id, operation: { startsWith: 'ticket.' } },
      orderBy: { seq: 'asc' },
    });
    const revealEvent = events.find((e) => e.operation === 'ticket.reveal_requester_field' && e.outcome === 'success')!;
    expect(revealEvent).toMatchObject({ targetType: 'User', targetId: requester.id, reason: 'Caller verified identity by phone callback' });
    expect(revealEvent.details).not.toContain('@');
    expect(events.map((e) => `${e.operation}:${e.outcome}`)).toEqual(
      expect.arrayContaining([
        'ticket.reveal_requester_field:success',
        'ticket.unlock_requester:success',
        'ticket.comment:success',
        'ticket.set_status:success',
        'ticket.reveal_requester_field:denied',
      ]),
    );
  });

  test('[SUPPORT][REASSIGN] reassigning a ticket removes the previous agent’s access, even from a page that is still open; other tickets are not found', async ({
    page,
    browser,
  }) => {
    const agentA = await createUser('support');
    const agentB = await createUser('support');
    const requester = await createUser('member', { totp: false });
    const ticket = await makeTicket(requester, agentA);
    const others = await makeTicket(await createUser('member', { totp: false }), agentB);
    const unassigned = await makeTicket(await createUser('member', { totp: false }), null);

    await signIn(page, agentA);
    await page.goto(`/tickets/${ticket.id}`);
    await expect(page.getByTestId('requester-panel')).toBeVisible();

    const admin = await createUser('admin');
    const adminContext = await browser.newContext();
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, admin);
    const reassigned = await callAction(adminPage.request, 'assignTicketAction', [{ ticketId: ticket.id, assigneeId: agentB.id }]);
    expect(reassigned.ok, reassigned.body.slice(0, 200)).toBe(true);
    await adminContext.close();

    // The page agent A still has open: its next action fails, and says so.
    await page.getByTestId('requester-panel').getByRole('button', { name: 'Reveal email' }).click();
    const reveal = page.getByRole('dialog', { name: 'Reveal the requester’s email' });
    await reveal.getByLabel('Reason').fill('Still working on it');
    await reveal.getByRole('button', { name: /Reveal/ }).click();
    await expect(reveal.getByText(/no longer available/)).toBeVisible();
    expect((await page.goto(`/tickets/${ticket.id}`))?.status()).toBe(404);
    for (const other of [others, unassigned]) {
      expect((await page.goto(`/tickets/${other.id}`))?.status()).toBe(404);
      for (const [name, input] of [
        ['revealRequesterFieldAction', { ticketId: other.id, field: 'email', reason: 'curious about this one' }],
        ['unlockRequesterAction', { ticketId: other.id, reason: 'curious about this one' }],
        ['commentOnTicketAction', { ticketId: other.id, kind: 'reply', body: 'hello' }],
      ] as const) {
        expect((await callAction(page.request, name, [input])).code, `${name} on another ticket`).toBe('NOT_FOUND');
      }
    }
    await page.goto('/tickets');
    await expect(page.getByTestId('ticket-row').filter({ hasText: `SUP-${ticket.number}` })).toHaveCount(0);
  });

  test('T35 markup, script URLs and bidi overrides in a ticket’s subject, body and comments render as inert text in the queue and the ticket', async ({
    page,
  }) => {
    const agent = await createUser('support');
    const requester = await createUser('member', { totp: false });
    const subject = `<img src=x onerror=alert("subject")> javascript:alert(1) \u202Eevil`;
    const body = `<script>alert("body")</script>\n<a href="javascript:alert(2)">click</a> \u2066isolate`;
    const ticket = await makeTicket(requester, agent, { subject, body });
    const dialogs = await noDialogs(page);
    await signIn(page, agent);
    const reply = await callAction(page.request, 'commentOnTicketAction', [
      { ticketId: ticket.id, kind: 'internal', body: `<svg onload=alert("note")>\u202Enote` },
    ]);
    expect(reply.ok, reply.body.slice(0, 200)).toBe(true);
    for (const path of ['/tickets', `/tickets/${ticket.id}`]) {
      await page.goto(path);
      await expect(page.locator('main')).toBeVisible();
      await expect(page.locator('main img[src="x"], main svg[onload], main [onerror], main [onload]')).toHaveCount(0);
      await expect(page.locator('main a[href^="javascript:"]')).toHaveCount(0);
      expect(await page.locator('main').innerText()).not.toMatch(/[\u202E\u2066]/);
    }
    await expect(page.getByText('<img src=x onerror=alert("subject")> javascript:alert(1) \\u{202E}evil').first()).toBeVisible();
    await expect(page.getByText('<svg onload=alert("note")>\\u{202E}note')).toBeVisible();
    expect(dialogs).toEqual([]);
  });
});
