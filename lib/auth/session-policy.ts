/**
 * Session timers (NIST SP 800-63B-4 §2.2.3, §2.3.3, §5.2; SECURITY.md "The numbers").
 * Pure: the clock is a parameter, so the rules are unit tested without waiting.
 * The cookie's own expiry never enforces anything; these checks run on the
 * server on every request.
 */

export const ABSOLUTE_LIFETIME_MS = 12 * 60 * 60 * 1000;
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
/** AAL3-style inactivity limit for the most privileged role. */
export const SUPERADMIN_IDLE_TIMEOUT_MS = 15 * 60 * 1000;
/** lastSeenAt is written at most this often, to spare the database on busy pages. */
export const TOUCH_INTERVAL_MS = 15 * 1000;

export type SessionEndReason =
  | 'revoked'
  | 'expired_absolute'
  | 'expired_idle'
  | 'user_inactive'
  | 'role_suspended'
  | 'session_version'
  | 'not_console_role'
  | 'lockdown';

export interface SessionFacts {
  authTime: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  sessionVersion: number;
}

export interface UserFacts {
  role: string;
  status: string;
  sessionVersion: number;
  deletedAt: Date | null;
}

/**
 * The configured timers (critical configuration: session.*). They can only be
 * tighter than the constants above, which stay the ceilings: the key schemas
 * refuse larger values, and every check here also caps them.
 */
export interface SessionLimits {
  absoluteMs: number;
  idleMs: number;
  superadminIdleMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  absoluteMs: ABSOLUTE_LIFETIME_MS,
  idleMs: IDLE_TIMEOUT_MS,
  superadminIdleMs: SUPERADMIN_IDLE_TIMEOUT_MS,
};

/** The inactivity limit for a role. */
export function idleTimeoutFor(role: string, limits: SessionLimits = DEFAULT_SESSION_LIMITS): number {
  return role === 'superadmin' ? Math.min(limits.superadminIdleMs, SUPERADMIN_IDLE_TIMEOUT_MS) : Math.min(limits.idleMs, IDLE_TIMEOUT_MS);
}

/** The absolute expiry of a session that authenticated at `authTime`. */
export function absoluteExpiry(authTime: Date, lifetimeMs: number = ABSOLUTE_LIFETIME_MS): Date {
  return new Date(authTime.getTime() + Math.min(lifetimeMs, ABSOLUTE_LIFETIME_MS));
}

/**
 * Decides whether a session still stands. Order matters only for the reason
 * reported; any failing check ends the session.
 */
export function evaluateSession(input: {
  session: SessionFacts;
  user: UserFacts;
  roleSuspended: boolean;
  consoleRole: boolean;
  now: Date;
  limits?: SessionLimits;
  /** Lockdown in sign-out mode is on: every session but a superadmin's ends. */
  lockdownSignOut?: boolean;
}): { valid: true } | { valid: false; reason: SessionEndReason } {
  const { session, user, now } = input;
  const t = now.getTime();
  if (session.revokedAt) return { valid: false, reason: 'revoked' };
  const hardLimit = Math.min(session.expiresAt.getTime(), absoluteExpiry(session.authTime).getTime());
  if (t >= hardLimit) return { valid: false, reason: 'expired_absolute' };
  if (t - session.lastSeenAt.getTime() >= idleTimeoutFor(user.role, input.limits)) {
    return { valid: false, reason: 'expired_idle' };
  }
  if (user.status !== 'active' || user.deletedAt) return { valid: false, reason: 'user_inactive' };
  if (!input.consoleRole) return { valid: false, reason: 'not_console_role' };
  if (input.roleSuspended) return { valid: false, reason: 'role_suspended' };
  if (session.sessionVersion !== user.sessionVersion) return { valid: false, reason: 'session_version' };
  if (input.lockdownSignOut && user.role !== 'superadmin') return { valid: false, reason: 'lockdown' };
  return { valid: true };
}

/** Whether lastSeenAt is stale enough to be written again. */
export function shouldTouch(lastSeenAt: Date, now: Date): boolean {
  return now.getTime() - lastSeenAt.getTime() >= TOUCH_INTERVAL_MS;
}
