import { describe, expect, it } from 'vitest';
import { normalizeIp, resolveClientIp } from './ip';

describe('client IP resolution (T33: forwarded headers only from trusted proxies)', () => {
  it('T33 ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(resolveClientIp({ peerIp: '203.0.113.9', forwardedFor: '127.0.0.1', trustedProxies: [] })).toBe('203.0.113.9');
    expect(resolveClientIp({ peerIp: '203.0.113.9', forwardedFor: '127.0.0.1', trustedProxies: ['10.0.0.2'] })).toBe('203.0.113.9');
    // A peer that claims to be a trusted proxy through the header itself is still just its own address.
    expect(resolveClientIp({ peerIp: '203.0.113.9', forwardedFor: '10.0.0.2, 127.0.0.1', trustedProxies: ['10.0.0.2'] })).toBe(
      '203.0.113.9',
    );
  });

  it('T33 takes the right-most untrusted hop behind a trusted proxy', () => {
    expect(resolveClientIp({ peerIp: '10.0.0.2', forwardedFor: '1.2.3.4, 198.51.100.7', trustedProxies: ['10.0.0.2'] })).toBe(
      '198.51.100.7',
    );
    expect(
      resolveClientIp({ peerIp: '10.0.0.2', forwardedFor: '1.2.3.4, 198.51.100.7, 10.0.0.3', trustedProxies: ['10.0.0.2', '10.0.0.3'] }),
    ).toBe('198.51.100.7');
  });

  it('T33 falls back to the peer when the header holds nothing usable', () => {
    expect(resolveClientIp({ peerIp: '10.0.0.2', forwardedFor: 'evil, <script>', trustedProxies: ['10.0.0.2'] })).toBe('10.0.0.2');
    expect(resolveClientIp({ peerIp: null, forwardedFor: '1.2.3.4', trustedProxies: [] })).toBeNull();
  });

  it('T33 normalizes IPv4-mapped IPv6 and rejects non-addresses', () => {
    expect(normalizeIp('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeIp('::1')).toBe('::1');
    expect(normalizeIp('localhost')).toBeNull();
    expect(normalizeIp('')).toBeNull();
  });
});
