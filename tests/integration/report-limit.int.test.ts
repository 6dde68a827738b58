import { randomUUID } from 'node:crypto';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as listCheckpoints } from '@/app/api/audit/checkpoints/route';
import { POST as postCspReport } from '@/app/api/csp-report/route';
import { addressBucket, addressWindowKey, CSP_REPORT_LIMIT, cspReportLimitKey } from '@/lib/dal/report-limit';
import { WITNESS_LIMITS } from '@/lib/dal/witness-limit';
import { env } from '@/lib/env';
import { ActionHarness } from '../helpers/action-harness';
import { runInRequestScope } from '../helpers/request-scope';
import { testProviders } from '../helpers/test-db';

/**
 * The per-address windows of the session-less endpoints (lib/dal/report-limit.ts:
 * CSP reports, the witness endpoints) count an IPv6 client by its /64: one
 * subscriber can use any of its 2^64 addresses, so stepping through them must not
 * give it a fresh window per request. IPv4 addresses count one by one, as before.
 * Real route handlers and databases.
 */
vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('WARDEN_AUDIT_PUBLIC_KEYS_FILE', '/nonexistent/warden-report-limit-test/public-keys.json');
  vi.stubEnv('LOG_LEVEL', 'silent');
});
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

describe('addressBucket', () => {
  it('keeps an IPv4 address, groups an IPv6 address by its /64 however it is written, and is idempotent', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8::2:3')).toBe('2001:db8:0:0::/64');
    expect(addressBucket('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('2001:db8:1:2::/64')).toBe('2001:db8:1:2::/64');
    expect(addressBucket(null)).toBe('unknown');
    expect(addressBucket('localhost')).toBe('unknown');
    // The key of a caller that built "<scope>:ip:<address>" itself (the witness endpoints) counts for the bucket too.
    expect(addressWindowKey('witness-checkpoints:ip:2001:db8:1:2:aaaa::9')).toBe('witness-checkpoints:ip:2001:db8:1:2::/64');
    expect(addressWindowKey('witness-checkpoints:ip:198.51.100.1')).toBe('witness-checkpoints:ip:198.51.100.1');
    expect(addressWindowKey('witness-checkpoints:ip:unknown')).toBe('witness-checkpoints:ip:unknown');
    expect(cspReportLimitKey('2001:db8:1:2::77')).toBe('csp-report:ip:2001:db8:1:2::/64');
  });
});

describe.each(testProviders())('per-address windows by IPv6 /64 (%s)', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'reportlimit');
  }, 120_000);
  afterAll(async () => {
    await h?.cleanup();
  });

  const ORIGIN = () => new URL(env().APP_URL).origin;
  /** What a browser sends for report-uri when an inline script is blocked. */
  const report = JSON.stringify({
    'csp-report': {
      'document-uri': 'http://localhost:3000/users',
      referrer: '',
      'violated-directive': 'script-src-elem',
      'effective-directive': 'script-src-elem',
      'original-policy': "default-src 'self'",
      disposition: 'enforce',
      'blocked-uri': 'inline',
      'status-code': 200,
    },
  });

  function postReport(peer: string): Promise<Response> {
    const scope = h.scope(h.anonymous(), randomUUID(), { 'x-warden-peer': peer });
    scope.headers.delete('origin');
    scope.headers.delete('sec-fetch-site');
    const request = new Request(`${ORIGIN()}/api/csp-report`, {
      method: 'POST',
      headers: { 'content-type': 'application/csp-report' },
      body: report,
    });
    return runInRequestScope(scope, () => postCspReport(request));
  }

  function list(peer: string): Promise<Response> {
    const scope = h.scope(h.anonymous(), randomUUID(), { 'x-warden-peer': peer });
    return runInRequestScope(scope, () =>
      listCheckpoints(new NextRequest(`${ORIGIN()}/api/audit/checkpoints`, { headers: scope.headers })),
    );
  }

  it('T48 CSP reports: a client stepping through the addresses of one /64 shares one window; the next /64 and IPv4 addresses have their own', async () => {
    const { limit } = CSP_REPORT_LIMIT;
    for (let i = 1; i <= limit; i++) expect((await postReport(`2001:db8:a:1::${i.toString(16)}`)).status, `report ${i}`).toBe(204);
    const refused = await postReport('2001:db8:a:1:ffff:ffff:ffff:fffe');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const row = await h.db.rateLimit.findUniqueOrThrow({ where: { key: cspReportLimitKey('2001:db8:a:1::1') } });
    expect(row.count).toBe(limit + 1);
    expect(await h.db.rateLimit.count({ where: { key: { startsWith: 'csp-report:ip:2001:db8:a:1:' } } })).toBe(1);
    expect((await postReport('2001:db8:a:2::1')).status).toBe(204);
    // IPv4 unchanged: one window per address.
    for (let i = 1; i <= limit; i++) expect((await postReport('198.51.100.10')).status).toBe(204);
    expect((await postReport('198.51.100.10')).status).toBe(429);
    expect((await postReport('198.51.100.11')).status).toBe(204);
  });

  it('T48 the witness checkpoint list: one window per /64 too', async () => {
    const { limit } = WITNESS_LIMITS.checkpoints;
    for (let i = 1; i <= limit; i++) expect((await list(`2001:db8:b:1:${i.toString(16)}::1`)).status, `request ${i}`).toBe(200);
    const refused = await list('2001:db8:b:1::abcd');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect((await list('2001:db8:b:2::1')).status).toBe(200);
  }, 60_000);
});
