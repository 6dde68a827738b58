import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { verifyPassword } from '../../lib/auth/password';
import { E2E } from '../env';
import { createUser, e2eDb, expect, signIn, test, verifyAuditChain, type TestUser } from '../fixtures';

/**
 * Links to a ticket's requester (a new invitation, a password reset): the server
 * writes them only into a message in the spool directory (WARDEN_OUTBOX_DIR), so
 * the agent who sends one never sees it. The test plays the mail system by
 * reading the spooled .eml file, then the requester by opening the link in a
 * browser with no session.
 */

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const OUTBOX = E2E.serverEnv.WARDEN_OUTBOX_DIR!;
const INVALID_RESET = 'This password-reset link is not valid or has expired. Ask support for a new one.';
/** Exactly the headers lib/outbox/spool.ts writes, in order; anything else would be injected. */
const HEADER_NAMES = ['From', 'To', 'Subject', 'Date', 'Message-ID', 'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding'];

let nextNumber = 600_000 + Math.floor(Math.random() * 100_000);

async function makeTicket(requester: TestUser, assignee: TestUser) {
  const db = await e2eDb();
  return db.ticket.create({
    data: {
      number: nextNumber++,
      requesterId: requester.id,
      subject: 'I forgot my password and now the account is locked',
      body: 'Please help me get back in.',
      status: 'open',
      priority: 'normal',
      tags: 'login password',
      assigneeId: assignee.id,
    },
  });
}

function spooled(): string[] {
  return fs.existsSync(OUTBOX) ? fs.readdirSync(OUTBOX).filter((n) => n.endsWith('.eml')) : [];
}

interface Message {
  file: string;
  headerLines: string[];
  headers: Record<string, string>;
  body: string;
}

function parseMessage(file: string): Message {
  const raw = fs.readFileSync(file, 'utf8');
  const split = raw.indexOf('\r\n\r\n');
  expect(split, `${file} has a header block`).toBeGreaterThan(0);
  const headerLines = raw.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const m = /^([A-Za-z-]+): (.*)$/.exec(line);
    expect(m, `header line ${JSON.stringify(line)}`).not.toBeNull();
    headers[m![1]!] = m![2]!;
  }
  return { file, headerLines, headers, body: raw.slice(split + 4) };
}

/** The newest message to `to` among those spooled after `before` was taken (file names start with the ISO time). */
async function newMessageTo(to: string, before: string[]): Promise<Message> {
  let found: Message | undefined;
  await expect
    .poll(() => {
      const fresh = spooled()
        .filter((n) => !before.includes(n))
        .sort()
        .reverse()
        .map((n) => parseMessage(path.join(OUTBOX, n)));
      found = fresh.find((m) => m.headers.To === to);
      return !!found;
    })
    .toBe(true);
  return found!;
}

/** Collects what the server sends this page (documents, RSC payloads, action responses) to check none carries the link. */
function recordResponses(page: Page): () => Promise<string[]> {
  const bodies: Promise<string>[] = [];
  page.on('response', (r) => {
    if (['document', 'fetch', 'xhr'].includes(r.request().resourceType())) bodies.push(r.text().catch(() => ''));
  });
  return () => Promise.all(bodies);
}

test.describe('[SUPPORT][LINKS] links to a ticket’s requester go to the requester’s address, never to the agent', () => {
  test.setTimeout(150_000);

  test('[SUPPORT][LINKS] an agent sends a password-reset link the agent never sees; the requester sets a new password with it once; the link is recorded but never stored in the trail', async ({
    page,
    browser,
  }) => {
    const db = await e2eDb();
    const agent = await createUser('support');
    const requester = await createUser('member', { totp: false });
    // A name with a line break and a header in it: it goes into the message body only, never into a header.
    await db.user.update({
      where: { id: requester.id },
      data: { lockedAt: new Date(), failedLoginCount: 50, name: `${requester.name}\r\nBcc: attacker@evil.test` },
    });
    const before = await db.user.findUniqueOrThrow({ where: { id: requester.id } });
    const ticket = await makeTicket(requester, agent);
    const seen = recordResponses(page);

    await signIn(page, agent);
    await page.goto(`/tickets/${ticket.id}`);
    const panel = page.getByTestId('requester-panel');
    await expect(panel.getByTestId('send-invitation')).toHaveCount(0);
    await expect(panel.getByTestId('send-password-reset')).toHaveAccessibleName('Send password-reset link');

    // Without a reason the server refuses and nothing is spooled.
    const spooledBefore = spooled();
    await panel.getByRole('button', { name: 'Send password-reset link' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send the requester a password-reset link' });
    await expect(dialog).toContainText('you will not see it');
    await dialog.getByRole('button', { name: 'Send link' }).click();
    await expect(dialog.getByRole('status')).toContainText('Say why');
    expect(spooled()).toEqual(spooledBefore);

    const reason = `Caller verified by callback ${requester.id.slice(-6)}`;
    await dialog.getByLabel('Reason').fill(reason);
    await dialog.getByRole('button', { name: 'Send link' }).click();
    await expect(dialog).toBeHidden();
    await expect(panel.getByText('Sent to the requester’s address.')).toBeVisible();
    expect(await page.content()).not.toContain('/reset-password#');

    // The mail system's view: one new message, to the requester, with exactly the expected headers.
    const message = await newMessageTo(requester.email, spooledBefore);
    expect(message.headerLines.map((l) => l.split(':')[0])).toEqual(HEADER_NAMES);
    expect(message.headers).toMatchObject({ To: requester.email, Subject: 'Reset your password' });
    expect(message.headers.From).toBeTruthy();
    expect(JSON.stringify(message.headers)).not.toContain('attacker@evil.test');
    expect(fs.statSync(message.file).mode & 0o777).toBe(0o600);
    const links = [...message.body.matchAll(/(https?:\/\/[^\s#]+\/reset-password#([A-Za-z0-9_-]{43}))(?![A-Za-z0-9_-])/g)];
    expect(links).toHaveLength(1);
    const [, link, token] = links[0] as unknown as [string, string, string];
    expect(link.startsWith(`${E2E.baseURL}/reset-password#`)).toBe(true);

    // The agent never had it: not in any page, RSC payload or action response, nor after a reload.
    await page.reload();
    await expect(page.getByTestId('requester-panel')).toBeVisible();
    expect(await page.content()).not.toContain(token);
    for (const body of await seen()) {
      expect(body).not.toContain(token);
      expect(body).not.toContain('/reset-password#');
    }
    expect(fs.readFileSync(path.join(root, 'var/e2e/server.log'), 'utf8')).not.toContain(token);

    // The requester opens it in a browser with no session: no redirect to sign-in, the fragment leaves the address bar.
    const requesterContext = await browser.newContext();
    try {
      const tab = await requesterContext.newPage();
      await tab.goto(link);
      await expect(tab.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
      await expect(tab).toHaveURL(`${E2E.baseURL}/reset-password`);
      const newPassword = `brand new e2e passphrase ${requester.id.slice(-6)}`;
      await tab.getByLabel('New password', { exact: true }).fill(newPassword);
      await tab.getByLabel('Confirm password', { exact: true }).fill(newPassword);
      await tab.getByRole('button', { name: 'Set new password' }).click();
      await expect(tab.getByText('Your password is set. You have been signed out everywhere.')).toBeVisible();

      const after = await db.user.findUniqueOrThrow({ where: { id: requester.id } });
      expect(after.lockedAt).toBeNull();
      expect(after.failedLoginCount).toBe(0);
      expect(after.passwordHash).not.toBe(before.passwordHash);
      expect(await verifyPassword(after.passwordHash!, newPassword)).toBe(true);

      // Once only: the same link again gets the one generic message, and changes nothing.
      const again = await requesterContext.newPage();
      await again.goto(link);
      await again.getByLabel('New password', { exact: true }).fill('another e2e passphrase, also long');
      await again.getByLabel('Confirm password', { exact: true }).fill('another e2e passphrase, also long');
      await again.getByRole('button', { name: 'Set new password' }).click();
      await expect(again.getByRole('status').filter({ hasText: INVALID_RESET })).toBeVisible();
      expect((await db.user.findUniqueOrThrow({ where: { id: requester.id } })).passwordHash).toBe(after.passwordHash);
    } finally {
      await requesterContext.close();
    }

    // Recorded: the reset row (hashed token only), and the trail — without the link.
    const resets = await db.passwordReset.findMany({ where: { userId: requester.id } });
    expect(resets).toHaveLength(1);
    expect(resets[0]).toMatchObject({ ticketId: ticket.id, createdById: agent.id });
    expect(resets[0]!.usedAt).not.toBeNull();
    expect(resets[0]!.tokenHash).not.toContain(token);

    const sent = await db.auditEvent.findMany({
      where: { operation: 'ticket.send_requester_password_reset', outcome: 'success', actorId: agent.id },
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ targetType: 'User', targetId: requester.id, reason });
    expect(sent[0]!.details).not.toContain(token);
    expect(sent[0]!.details).not.toContain(requester.email);
    const completed = await db.auditEvent.findMany({
      where: { operation: 'account.password_reset', outcome: 'success', targetId: requester.id },
    });
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ actorId: requester.id, targetType: 'User' });
    expect(await db.auditEvent.count({ where: { details: { contains: token } } })).toBe(0);
    expect(await db.auditEvent.count({ where: { reason: { contains: token } } })).toBe(0);
    expect(verifyAuditChain().code).toBe(0);
  });

  test('[SUPPORT][LINKS] a requester without a password gets a new invitation link; the reset button is not offered', async ({
    page,
    browser,
  }) => {
    const db = await e2eDb();
    const agent = await createUser('support');
    const requester = await createUser('member', { totp: false });
    const past = new Date(Date.now() - 5 * 24 * 3_600_000);
    await db.user.update({ where: { id: requester.id }, data: { passwordHash: null } });
    const expired = await db.invitation.create({
      data: {
        userId: requester.id,
        tokenHash: `e2e-expired-${requester.id}`,
        createdAt: past,
        expiresAt: new Date(past.getTime() + 3_600_000),
      },
    });
    const ticket = await makeTicket(requester, agent);
    const seen = recordResponses(page);

    await signIn(page, agent);
    await page.goto(`/tickets/${ticket.id}`);
    const panel = page.getByTestId('requester-panel');
    await expect(panel.getByTestId('send-password-reset')).toHaveCount(0);
    const spooledBefore = spooled();
    await panel.getByTestId('send-invitation').click();
    const dialog = page.getByRole('dialog', { name: 'Send the requester a new invitation' });
    await expect(dialog).toContainText('you will not see it');
    // The reason is optional here.
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    await expect(dialog).toBeHidden();
    await expect(panel.getByText('Sent to the requester’s address.')).toBeVisible();
    expect(await page.content()).not.toContain('/invite#');

    const message = await newMessageTo(requester.email, spooledBefore);
    expect(message.headerLines.map((l) => l.split(':')[0])).toEqual(HEADER_NAMES);
    expect(message.headers.To).toBe(requester.email);
    const links = [...message.body.matchAll(/(https?:\/\/[^\s#]+\/invite#([A-Za-z0-9_-]{43}))(?![A-Za-z0-9_-])/g)];
    expect(links).toHaveLength(1);
    const [, link, token] = links[0] as unknown as [string, string, string];
    expect(link.startsWith(`${E2E.baseURL}/invite#`)).toBe(true);
    expect(message.body).not.toContain('/reset-password#');
    for (const body of await seen()) expect(body).not.toContain(token);

    // Older invitations stop working; the new one lets the requester set a password.
    expect((await db.invitation.findUniqueOrThrow({ where: { id: expired.id } })).revokedAt).not.toBeNull();
    const requesterContext = await browser.newContext();
    try {
      const tab = await requesterContext.newPage();
      await tab.goto(link);
      const password = `invited e2e passphrase ${requester.id.slice(-6)}`;
      await tab.getByLabel('New password', { exact: true }).fill(password);
      await tab.getByLabel('Confirm password', { exact: true }).fill(password);
      await tab.getByRole('button', { name: 'Set password' }).click();
      await expect(tab.getByText('Invitation accepted')).toBeVisible();
    } finally {
      await requesterContext.close();
    }
    const after = await db.user.findUniqueOrThrow({ where: { id: requester.id } });
    expect(await verifyPassword(after.passwordHash!, `invited e2e passphrase ${requester.id.slice(-6)}`)).toBe(true);

    const sent = await db.auditEvent.findMany({
      where: { operation: 'ticket.resend_requester_invitation', outcome: 'success', actorId: agent.id },
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ targetType: 'User', targetId: requester.id });
    expect(await db.auditEvent.count({ where: { details: { contains: token } } })).toBe(0);
    expect(await db.auditEvent.count({ where: { reason: { contains: token } } })).toBe(0);
  });
});
