import { describe, expect, it } from 'vitest';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';
import {
  checkAccountGate,
  delayAfterFailures,
  GLOBAL_RATE_LIMIT_KEY,
  ipRateLimitKey,
  isHardLocked,
  rateLimitDecision,
  type RateLimitState,
} from './throttle';

const SEC = 1000;
const HOUR = 60 * 60 * SEC;
const t0 = new Date('2026-03-01T08:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('delayAfterFailures (T01 schedule, NIST 800-63B §5.2.2)', () => {
  it('T01 the first 5 failures are free', () => {
    for (let n = 0; n <= 5; n++) expect(delayAfterFailures(n)).toBe(0);
  });

  it('T01 failure 6 waits 30 s, then the delay doubles per failure up to 1 h', () => {
    const expected: [number, number][] = [
      [6, 30 * SEC],
      [7, 60 * SEC],
      [8, 120 * SEC],
      [9, 240 * SEC],
      [10, 480 * SEC],
      [11, 960 * SEC],
      [12, 1920 * SEC],
      [13, HOUR],
      [14, HOUR],
      [49, HOUR],
      [50, HOUR],
      [100, HOUR],
      [10_000, HOUR],
    ];
    for (const [n, ms] of expected) expect(delayAfterFailures(n), `failure ${n}`).toBe(ms);
  });

  it('T01 the delay never decreases and never exceeds 1 h', () => {
    let previous = 0;
    for (let n = 0; n <= 200; n++) {
      const delay = delayAfterFailures(n);
      expect(delay).toBeGreaterThanOrEqual(previous);
      expect(delay).toBeLessThanOrEqual(HOUR);
      previous = delay;
    }
  });

  it('rejects counts that are not non-negative integers', () => {
    for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => delayAfterFailures(n)).toThrow(RangeError);
  });
});

describe('isHardLocked (T01 hard lock)', () => {
  it('T01 hard lock at exactly 50 consecutive failures', () => {
    expect(isHardLocked(49)).toBe(false);
    expect(isHardLocked(50)).toBe(true);
    expect(isHardLocked(51)).toBe(true);
  });

  it('T01 the lock comes well before the NIST cap of 100 (800-63B rev 3 §5.2.2, rev 4 §3.2.2)', () => {
    expect(AUTHENTICATION_POLICY.throttle.hardLockAt).toBe(50);
    expect(AUTHENTICATION_POLICY.throttle.hardLockAt).toBeLessThan(100);
    expect(isHardLocked(99)).toBe(true);
  });
});

describe('checkAccountGate', () => {
  it('allows an account with no lock and no delay', () => {
    expect(checkAccountGate({ lockedAt: null, lockedUntil: null }, t0)).toEqual({ allowed: true });
  });

  it('T01 refuses during the delay and allows from retryAt on', () => {
    const lockedUntil = at(30 * SEC);
    expect(checkAccountGate({ lockedAt: null, lockedUntil }, at(29_999))).toEqual({
      allowed: false,
      reason: 'delayed',
      retryAt: lockedUntil,
    });
    expect(checkAccountGate({ lockedAt: null, lockedUntil }, lockedUntil)).toEqual({ allowed: true });
    expect(checkAccountGate({ lockedAt: null, lockedUntil }, at(HOUR))).toEqual({ allowed: true });
  });

  it('T01 a hard lock refuses forever, whatever the delay says', () => {
    const gate = checkAccountGate({ lockedAt: t0, lockedUntil: at(HOUR) }, at(365 * 24 * HOUR));
    expect(gate).toEqual({ allowed: false, reason: 'locked' });
    expect(checkAccountGate({ lockedAt: t0, lockedUntil: null }, t0)).toEqual({ allowed: false, reason: 'locked' });
  });
});

describe('rate-limit keys (T33: never from client headers)', () => {
  it('T01 keys an address by its normalised literal', () => {
    expect(ipRateLimitKey('203.0.113.7')).toBe('signin:ip:203.0.113.7');
    expect(ipRateLimitKey('::ffff:203.0.113.7')).toBe('signin:ip:203.0.113.7');
    // T01: an IPv6 client counts by its /64, so rotating addresses within it shares one counter.
    expect(ipRateLimitKey('2001:DB8::1')).toBe('signin:ip:2001:db8:0:0::/64');
    expect(ipRateLimitKey('2001:db8::ffff:2')).toBe(ipRateLimitKey('2001:db8:0:0:1:2:3:4'));
    expect(ipRateLimitKey('2001:db8:0:1::1')).not.toBe(ipRateLimitKey('2001:db8::1'));
    expect(GLOBAL_RATE_LIMIT_KEY).toBe('signin:global');
  });

  it('refuses anything that is not an IP literal', () => {
    for (const bad of ['', 'unknown', '203.0.113.7, 10.0.0.1', 'signin:global']) expect(() => ipRateLimitKey(bad)).toThrow(TypeError);
  });
});

describe('rateLimitDecision (T01 spraying)', () => {
  const { ipLimit, globalLimit } = AUTHENTICATION_POLICY;
  const row = (over: Partial<RateLimitState> = {}): RateLimitState => ({ count: 1, windowStart: t0, blockedUntil: null, ...over });

  it('allows when there are no rows', () => {
    expect(rateLimitDecision({ ip: null, global: null }, t0)).toEqual({ allowed: true });
  });

  it('T01 refuses a blocked address until blockedUntil', () => {
    const blockedUntil = at(ipLimit.blockMs);
    const ip = row({ count: ipLimit.maxFailures, blockedUntil });
    expect(rateLimitDecision({ ip, global: null }, at(1))).toEqual({ allowed: false, scope: 'ip', retryAt: blockedUntil });
    expect(rateLimitDecision({ ip, global: null }, blockedUntil)).toEqual({ allowed: true });
  });

  it('T01 refuses everyone once the global window is full, until it ends', () => {
    const global = row({ count: globalLimit.maxFailures });
    const windowEnd = at(globalLimit.windowMs);
    expect(rateLimitDecision({ ip: null, global }, at(1))).toEqual({ allowed: false, scope: 'global', retryAt: windowEnd });
    expect(rateLimitDecision({ ip: row(), global }, at(1))).toEqual({ allowed: false, scope: 'global', retryAt: windowEnd });
    expect(rateLimitDecision({ ip: null, global }, windowEnd)).toEqual({ allowed: true });
    expect(rateLimitDecision({ ip: null, global: row({ count: globalLimit.maxFailures - 1 }) }, at(1))).toEqual({ allowed: true });
  });

  it('reports the address scope first when both limits apply', () => {
    const blockedUntil = at(ipLimit.blockMs);
    const gate = rateLimitDecision({ ip: row({ blockedUntil }), global: row({ count: globalLimit.maxFailures }) }, at(1));
    expect(gate).toEqual({ allowed: false, scope: 'ip', retryAt: blockedUntil });
  });
});
