import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EXPORT_CONCURRENCY,
  EXPORTS_GLOBAL_KEY,
  ipLimitSubject,
  limitChecks,
  limitKey,
  limitMessage,
  limitSpecOf,
  limitTableMarkdown,
  OPERATION_LIMITS,
  retryAfterSeconds,
  windowDecision,
  windowText,
} from './limits';
import { OPERATIONS } from './operations';

describe('T48 rate limit table (policies/limits.ts)', () => {
  it('T48 covers step-up, every bulk operation and both exports, each per person and per IP', () => {
    for (const op of [
      'auth.step_up',
      'session.revoke_all',
      'user.revoke_sessions',
      'role.suspend',
      'system.lockdown',
      'review.start',
      'audit.export_events',
      'audit.export',
    ]) {
      const spec = limitSpecOf(op);
      expect(spec?.person, op).toBeDefined();
      expect(spec?.ip, op).toBeDefined();
      // The address limit never undercuts one person's.
      expect(spec!.ip!.limit, op).toBeGreaterThanOrEqual(spec!.person!.limit);
    }
    expect(limitSpecOf('audit.export_events')?.global).toMatchObject({ key: EXPORTS_GLOBAL_KEY });
    expect(limitSpecOf('audit.export')?.global).toMatchObject({ key: EXPORTS_GLOBAL_KEY });
    expect(limitSpecOf('auth.passkey_sign_in_start')).toMatchObject({ ip: expect.any(Object), global: expect.any(Object) });
    expect(EXPORT_CONCURRENCY.slots).toBe(2);
  });

  it('T48 every limit id is a catalog operation, an audit export operation or the passkey sign-in start', () => {
    const extra = new Set(['audit.export_events', 'audit.export', 'auth.passkey_sign_in_start']);
    for (const op of Object.keys(OPERATION_LIMITS)) expect(op in OPERATIONS || extra.has(op), op).toBe(true);
    expect(limitSpecOf('toString')).toBeUndefined();
    expect(limitSpecOf('user.invite')).toBeUndefined();
  });

  it('T48 checks are counted person, address, everyone; missing subjects skip their scope; IPv6 counts by /64', () => {
    expect(limitChecks('audit.export_events', { userId: 'u1', ip: '203.0.113.9' }).map((c) => c.key)).toEqual([
      'op:audit.export_events:u1',
      'op:audit.export_events:ip:203.0.113.9',
      'op:exports:global',
    ]);
    expect(limitChecks('audit.export', { userId: 'u1', ip: null }).map((c) => c.scope)).toEqual(['person', 'global']);
    expect(limitChecks('auth.passkey_sign_in_start', { userId: null, ip: '2001:db8:1:2:aaaa::1' }).map((c) => c.key)).toEqual([
      'op:auth.passkey_sign_in_start:ip:2001:db8:1:2::/64',
      'op:auth.passkey_sign_in_start:global',
    ]);
    expect(limitChecks('user.invite', { userId: 'u1', ip: '203.0.113.9' })).toEqual([]);
    expect(limitKey('session.revoke_all', 'person', 'u9')).toBe('op:session.revoke_all:u9');
    expect(() => limitKey('session.revoke_all', 'ip')).toThrow(TypeError);
  });

  it('T48 ipLimitSubject normalises addresses and rejects anything else', () => {
    expect(ipLimitSubject('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(ipLimitSubject('192.0.2.300')).toBeNull();
    expect(ipLimitSubject('2001:DB8::1')).toBe('2001:db8:0:0::/64');
    expect(ipLimitSubject('2001:db8:0:0:ffff::2')).toBe('2001:db8:0:0::/64');
    expect(ipLimitSubject('::1')).toBe('0:0:0:0::/64');
    expect(ipLimitSubject('1:2:3:4:5:6:7:8')).toBe('1:2:3:4::/64');
    expect(ipLimitSubject('1:2:3:4:5:6:7')).toBeNull();
    expect(ipLimitSubject('1::2::3')).toBeNull();
    expect(ipLimitSubject('example.com')).toBeNull();
    expect(ipLimitSubject(null)).toBeNull();
  });

  it('T48 a window allows exactly its limit; the refusal ends with the window and says when', () => {
    const rule = { limit: 3, windowMs: 10 * 60_000 };
    const start = new Date('2026-05-01T10:00:00Z');
    expect(windowDecision({ count: 3, windowStart: start }, rule)).toEqual({ allowed: true });
    expect(windowDecision({ count: 4, windowStart: start }, rule)).toEqual({
      allowed: false,
      retryAt: new Date('2026-05-01T10:10:00Z'),
    });
    const at = new Date('2026-05-01T10:01:00Z');
    expect(retryAfterSeconds(new Date('2026-05-01T10:10:00Z'), at)).toBe(540);
    expect(retryAfterSeconds(at, at)).toBe(1);
    expect(limitMessage({ scope: 'ip', limit: 6, windowMs: 600_000, retryAt: new Date('2026-05-01T10:10:00Z') }, at)).toBe(
      'Too many of these from your network address: at most 6 in 10 minutes. Try again after 10:10 UTC.',
    );
    expect(limitMessage({ scope: 'person', limit: 6, windowMs: 60_000, retryAt: new Date('2026-05-01T10:01:30Z') }, at)).toContain(
      'after 10:01:30 UTC',
    );
    expect(windowText(3_600_000)).toBe('1 hour');
    expect(windowText(7_200_000)).toBe('2 hours');
    expect(windowText(45_000)).toBe('45 seconds');
  });

  it('T48 docs/operators.md "Rate limits" shows exactly this table', () => {
    const doc = fs.readFileSync(path.join(__dirname, '..', 'docs', 'operators.md'), 'utf8');
    expect(doc).toContain(limitTableMarkdown());
  });
});
