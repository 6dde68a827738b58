import { NextRequest } from 'next/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { proxy } from '@/proxy';
import {
  buildCsp,
  CSP_REPORT_PATH,
  HSTS_VALUE,
  isHttpsOrigin,
  newNonce,
  parseCsp,
  reportingEndpoints,
  responseSecurityHeaders,
} from './csp';
import { staticSecurityHeaders } from './static-headers.mjs';

/**
 * The policy proxy.ts sends (SECURITY.md T39), read as a browser would: by
 * directive. The e2e suite (e2e/security/headers.spec.ts) checks the same on the
 * running build, and that the app's own pages raise no violation under it.
 */

const nonce = newNonce();
const prod = parseCsp(buildCsp({ nonce, dev: false, https: false }));

describe('newNonce', () => {
  it('is 128 random bits in base64, different every time', () => {
    const many = Array.from({ length: 200 }, newNonce);
    for (const n of many) {
      expect(n).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(Buffer.from(n, 'base64')).toHaveLength(16);
    }
    expect(new Set(many).size).toBe(many.length);
  });
});

describe('buildCsp', () => {
  it('allows scripts only with the nonce and strict-dynamic: no unsafe-inline or unsafe-eval in production', () => {
    expect(prod.get('script-src')).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
    const all = [...prod.values()].flat();
    expect(all).not.toContain("'unsafe-eval'");
    // Inline style attributes only (style-src-attr); never inline scripts or <style> without the nonce.
    expect(prod.get('script-src')).not.toContain("'unsafe-inline'");
    expect(prod.get('style-src')).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(prod.get('style-src-attr')).toEqual(["'unsafe-inline'"]);
  });

  it('locks down objects, base, framing, forms and every other fetch to self', () => {
    expect(prod.get('default-src')).toEqual(["'self'"]);
    expect(prod.get('object-src')).toEqual(["'none'"]);
    expect(prod.get('base-uri')).toEqual(["'none'"]);
    expect(prod.get('frame-ancestors')).toEqual(["'none'"]);
    expect(prod.get('form-action')).toEqual(["'self'"]);
    expect(prod.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(prod.get('font-src')).toEqual(["'self'"]);
    expect(prod.get('connect-src')).toEqual(["'self'"]);
    expect(prod.get('report-uri')).toEqual([CSP_REPORT_PATH]);
    expect(prod.get('report-to')).toEqual(['csp']);
    expect(prod.has('upgrade-insecure-requests')).toBe(false);
  });

  it('adds upgrade-insecure-requests only for an https origin', () => {
    expect(parseCsp(buildCsp({ nonce, dev: false, https: true })).has('upgrade-insecure-requests')).toBe(true);
  });

  it('allows eval and inline styles only in development (next dev)', () => {
    const dev = parseCsp(buildCsp({ nonce, dev: true, https: false }));
    expect(dev.get('script-src')).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", "'unsafe-eval'"]);
    expect(dev.get('script-src')).not.toContain("'unsafe-inline'");
    expect(dev.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
  });

  it('refuses a nonce that is too short or could break out of the policy', () => {
    for (const bad of ['', 'abc', "abcdefghijklmnopqrstuvwx'; script-src *", 'abcdefghijklmnopqrstuvwx abc', 'a'.repeat(21)]) {
      expect(() => buildCsp({ nonce: bad, dev: false, https: false })).toThrow(TypeError);
    }
  });
});

describe('responseSecurityHeaders', () => {
  it('sends no HSTS over http, and one year with subdomains over https', () => {
    const http = responseSecurityHeaders({ nonce, dev: false, https: false, appOrigin: 'http://localhost:3000' });
    expect(http['Strict-Transport-Security']).toBeUndefined();
    expect(http['Cache-Control']).toBe('no-store');
    expect(http['Reporting-Endpoints']).toBe('csp="http://localhost:3000/api/csp-report"');
    const https = responseSecurityHeaders({ nonce, dev: false, https: true, appOrigin: 'https://warden.example.com' });
    expect(https['Strict-Transport-Security']).toBe('max-age=31536000; includeSubDomains');
    expect(https['Reporting-Endpoints']).toBe('csp="https://warden.example.com/api/csp-report"');
  });

  it('reads https from APP_URL only', () => {
    expect(isHttpsOrigin('https://warden.example.com')).toBe(true);
    expect(isHttpsOrigin('http://localhost:3000')).toBe(false);
    expect(isHttpsOrigin(undefined)).toBe(false);
    expect(isHttpsOrigin('not a url')).toBe(false);
    expect(reportingEndpoints('https://warden.example.com/some/path')).toBe('csp="https://warden.example.com/api/csp-report"');
  });
});

describe('staticSecurityHeaders (next.config.mjs headers())', () => {
  const byName = (appUrl: string | undefined) => Object.fromEntries(staticSecurityHeaders({ appUrl }).map((h) => [h.key, h.value]));

  it('sends nosniff, a same-origin referrer, COOP, DENY framing and a permissions policy; no CSP (proxy.ts owns it)', () => {
    expect(byName('http://localhost:3000')).toEqual({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    });
  });

  it('adds HSTS (≥ 1 year, includeSubDomains) only when APP_URL is https', () => {
    expect(byName('https://warden.example.com')['Strict-Transport-Security']).toBe(HSTS_VALUE);
    expect(byName('http://localhost:3000')['Strict-Transport-Security']).toBeUndefined();
    expect(byName(undefined)['Strict-Transport-Security']).toBeUndefined();
  });
});

describe('proxy.ts', () => {
  afterEach(() => vi.unstubAllEnvs());

  const request = (path: string, cookie?: string) => new NextRequest(`http://localhost:3000${path}`, { headers: cookie ? { cookie } : {} });

  it('forwards the response policy to the render (where Next takes the nonce) with a fresh nonce per request', () => {
    vi.stubEnv('APP_URL', 'http://localhost:3000');
    const a = proxy(request('/users', 'warden.session=x'));
    const b = proxy(request('/users', 'warden.session=x'));
    const policy = a.headers.get('content-security-policy')!;
    const scriptNonce = /'nonce-([^']+)'/.exec(policy)![1];
    expect(a.headers.get('x-middleware-next')).toBe('1');
    // NextResponse.next({ request: { headers } }) passes request headers as x-middleware-request-*.
    expect(a.headers.get('x-middleware-request-content-security-policy')).toBe(policy);
    expect(a.headers.get('x-middleware-request-x-nonce')).toBe(scriptNonce);
    expect(b.headers.get('content-security-policy')).not.toBe(policy);
    expect(a.headers.get('cache-control')).toBe('no-store');
    expect(a.headers.get('strict-transport-security')).toBeNull();
  });

  it('replaces a policy or nonce the client sent', () => {
    const res = proxy(
      new NextRequest('http://localhost:3000/sign-in', {
        headers: { 'content-security-policy': "script-src 'nonce-AAAAAAAAAAAAAAAAAAAAAA=='", 'x-nonce': 'AAAAAAAAAAAAAAAAAAAAAA==' },
      }),
    );
    expect(res.headers.get('x-middleware-request-content-security-policy')).not.toContain('AAAAAAAAAAAAAAAAAAAAAA==');
    expect(res.headers.get('x-middleware-request-x-nonce')).not.toBe('AAAAAAAAAAAAAAAAAAAAAA==');
  });

  it('keeps the optimistic redirect of cookie-less visitors on protected pages, with the headers', () => {
    const res = proxy(request('/users?status=active'));
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe('http://localhost:3000/sign-in?callbackUrl=%2Fusers%3Fstatus%3Dactive');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(proxy(request('/')).headers.get('location')).toBe('http://localhost:3000/sign-in');
    for (const open of ['/sign-in', '/sign-in/verify', '/invite', '/reset-password', '/api/health', '/api/csp-report', '/robots.txt']) {
      const r = proxy(request(open));
      expect(r.headers.get('location'), open).toBeNull();
      expect(r.headers.get('content-security-policy'), open).toContain("object-src 'none'");
    }
    // /api without a slash was never public.
    expect(proxy(request('/api')).status).toBe(307);
  });

  it('sends HSTS and upgrade-insecure-requests when APP_URL is https', () => {
    vi.stubEnv('APP_URL', 'https://warden.example.com');
    const res = proxy(request('/sign-in'));
    expect(res.headers.get('strict-transport-security')).toBe(HSTS_VALUE);
    expect(res.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    expect(res.headers.get('reporting-endpoints')).toBe('csp="https://warden.example.com/api/csp-report"');
  });
});
