import type { ConsoleRole } from './roles';

/**
 * Authentication policy: the numbers of SECURITY.md "The numbers", as data.
 * Pure (no I/O), versioned with the rest of policies/.
 */
export const AUTHENTICATION_POLICY = {
  /** Every console role must enrol a second factor before reaching the console. */
  mfaRequiredFor: ['superadmin', 'admin', 'auditor', 'support'] as readonly ConsoleRole[],
  /** Roles whose passkeys must be device-bound (not synced). Off by default: most passkeys are synced. */
  deviceBoundPasskeysFor: [] as readonly ConsoleRole[],
  /** Accepted COSE algorithms for passkeys: ES256 (-7) and EdDSA (-8). */
  passkeyAlgorithms: [-7, -8] as const,
  /** WebAuthn and step-up challenges live at most this long and are single-use. */
  challengeTtlMs: 5 * 60 * 1000,
  /**
   * Live sessions one person may hold at once (T22; ASVS V7.1.2). A sign-in beyond it
   * ends the person's oldest live session (reason `session_limit`, audited `session.end`)
   * in the same transaction; the new sign-in is never refused.
   */
  maxLiveSessionsPerUser: 5,
  /** A password-verified sign-in waiting for its second factor. */
  pendingLoginTtlMs: 5 * 60 * 1000,
  pendingLoginMaxAttempts: 5,
  /** A step-up proof must be used within this time, once. */
  stepUpProofTtlMs: 5 * 60 * 1000,
  /** TOTP: 30-second steps, 6 digits, the current step ±1 for clock skew (a documented deviation). */
  totp: { periodSeconds: 30, digits: 6, window: 1 },
  recoveryCodes: { count: 10 },
  /** Per-account throttling (T01): free tries, then delays doubling from 30 s up to 1 h; hard lock at 50. */
  throttle: { freeFailures: 5, firstDelayMs: 30_000, maxDelayMs: 60 * 60 * 1000, hardLockAt: 50 },
  /** Per-IP and global sign-in limits (fixed windows). */
  ipLimit: { maxFailures: 20, windowMs: 15 * 60 * 1000, blockMs: 15 * 60 * 1000 },
  globalLimit: { maxFailures: 1000, windowMs: 60 * 1000 },
} as const;
