import 'server-only';
import { now } from '@/lib/clock';
import type { Db, Tx } from '@/lib/db/client';
import { normalizeIp } from '@/lib/request/ip';
import { ipLimitSubject } from '@/policies/limits';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';

/**
 * Sign-in throttling (SECURITY.md T01, T07): one consecutive-failure counter per
 * account shared by every factor, plus per-IP and global limits against
 * password spraying. NIST SP 800-63B rev 3 §5.2.2 / rev 4 §3.2.2 cap consecutive
 * failures at 100 per account and allow a growing delay; ASVS 5.0 V6.3.1 asks
 * for brute-force and credential-stuffing controls, V6.1.1 for them to be
 * documented (the numbers live in policies/authentication.ts).
 *
 * Nothing here writes audit events: the caller knows the actor, request and
 * factor, so it audits `auth.lockout`, `auth.rate_limited` and `user.unlock` in
 * the same transaction, using what these functions return.
 */

const THROTTLE = AUTHENTICATION_POLICY.throttle;
const IP_LIMIT = AUTHENTICATION_POLICY.ipLimit;
const GLOBAL_LIMIT = AUTHENTICATION_POLICY.globalLimit;

/**
 * Delay in ms before the next attempt after `failures` consecutive failures:
 * none for the free tries, then 30 s doubling per further failure, capped at
 * 1 h ("e.g. 30 s up to an hour", NIST 800-63B rev 3 §5.2.2).
 */
export function delayAfterFailures(failures: number): number {
  if (!Number.isInteger(failures) || failures < 0) throw new RangeError('failures must be a non-negative integer');
  if (failures <= THROTTLE.freeFailures) return 0;
  const doublings = failures - THROTTLE.freeFailures - 1;
  return Math.min(THROTTLE.firstDelayMs * 2 ** doublings, THROTTLE.maxDelayMs);
}

/**
 * Whether `failures` consecutive failures hard-lock the account (only an admin
 * unlock clears it). Policy: 50, below the 100 of NIST 800-63B rev 3 §5.2.2.
 */
export function isHardLocked(failures: number): boolean {
  return failures >= THROTTLE.hardLockAt;
}

/** The throttling state of a user row that {@link checkAccountGate} reads. */
export interface AccountLockState {
  lockedAt: Date | null;
  lockedUntil: Date | null;
}

/**
 * Whether an account may attempt any factor now. A hard lock has no retryAt
 * (only an admin unlock ends it); a delay always has one.
 */
export type AccountGate =
  { allowed: true } | { allowed: false; reason: 'locked'; retryAt?: undefined } | { allowed: false; reason: 'delayed'; retryAt: Date };

/**
 * Decides, before any factor is verified, whether the account may try now. A
 * refused attempt must not verify the secret, so a correct password is refused
 * too (T01), and the caller answers with the same generic message as for a
 * wrong one (T02). Pure.
 */
export function checkAccountGate(user: AccountLockState, at: Date): AccountGate {
  if (user.lockedAt) return { allowed: false, reason: 'locked' };
  if (user.lockedUntil && user.lockedUntil.getTime() > at.getTime())
    return { allowed: false, reason: 'delayed', retryAt: user.lockedUntil };
  return { allowed: true };
}

/** What {@link recordAccountFailure} did. */
export interface AccountFailureResult {
  /** The consecutive-failure count including this failure. */
  count: number;
  /** True for exactly one caller: the failure that set the hard lock. */
  lockedNow: boolean;
  /** No attempt is checked before this time; null while in the free tries. */
  delayedUntil: Date | null;
}

/**
 * Records one failed attempt of any factor (password, TOTP, recovery code,
 * passkey): one counter for every factor (T07), so switching factors does not
 * reset the budget (NIST 800-63B rev 3 §5.2.2, ASVS V6.3.1). The increment is
 * atomic; the delay is written only while this failure is still the newest, so
 * a slower concurrent failure cannot shorten it. Throws if the user is missing.
 */
export async function recordAccountFailure(tx: Tx, userId: string): Promise<AccountFailureResult> {
  const at = now();
  const { failedLoginCount: count } = await tx.user.update({
    where: { id: userId },
    data: { failedLoginCount: { increment: 1 }, lastFailedLoginAt: at },
    select: { failedLoginCount: true },
  });
  const delayMs = delayAfterFailures(count);
  const delayedUntil = delayMs > 0 ? new Date(at.getTime() + delayMs) : null;
  await tx.user.updateMany({ where: { id: userId, failedLoginCount: count }, data: { lockedUntil: delayedUntil } });
  let lockedNow = false;
  if (isHardLocked(count)) {
    const locked = await tx.user.updateMany({ where: { id: userId, lockedAt: null }, data: { lockedAt: at } });
    lockedNow = locked.count === 1;
  }
  return { count, lockedNow, delayedUntil };
}

/**
 * Records a completed sign-in: the consecutive-failure count and the delay
 * start over. A hard lock (lockedAt) stays; only {@link unlockAccount} clears it.
 */
export async function recordAccountSuccess(tx: Tx, userId: string): Promise<void> {
  await tx.user.update({ where: { id: userId }, data: { failedLoginCount: 0, lockedUntil: null } });
}

/**
 * Administrator unlock: clears the count, the delay and the hard lock. Returns
 * whether the account was hard-locked or delayed, decided atomically, so the
 * caller audits `user.unlock` only for a real change. Throws if the user is missing.
 */
export async function unlockAccount(tx: Tx, userId: string): Promise<boolean> {
  const at = now();
  const cleared = { failedLoginCount: 0, lockedUntil: null, lockedAt: null };
  const unlocked = await tx.user.updateMany({
    where: { id: userId, OR: [{ lockedAt: { not: null } }, { lockedUntil: { gt: at } }] },
    data: cleared,
  });
  if (unlocked.count === 1) return true;
  await tx.user.update({ where: { id: userId }, data: cleared });
  return false;
}

/** RateLimit key of the global sign-in failure counter. */
export const GLOBAL_RATE_LIMIT_KEY = 'signin:global';

/**
 * RateLimit key of one client address. `ip` is the trusted address resolved
 * from the connection (T33), never a raw header; it is normalised so that one
 * address has one key, and an IPv6 address counts by its /64 (as the operation
 * limits do, policies/limits.ts ipLimitSubject): one subscriber holds a whole
 * /64, so rotating addresses within it must not reset the count. Throws on
 * anything that is not an IP literal.
 */
export function ipRateLimitKey(ip: string): string {
  const normalized = normalizeIp(ip);
  const subject = normalized ? ipLimitSubject(normalized) : null;
  if (!subject) throw new TypeError('ipRateLimitKey needs an IP literal');
  return `signin:ip:${subject}`;
}

/** The fields of a RateLimit row that the decision reads. */
export interface RateLimitState {
  count: number;
  windowStart: Date;
  blockedUntil: Date | null;
}

/** Whether sign-in attempts are allowed from an address right now. */
export type RateLimitGate = { allowed: true } | { allowed: false; scope: 'ip' | 'global'; retryAt: Date };

/**
 * Pure decision over the current rows: the address is refused while blocked
 * (blockMs after it reached ipLimit.maxFailures in one window); everyone is
 * refused once globalLimit.maxFailures failures fall in the current global
 * window, until that window ends (ASVS V6.3.1).
 */
export function rateLimitDecision(rows: { ip: RateLimitState | null; global: RateLimitState | null }, at: Date): RateLimitGate {
  if (rows.ip?.blockedUntil && rows.ip.blockedUntil.getTime() > at.getTime()) {
    return { allowed: false, scope: 'ip', retryAt: rows.ip.blockedUntil };
  }
  if (rows.global) {
    const windowEnd = rows.global.windowStart.getTime() + GLOBAL_LIMIT.windowMs;
    if (windowEnd > at.getTime() && rows.global.count >= GLOBAL_LIMIT.maxFailures) {
      return { allowed: false, scope: 'global', retryAt: new Date(windowEnd) };
    }
  }
  return { allowed: true };
}

/**
 * Checks the per-IP and global limits before a sign-in attempt. A null `ip`
 * (no trusted address) is checked against the global limit only.
 */
export async function checkRateLimits(db: Db | Tx, ip: string | null): Promise<RateLimitGate> {
  const select = { count: true, windowStart: true, blockedUntil: true } as const;
  const [ipRow, globalRow] = await Promise.all([
    ip === null ? null : db.rateLimit.findUnique({ where: { key: ipRateLimitKey(ip) }, select }),
    db.rateLimit.findUnique({ where: { key: GLOBAL_RATE_LIMIT_KEY }, select }),
  ]);
  return rateLimitDecision({ ip: ipRow, global: globalRow }, now());
}

/** What {@link recordRateLimitFailure} did. */
export interface RateLimitFailureResult {
  /** The address's counter, or null when no trusted address was given. */
  ip: { count: number; blockedNow: boolean; blockedUntil: Date | null } | null;
  /** `limitedNow` is true for the one failure that reached the global limit in this window. */
  global: { count: number; limitedNow: boolean };
}

/**
 * Counts one failed sign-in against the address and the global counter, in
 * fixed windows. Every concurrent failure is counted: the row is created if
 * missing (upsert), a stale window is reset only if still stale (conditional
 * update), then the count is incremented atomically. The address is blocked for
 * ipLimit.blockMs when its count reaches ipLimit.maxFailures.
 */
export async function recordRateLimitFailure(tx: Tx, ip: string | null): Promise<RateLimitFailureResult> {
  const at = now();
  const global = await countFailure(tx, GLOBAL_RATE_LIMIT_KEY, GLOBAL_LIMIT.windowMs, at);
  const globalResult = { count: global.count, limitedNow: global.count === GLOBAL_LIMIT.maxFailures };
  if (ip === null) return { ip: null, global: globalResult };

  const key = ipRateLimitKey(ip);
  const row = await countFailure(tx, key, IP_LIMIT.windowMs, at);
  let blockedNow = false;
  let blockedUntil = row.blockedUntil && row.blockedUntil.getTime() > at.getTime() ? row.blockedUntil : null;
  if (row.count >= IP_LIMIT.maxFailures && blockedUntil === null) {
    const until = new Date(at.getTime() + IP_LIMIT.blockMs);
    const blocked = await tx.rateLimit.updateMany({
      where: { key, OR: [{ blockedUntil: null }, { blockedUntil: { lte: at } }] },
      data: { blockedUntil: until },
    });
    blockedNow = blocked.count === 1;
    if (blockedNow) blockedUntil = until;
  }
  return { ip: { count: row.count, blockedNow, blockedUntil }, global: globalResult };
}

async function countFailure(tx: Tx, key: string, windowMs: number, at: Date): Promise<RateLimitState> {
  // The no-op `update` is load-bearing: with an empty one Prisma reads then inserts,
  // and concurrent first failures collide on the key; with it, PostgreSQL gets one
  // INSERT … ON CONFLICT DO UPDATE (SQLite serialises writers anyway).
  await tx.rateLimit.upsert({ where: { key }, create: { key, count: 0, windowStart: at }, update: { count: { increment: 0 } } });
  await tx.rateLimit.updateMany({
    where: { key, windowStart: { lte: new Date(at.getTime() - windowMs) } },
    data: { count: 0, windowStart: at },
  });
  return tx.rateLimit.update({
    where: { key },
    data: { count: { increment: 1 } },
    select: { count: true, windowStart: true, blockedUntil: true },
  });
}
