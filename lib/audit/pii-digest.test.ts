import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

// lib/env validates and caches process.env on first use: set the key before anything imports it.
const KEY = vi.hoisted(() => {
  const key = Buffer.alloc(32, 7).toString('base64url');
  vi.stubEnv('WARDEN_AUDIT_PII_KEY', key);
  vi.stubEnv('AUTH_SECRET', 'unit-test-secret-unit-test-secret-0000');
  return key;
});

const { piiDigest } = await import('./record');

describe('personal data in audit events', () => {
  it('is a keyed digest (HMAC-SHA-256 with WARDEN_AUDIT_PII_KEY), never the value', () => {
    const expected = createHmac('sha256', Buffer.from(KEY, 'base64url')).update('jane@example.com').digest('hex').slice(0, 32);
    expect(piiDigest('jane@example.com')).toBe(`hmac-sha256:${expected}`);
    expect(piiDigest('jane@example.com')).not.toContain('jane');
    expect(piiDigest('john@example.com')).not.toBe(piiDigest('jane@example.com'));
  });
});
