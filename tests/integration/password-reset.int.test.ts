import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { completePasswordResetAction } from '@/app/(auth)/reset-password/_actions/complete-password-reset';
import { sendRequesterPasswordResetAction } from '@/app/(console)/tickets/_actions/send-requester-password-reset';
import { verifyChain } from '@/lib/audit/verify';
import { verifyPassword } from '@/lib/auth/password';
import { hashToken } from '@/lib/auth/tokens';
import { INVALID_PASSWORD_RESET } from '@/lib/dal/password-resets';
import { ActionHarness, type Caller, type TestUser } from '../helpers/action-harness';
import { testProviders } from '../helpers/test-db';

// lib/env validates and caches process.env on first use, which happens while the
// imports above load (lib/log): the deployment is fixed before them. The outbox
// (links sent to requesters) is a fresh directory of this run, which the app creates.
const OUTBOX = vi.hoisted(() => {
  const outbox = `${process.env.TMPDIR ?? '/tmp'}/warden-outbox-reset-${globalThis.crypto.randomUUID()}`;
  vi.stubEnv('WARDEN_OUTBOX_DIR', outbox);
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
  return outbox;
});
// Only the framework's request scope is replaced (tests/helpers/action-harness.ts).
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

/**
 * Completing a password reset (account.password_reset) through the real public
 * server action, on a real database, on every provider. The link is obtained the
 * only way there is: an agent sends it from a ticket, and the test reads it from
 * the spooled message, as the requester's mail client would.
 */

const OLD_PASSWORD = 'the old passphrase of the requester';
const NEW_PASSWORD = 'a brand new passphrase, long enough';
const REASON = 'Requester forgot the password, verified by callback';

// The outbox of this run holds (test) links: it goes with the run.
afterAll(() => fs.rmSync(OUTBOX, { recursive: true, force: true }));

describe.each(testProviders())('password reset on %s', (provider) => {
  let h: ActionHarness;
  let agent: Caller;
  let nextNumber = 300_000 + Math.floor(Math.random() * 100_000);

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'reset');
    agent = await h.caller('support');
  });
  afterAll(async () => {
    await h?.cleanup();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A locked member with a password, a live session, and an open ticket assigned to the agent. */
  async function newRequester(): Promise<{ user: TestUser; ticketId: string; sessionId: string }> {
    const user = await h.createUser({
      role: 'member',
      mfa: false,
      password: OLD_PASSWORD,
      locked: true,
      email: `sam.${randomBytes(4).toString('hex')}@example.com`,
    });
    await h.db.user.update({ where: { id: user.id }, data: { lockedUntil: new Date(Date.now() + 60 * 60 * 1000) } });
    // A Session row as any sign-in makes it (a member has no console, but a session is a session).
    const { sessionId } = await h.signIn(user);
    const ticket = await h.db.ticket.create({
      data: {
        number: nextNumber++,
        requesterId: user.id,
        subject: 'Forgot my password',
        body: 'Please help.',
        status: 'open',
        assigneeId: agent.user!.id,
      },
      select: { id: true },
    });
    return { user, ticketId: ticket.id, sessionId: sessionId! };
  }

  /** The agent sends a reset link; the token is read from the one new message to the requester. */
  async function sendReset(ticketId: string, to: string): Promise<string> {
    const before = new Set(fs.existsSync(OUTBOX) ? fs.readdirSync(OUTBOX) : []);
    const { result } = await h.call(agent, sendRequesterPasswordResetAction, { ticketId, reason: REASON });
    expect(result).toMatchObject({ ok: true });
    const added = fs.readdirSync(OUTBOX).filter((f) => !before.has(f));
    expect(added).toHaveLength(1);
    const raw = fs.readFileSync(path.join(OUTBOX, added[0]!), 'utf8');
    expect(raw).toContain(`\r\nTo: ${to}\r\n`);
    const token = /http:\/\/localhost:3000\/reset-password#([A-Za-z0-9_-]{43})/.exec(raw)?.[1];
    expect(token).toEqual(expect.any(String));
    return token!;
  }

  function complete(token: string, password = NEW_PASSWORD, confirm = password, extra: Record<string, unknown> = {}) {
    return h.call(h.anonymous(), completePasswordResetAction, { token, password, confirm, ...extra });
  }

  function account(id: string) {
    return h.db.user.findUniqueOrThrow({
      where: { id },
      select: { passwordHash: true, lockedAt: true, lockedUntil: true, failedLoginCount: true, sessionVersion: true, status: true },
    });
  }

  /** A refused completion: the one generic NOT_FOUND, the account untouched, no success in the trail, the token nowhere in it. */
  async function expectInvalidLink(userId: string, token: string) {
    const before = await account(userId);
    const live = await h.liveSessions(userId);
    const { result, correlationId } = await complete(token);
    expect(result).toMatchObject({ ok: false, code: 'NOT_FOUND', message: INVALID_PASSWORD_RESET });
    expect(await account(userId)).toEqual(before);
    expect(await h.liveSessions(userId)).toBe(live);
    const events = await h.eventsOf(correlationId);
    expect(events.filter((e) => e.outcome === 'success')).toEqual([]);
    for (const e of events) expect(JSON.stringify(e)).not.toContain(token);
  }

  it('a valid link sets the new password, clears the lock, ends every session and is audited with the requester as actor', async () => {
    const { user, sessionId } = await newRequester();
    const second = await h.signIn(user);
    const before = await account(user.id);
    expect(await h.liveSessions(user.id)).toBe(2);
    const token = await sendReset((await h.db.ticket.findFirstOrThrow({ where: { requesterId: user.id } })).id, user.email);

    const { result, correlationId } = await complete(token);
    expect(result).toEqual({ ok: true, data: { consoleAccount: false } });

    const after = await account(user.id);
    expect(after.passwordHash).not.toBe(before.passwordHash);
    expect(await verifyPassword(after.passwordHash!, NEW_PASSWORD)).toBe(true);
    expect(await verifyPassword(after.passwordHash!, OLD_PASSWORD)).toBe(false);
    expect(after).toMatchObject({ lockedAt: null, lockedUntil: null, failedLoginCount: 0, status: 'active' });
    expect(after.sessionVersion).toBe(before.sessionVersion + 1);
    expect(await h.liveSessions(user.id)).toBe(0);
    const sessions = await h.db.session.findMany({ where: { id: { in: [sessionId, second.sessionId!] } } });
    expect(sessions).toHaveLength(2);
    for (const s of sessions) expect(s).toMatchObject({ revokedAt: expect.any(Date), revokedReason: 'password_reset' });
    expect(await h.db.passwordReset.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } })).toMatchObject({
      usedAt: expect.any(Date),
      revokedAt: null,
    });

    const events = await h.eventsOf(correlationId);
    expect(events).toEqual([
      expect.objectContaining({
        operation: 'account.password_reset',
        outcome: 'success',
        actorId: user.id,
        actorRole: 'member',
        actorSessionId: null,
        targetType: 'User',
        targetId: user.id,
        decision: 'public.password_reset_token',
      }),
    ]);
    expect(JSON.parse(events[0]!.details)).toMatchObject({ sessionsEnded: 2 });
    const row = JSON.stringify(events[0]);
    for (const secret of [token, hashToken(token), NEW_PASSWORD, after.passwordHash!]) expect(row).not.toContain(secret);
  });

  it('a link works once: the second use is NOT_FOUND with the generic message', async () => {
    const { user, ticketId } = await newRequester();
    const token = await sendReset(ticketId, user.email);
    expect((await complete(token)).result).toMatchObject({ ok: true });
    await expectInvalidLink(user.id, token);
  });

  it('an expired link (after one hour) is NOT_FOUND', async () => {
    const { user, ticketId } = await newRequester();
    const token = await sendReset(ticketId, user.email);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61 * 60 * 1000);
    await expectInvalidLink(user.id, token);
    vi.useRealTimers();
    expect(await h.db.passwordReset.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } })).toMatchObject({ usedAt: null });
  });

  it('a link just before its hour is up still works', async () => {
    const { user, ticketId } = await newRequester();
    const token = await sendReset(ticketId, user.email);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 59 * 60 * 1000);
    expect((await complete(token)).result).toMatchObject({ ok: true });
  });

  it('a link revoked by a newer one is NOT_FOUND; the newer one works', async () => {
    const { user, ticketId } = await newRequester();
    const older = await sendReset(ticketId, user.email);
    const newer = await sendReset(ticketId, user.email);
    await expectInvalidLink(user.id, older);
    expect((await complete(newer)).result).toMatchObject({ ok: true });
    expect(await verifyPassword((await account(user.id)).passwordHash!, NEW_PASSWORD)).toBe(true);
  });

  it('a link of a user who was suspended, disabled or deleted after it was sent is NOT_FOUND', async () => {
    for (const change of [{ status: 'suspended' }, { status: 'disabled' }, { deletedAt: new Date() }]) {
      const { user, ticketId } = await newRequester();
      const token = await sendReset(ticketId, user.email);
      await h.db.user.update({ where: { id: user.id }, data: change });
      await expectInvalidLink(user.id, token);
    }
  });

  it('a token that was never issued is NOT_FOUND with the same message', async () => {
    const { user } = await newRequester();
    await expectInvalidLink(user.id, randomBytes(32).toString('base64url'));
  });

  it('a malformed token, a weak password or a mismatched confirmation is VALIDATION and spends nothing', async () => {
    const { user, ticketId } = await newRequester();
    const token = await sendReset(ticketId, user.email);
    const before = await account(user.id);
    const cases: [unknown, string | null][] = [
      [{ token: token.slice(1), password: NEW_PASSWORD, confirm: NEW_PASSWORD }, 'token'],
      [{ token: `${token.slice(1)}!`, password: NEW_PASSWORD, confirm: NEW_PASSWORD }, 'token'],
      [{ token: `${token}A`, password: NEW_PASSWORD, confirm: NEW_PASSWORD }, 'token'],
      [{ token, password: 'short', confirm: 'short' }, 'password'],
      [{ token, password: 'x'.repeat(129), confirm: 'x'.repeat(129) }, 'password'],
      [{ token, password: NEW_PASSWORD, confirm: `${NEW_PASSWORD}.` }, 'confirm'],
      [{ token, password: NEW_PASSWORD }, 'confirm'],
      [{ password: NEW_PASSWORD, confirm: NEW_PASSWORD }, 'token'],
    ];
    for (const [input, field] of cases) {
      const { result, correlationId } = await h.call(h.anonymous(), completePasswordResetAction, input);
      expect(result, JSON.stringify(input)).toMatchObject({ ok: false, code: 'VALIDATION' });
      if (field && !result.ok) expect(Object.keys(result.fieldErrors ?? {}), JSON.stringify(input)).toContain(field);
      expect((await h.eventsOf(correlationId)).filter((e) => e.outcome === 'success')).toEqual([]);
    }
    expect(await account(user.id)).toEqual(before);
    expect(await h.db.passwordReset.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } })).toMatchObject({ usedAt: null });
    // Still usable afterwards: nothing above spent it.
    expect((await complete(token)).result).toMatchObject({ ok: true });
  });

  it('T27 extra fields (userId, role) are refused with VALIDATION and change nobody', async () => {
    const { user, ticketId } = await newRequester();
    const other = await h.createUser({ role: 'admin' });
    const otherBefore = await h.userState(other.id);
    const token = await sendReset(ticketId, user.email);
    const before = await account(user.id);
    for (const extra of [{ userId: other.id }, { role: 'admin' }, { email: other.email }]) {
      const { result, correlationId } = await complete(token, NEW_PASSWORD, NEW_PASSWORD, extra);
      expect(result, JSON.stringify(extra)).toMatchObject({ ok: false, code: 'VALIDATION' });
      expect((await h.eventsOf(correlationId)).filter((e) => e.outcome === 'success')).toEqual([]);
    }
    expect(await account(user.id)).toEqual(before);
    expect(await h.userState(other.id)).toEqual(otherBefore);
    const row = await h.db.passwordReset.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } });
    expect(row).toMatchObject({ usedAt: null, revokedAt: null });
  });

  it('the audit chain verifies after all of the above', async () => {
    const chain = await verifyChain(h.db);
    expect(chain).toMatchObject({ ok: true, count: await h.db.auditEvent.count() });
  });
});
