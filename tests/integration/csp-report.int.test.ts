import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST } from '@/app/api/csp-report/route';
import { CSP_REPORT_LIMIT, cspReportLimitKey } from '@/lib/dal/report-limit';
import { env } from '@/lib/env';
import { log } from '@/lib/log';
import { ActionHarness } from '../helpers/action-harness';
import { runInRequestScope } from '../helpers/request-scope';
import { testProviders } from '../helpers/test-db';

/**
 * POST /api/csp-report (SECURITY.md T39), called in this process with a real
 * database: the two report formats browsers send are accepted without a
 * session and logged as one reduced line each (no query strings); anything else
 * is refused (400, 413, 415); one address is limited to 30 requests a minute
 * (429, logged once), counted in the RateLimit table.
 */
vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
});
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

const ORIGIN = 'http://localhost:3000';

/** What a browser sends for report-uri when an injected inline script is blocked. */
const legacyReport = {
  'csp-report': {
    'document-uri': `${ORIGIN}/users?q=secret-search#frag`,
    referrer: '',
    'violated-directive': 'script-src-elem',
    'effective-directive': 'script-src-elem',
    'original-policy': "default-src 'self'; script-src 'self' 'nonce-abc' 'strict-dynamic'",
    disposition: 'enforce',
    'blocked-uri': 'inline',
    'line-number': 12,
    'column-number': 3,
    'source-file': `${ORIGIN}/users?q=secret-search`,
    'status-code': 200,
    'script-sample': 'alert(document.cookie)',
  },
};

/** What a browser sends for report-to (the Reporting API), two violations in one batch. */
const reportingApiBatch = [
  {
    type: 'csp-violation',
    age: 10,
    url: `${ORIGIN}/audit?actor=x`,
    user_agent: 'Mozilla/5.0',
    body: {
      documentURL: `${ORIGIN}/audit?actor=x`,
      referrer: '',
      blockedURL: 'https://evil.example/steal.js?token=abc',
      effectiveDirective: 'script-src-elem',
      originalPolicy: "default-src 'self'",
      sourceFile: null,
      sample: '',
      disposition: 'enforce',
      statusCode: 200,
      lineNumber: null,
      columnNumber: null,
    },
  },
  {
    type: 'csp-violation',
    age: 10,
    url: `${ORIGIN}/config`,
    user_agent: 'Mozilla/5.0',
    body: {
      documentURL: `${ORIGIN}/config`,
      blockedURL: 'eval',
      effectiveDirective: 'script-src',
      disposition: 'enforce',
      statusCode: 200,
    },
  },
];

describe.each(testProviders())('POST /api/csp-report (%s)', (provider) => {
  let h: ActionHarness;
  let peer = 0;
  const warnings: { obj: unknown; msg: unknown }[] = [];

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'cspreport');
    // Every line the route logs goes through logFor(correlationId) = log.child(…): capture its warn calls.
    const realChild = log.child.bind(log);
    vi.spyOn(log, 'child').mockImplementation((bindings, options) => {
      const child = realChild(bindings, options);
      child.warn = ((obj: unknown, msg: unknown) => {
        warnings.push({ obj, msg });
      }) as typeof child.warn;
      return child;
    });
  }, 120_000);
  afterEach(() => {
    warnings.length = 0;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await h?.cleanup();
  });

  /** A fresh client address (each test its own budget). */
  const newPeer = () => `203.0.113.${++peer}`;

  /** POSTs a body from `ip` without any session, as a browser's report does. */
  function post(ip: string, body: string, contentType: string, headers: Record<string, string> = {}): Promise<Response> {
    const scope = h.scope(h.anonymous(), randomUUID(), { 'x-warden-peer': ip, ...headers });
    scope.headers.delete('origin');
    scope.headers.delete('sec-fetch-site');
    const request = new Request(`${new URL(env().APP_URL).origin}/api/csp-report`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...headers },
      body,
    });
    return runInRequestScope(scope, () => POST(request));
  }

  it('T39 accepts an application/csp-report body without a session: 204, one warn line with the directive, the blocked keyword and the path only', async () => {
    const res = await post(newPeer(), JSON.stringify(legacyReport), 'application/csp-report');
    expect(res.status).toBe(204);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe('');
    expect(warnings).toEqual([
      {
        obj: {
          csp: {
            directive: 'script-src-elem',
            blocked: 'inline',
            documentPath: '/users',
            sourceFile: `${ORIGIN}/users`,
            line: 12,
            column: 3,
            disposition: 'enforce',
          },
        },
        msg: 'csp violation',
      },
    ]);
    // No query string, fragment, script sample or policy reaches the log.
    const logged = JSON.stringify(warnings);
    for (const s of ['secret-search', 'frag', 'alert(', 'nonce-abc']) expect(logged).not.toContain(s);
  });

  it('T39 accepts an application/reports+json batch: one line per violation, the blocked URL reduced to its origin', async () => {
    const res = await post(newPeer(), JSON.stringify(reportingApiBatch), 'application/reports+json');
    expect(res.status).toBe(204);
    expect(warnings.map((w) => w.obj)).toEqual([
      { csp: { directive: 'script-src-elem', blocked: 'https://evil.example', documentPath: '/audit', disposition: 'enforce' } },
      { csp: { directive: 'script-src', blocked: 'eval', documentPath: '/config', disposition: 'enforce' } },
    ]);
    const logged = JSON.stringify(warnings);
    expect(logged).not.toContain('token=abc');
    expect(logged).not.toContain('actor=x');
  });

  it('T39 refuses a malformed report with 400 and logs nothing', async () => {
    const ip = newPeer();
    for (const [body, type] of [
      ['not json', 'application/csp-report'],
      ['{}', 'application/csp-report'],
      [JSON.stringify({ 'csp-report': { 'blocked-uri': 'inline' } }), 'application/csp-report'],
      [JSON.stringify({ 'csp-report': { 'document-uri': 42 } }), 'application/csp-report'],
      ['[]', 'application/reports+json'],
      [JSON.stringify([{ type: 'deprecation', body: { documentURL: ORIGIN } }]), 'application/reports+json'],
      [JSON.stringify(legacyReport), 'application/reports+json'],
      [JSON.stringify(Array.from({ length: 21 }, () => reportingApiBatch[1])), 'application/reports+json'],
    ] as const) {
      expect((await post(ip, body, type)).status, body).toBe(400);
    }
    expect(warnings).toEqual([]);
  });

  it('T39 refuses other content types (415) and bodies over 16 KB (413), declared or not', async () => {
    const ip = newPeer();
    expect((await post(ip, JSON.stringify(legacyReport), 'application/json')).status).toBe(415);
    expect((await post(ip, JSON.stringify(legacyReport), 'text/plain')).status).toBe(415);
    const big = JSON.stringify({ 'csp-report': { ...legacyReport['csp-report'], 'script-sample': 'x'.repeat(17 * 1024) } });
    expect((await post(ip, big, 'application/csp-report')).status).toBe(413);
    // A body without a Content-Length (streamed) is cut off at the limit too.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
        controller.close();
      },
    });
    const scope = h.scope(h.anonymous(), randomUUID(), { 'x-warden-peer': ip });
    const streamed = new Request(`${ORIGIN}/api/csp-report`, {
      method: 'POST',
      headers: { 'content-type': 'application/csp-report' },
      body: stream,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    expect(streamed.headers.get('content-length')).toBeNull();
    expect((await runInRequestScope(scope, () => POST(streamed))).status).toBe(413);
    expect(warnings).toEqual([]);
  });

  it('T39 answers the 31st report in a minute from one address with 429, logs "rate limited" once, and leaves other addresses alone', async () => {
    const ip = newPeer();
    const body = JSON.stringify(legacyReport);
    for (let i = 1; i <= CSP_REPORT_LIMIT.limit; i++) {
      expect((await post(ip, body, 'application/csp-report')).status, `report ${i}`).toBe(204);
    }
    expect(warnings.filter((w) => w.msg === 'csp violation')).toHaveLength(CSP_REPORT_LIMIT.limit);
    warnings.length = 0;

    const refused = await post(ip, body, 'application/csp-report');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    for (let i = 0; i < 5; i++) expect((await post(ip, body, 'application/csp-report')).status).toBe(429);
    expect(warnings.map((w) => w.msg)).toEqual(['csp reports rate limited']);
    expect(warnings[0]!.obj).toMatchObject({ ip, limit: 30, windowMs: 60_000 });

    // The counter lives in the RateLimit table, per address.
    const row = await h.db.rateLimit.findUniqueOrThrow({ where: { key: cspReportLimitKey(ip) } });
    expect(row.count).toBe(CSP_REPORT_LIMIT.limit + 6);
    expect((await post(newPeer(), body, 'application/csp-report')).status).toBe(204);

    // A new window: the address may report again.
    await h.db.rateLimit.update({ where: { key: cspReportLimitKey(ip) }, data: { windowStart: new Date(Date.now() - 61_000) } });
    expect((await post(ip, body, 'application/csp-report')).status).toBe(204);
  });
});
