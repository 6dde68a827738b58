import { describe, expect, it } from 'vitest';
import {
  ABSOLUTE_LIFETIME_MS,
  evaluateSession,
  IDLE_TIMEOUT_MS,
  shouldTouch,
  SUPERADMIN_IDLE_TIMEOUT_MS,
  type SessionFacts,
  type UserFacts,
} from './session-policy';

const MIN = 60_000;
const t0 = new Date('2026-03-01T08:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

function session(over: Partial<SessionFacts> = {}): SessionFacts {
  return {
    authTime: t0,
    lastSeenAt: t0,
    expiresAt: at(ABSOLUTE_LIFETIME_MS),
    revokedAt: null,
    sessionVersion: 0,
    ...over,
  };
}
function user(over: Partial<UserFacts> = {}): UserFacts {
  return { role: 'admin', status: 'active', sessionVersion: 0, deletedAt: null, ...over };
}
function check(s: SessionFacts, u: UserFacts, now: Date, extra: { roleSuspended?: boolean; consoleRole?: boolean } = {}) {
  return evaluateSession({ session: s, user: u, now, roleSuspended: extra.roleSuspended ?? false, consoleRole: extra.consoleRole ?? true });
}

describe('session timeouts with an injected clock', () => {
  it('T16 keeps an admin session idle for 29 minutes and ends it at 30', () => {
    expect(check(session(), user(), at(29 * MIN))).toEqual({ valid: true });
    expect(check(session(), user(), at(IDLE_TIMEOUT_MS))).toEqual({ valid: false, reason: 'expired_idle' });
    expect(check(session(), user(), at(31 * MIN))).toEqual({ valid: false, reason: 'expired_idle' });
  });

  it('T16 ends a superadmin session after 15 idle minutes', () => {
    const sa = user({ role: 'superadmin' });
    expect(check(session(), sa, at(14 * MIN))).toEqual({ valid: true });
    expect(check(session(), sa, at(SUPERADMIN_IDLE_TIMEOUT_MS))).toEqual({ valid: false, reason: 'expired_idle' });
  });

  it('activity resets the idle timer', () => {
    const active = session({ lastSeenAt: at(25 * MIN) });
    expect(check(active, user(), at(50 * MIN))).toEqual({ valid: true });
  });

  it('T17 ends an always-active session at 12 hours after authentication', () => {
    const justActive = (ms: number) => session({ lastSeenAt: at(ms - MIN) });
    expect(check(justActive(ABSOLUTE_LIFETIME_MS - MIN), user(), at(ABSOLUTE_LIFETIME_MS - MIN))).toEqual({ valid: true });
    expect(check(justActive(ABSOLUTE_LIFETIME_MS), user(), at(ABSOLUTE_LIFETIME_MS))).toEqual({
      valid: false,
      reason: 'expired_absolute',
    });
  });

  it('T17 a stored expiresAt beyond authTime + 12 h does not extend the session', () => {
    const forged = session({ expiresAt: at(48 * 60 * MIN), lastSeenAt: at(12 * 60 * MIN) });
    expect(check(forged, user(), at(12 * 60 * MIN + MIN))).toEqual({ valid: false, reason: 'expired_absolute' });
  });

  it('a revoked session is over at once', () => {
    expect(check(session({ revokedAt: at(MIN) }), user(), at(2 * MIN))).toEqual({ valid: false, reason: 'revoked' });
  });

  it('a suspended or disabled user, a suspended role, a member, or a bumped sessionVersion ends it', () => {
    expect(check(session(), user({ status: 'suspended' }), at(MIN))).toMatchObject({ valid: false, reason: 'user_inactive' });
    expect(check(session(), user({ status: 'disabled' }), at(MIN))).toMatchObject({ valid: false, reason: 'user_inactive' });
    expect(check(session(), user({ deletedAt: t0 }), at(MIN))).toMatchObject({ valid: false, reason: 'user_inactive' });
    expect(check(session(), user(), at(MIN), { roleSuspended: true })).toMatchObject({ reason: 'role_suspended' });
    expect(check(session(), user({ role: 'member' }), at(MIN), { consoleRole: false })).toMatchObject({ reason: 'not_console_role' });
    expect(check(session(), user({ sessionVersion: 1 }), at(MIN))).toMatchObject({ reason: 'session_version' });
  });

  it('touches lastSeenAt at most every 15 seconds', () => {
    expect(shouldTouch(t0, at(14_999))).toBe(false);
    expect(shouldTouch(t0, at(15_000))).toBe(true);
  });
});
