import { describe, expect, it, vi } from 'vitest';

/**
 * SECURITY.md T15, the https variant the e2e suite (http://localhost) cannot see:
 * with an https APP_URL the session and pending sign-in cookies carry the
 * `__Host-` prefix, which makes the browser refuse them unless they are Secure,
 * Path=/ and without Domain. (lib/env reads the environment once, so it is set
 * before anything imports it. In the integration project: next-auth needs Vite to
 * resolve its `next/server` import.)
 */
vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'https://admin.example.com');
  vi.stubEnv('AUTH_SECRET', 'warden-unit-tests-secret-0123456789abcdef');
});

describe('cookie names over https', () => {
  it('T15 the pending sign-in cookie is __Host-warden.pending', async () => {
    const { pendingCookieName } = await import('@/lib/auth/pending-login');
    expect(pendingCookieName()).toBe('__Host-warden.pending');
  });

  it('T15 the session cookie is __Host-warden.session', async () => {
    const { sessionCookieName } = await import('@/lib/auth/next-auth');
    expect(sessionCookieName()).toBe('__Host-warden.session');
  });
});
