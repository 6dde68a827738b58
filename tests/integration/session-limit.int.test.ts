// The cookie must be the one next-auth itself would set (see tests/helpers/action-harness.ts).
// eslint-disable-next-line no-restricted-imports
import { encode } from 'next-auth/jwt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyChain } from '@/lib/audit/verify';
import { sessionCookieName } from '@/lib/auth/next-auth';
import { ABSOLUTE_LIFETIME_MS } from '@/lib/auth/session-policy';
import { exchangeTicket } from '@/lib/auth/session-issue';
import { hashSessionSecret } from '@/lib/auth/sessions';
import { mintTicket } from '@/lib/auth/tickets';
import { getViewer } from '@/lib/auth/viewer';
import { authSecret } from '@/lib/env';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';
import { ActionHarness, type Caller, type TestUser } from '../helpers/action-harness';
import { testProviders } from '../helpers/test-db';

// lib/env validates and caches process.env on first use, which happens while the
// imports above load (lib/log): the deployment is fixed before them.
vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
});
// Only the framework's request scope is replaced (tests/helpers/action-harness.ts).
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const LIMIT = AUTHENTICATION_POLICY.maxLiveSessionsPerUser;

/**
 * T22 (ASVS V7.1.2): the documented limit is 5 live sessions per person
 * (docs/operators.md "Session limit"). A sixth sign-in is not refused: it ends the
 * oldest live session in its own transaction, with a `session.end` event whose
 * reasonCode is `session_limit`, and that browser is signed out on its next request.
 * Sign-ins go through the real path next-auth's authorize() takes (a one-time
 * ticket exchanged by exchangeTicket); the cookies are next-auth's own.
 */
describe.each(testProviders())('T22 concurrent session limit on %s', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'slimit');
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  /** One real sign-in of `user`: a new Session row and the cookie the browser would get. */
  async function signIn(user: TestUser): Promise<Caller & { secret: string }> {
    const ticket = await h.db.$transaction((tx) => mintTicket(tx, { userId: user.id, purpose: 'sign_in', amr: 'pwd+otp' }));
    const anonymous = h.anonymous();
    const issued = await h.as(anonymous, () => exchangeTicket(ticket));
    expect(issued).toMatchObject({ userId: user.id });
    const row = await h.db.session.findUniqueOrThrow({ where: { tokenHash: hashSessionSecret(issued!.secret) }, select: { id: true } });
    const name = sessionCookieName();
    const cookie = await encode({ token: { sid: issued!.secret }, secret: authSecret(), salt: name, maxAge: ABSOLUTE_LIFETIME_MS / 1000 });
    // Distinct creation times, so "oldest" is unambiguous.
    await new Promise((r) => setTimeout(r, 5));
    return { user, sessionId: row.id, cookie, peer: anonymous.peer, secret: issued!.secret };
  }

  const viewerOf = (c: Caller) => h.as(c, () => getViewer());
  const limitEvents = (userId: string) =>
    h.db.auditEvent.findMany({
      where: { operation: 'session.end', reasonCode: 'session_limit', details: { contains: userId } },
      orderBy: { seq: 'asc' },
    });

  it('T22 the documented limit is 5 live sessions per person', () => {
    expect(LIMIT).toBe(5);
  });

  it('T22 a sixth sign-in ends the oldest live session, audited as session.end session_limit; that browser is signed out, the five newest are not', async () => {
    const user = await h.createUser({ role: 'support' });
    const browsers: (Caller & { secret: string })[] = [];
    for (let i = 0; i < LIMIT; i += 1) browsers.push(await signIn(user));
    expect(await h.liveSessions(user.id)).toBe(LIMIT);
    expect(await limitEvents(user.id)).toEqual([]);
    for (const b of browsers) expect(await viewerOf(b)).toMatchObject({ userId: user.id, sessionId: b.sessionId });

    const sixth = await signIn(user);
    expect(await h.liveSessions(user.id)).toBe(LIMIT);
    const oldest = await h.db.session.findUniqueOrThrow({ where: { id: browsers[0]!.sessionId! } });
    expect(oldest).toMatchObject({ revokedReason: 'session_limit' });
    expect(oldest.revokedAt).toBeInstanceOf(Date);

    // Exactly one event, about the ended session, naming the sign-in that pushed it out.
    const events = await limitEvents(user.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      operation: 'session.end',
      outcome: 'success',
      reasonCode: 'session_limit',
      targetType: 'Session',
      targetId: browsers[0]!.sessionId,
      actorId: user.id,
      decision: 'authn.session_policy',
    });
    expect(JSON.parse(events[0]!.details)).toMatchObject({ userId: user.id, limit: LIMIT, newSessionId: sixth.sessionId });
    // It was written with the sign-in (same transaction, next seq after auth.sign_in of the new session).
    const signInEvent = await h.db.auditEvent.findFirstOrThrow({ where: { operation: 'auth.sign_in', targetId: sixth.sessionId } });
    expect(events[0]!.seq).toBe(signInEvent.seq + 1);

    // The oldest browser is signed out on its next request; the others, and the new one, are not.
    expect(await viewerOf(browsers[0]!)).toBeNull();
    for (const b of [...browsers.slice(1), sixth]) expect(await viewerOf(b)).toMatchObject({ sessionId: b.sessionId });
    // Ending it again on that request adds no second event.
    expect(await limitEvents(user.id)).toHaveLength(1);

    // A seventh sign-in ends the next oldest.
    const seventh = await signIn(user);
    expect(await h.liveSessions(user.id)).toBe(LIMIT);
    expect(await viewerOf(browsers[1]!)).toBeNull();
    expect(await viewerOf(seventh)).toMatchObject({ sessionId: seventh.sessionId });
    expect((await limitEvents(user.id)).map((e) => e.targetId)).toEqual([browsers[0]!.sessionId, browsers[1]!.sessionId]);
  });

  it('T22 ended and expired sessions do not count, a step-up (rotation) is not a sign-in, and the limit is per person', async () => {
    const user = await h.createUser({ role: 'admin' });
    const other = await h.createUser({ role: 'admin' });
    const others: Caller[] = [];
    for (let i = 0; i < 3; i += 1) others.push(await signIn(other));

    const browsers: Caller[] = [];
    for (let i = 0; i < LIMIT; i += 1) browsers.push(await signIn(user));
    // One signed out, one past its absolute expiry (not yet noticed): three live.
    await h.db.session.update({ where: { id: browsers[0]!.sessionId! }, data: { revokedAt: new Date(), revokedReason: 'sign_out' } });
    await h.db.session.update({ where: { id: browsers[1]!.sessionId! }, data: { expiresAt: new Date(Date.now() - 1000) } });

    // Two more sign-ins reach the limit without ending anyone.
    const fresh = [await signIn(user), await signIn(user)];
    expect(await limitEvents(user.id)).toEqual([]);
    for (const b of [...browsers.slice(2), ...fresh]) expect(await viewerOf(b)).toMatchObject({ sessionId: b.sessionId });

    // A rotation (step-up, re-authentication) of a live session creates none.
    const rotate = await h.db.$transaction((tx) =>
      mintTicket(tx, { userId: user.id, purpose: 'rotate', amr: 'pwd+otp', sessionId: browsers[2]!.sessionId! }),
    );
    expect(await h.as(browsers[2]!, () => exchangeTicket(rotate))).toMatchObject({ userId: user.id });
    expect(await limitEvents(user.id)).toEqual([]);

    // The other person's sessions were never touched.
    for (const b of others) expect(await viewerOf(b)).toMatchObject({ userId: other.id });
    expect(await h.liveSessions(other.id)).toBe(3);
  });

  it('T22 the audit chain verifies after the limit ended sessions', async () => {
    expect((await verifyChain(h.db)).ok).toBe(true);
  });
});
