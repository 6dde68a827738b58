import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET } from '@/app/api/audit/bundle/route';
import { appendAuditEvent } from '@/lib/audit/append';
import type * as ExportModuleNs from '@/lib/audit/export';
import type * as RecordModuleNs from '@/lib/audit/record';
import { MAX_BUNDLE_EVENTS } from '@/lib/dal/audit-bundle';
import { env } from '@/lib/env';
import { ActionHarness, type Caller } from '../helpers/action-harness';
import { runInRequestScope } from '../helpers/request-scope';
import { testProviders } from '../helpers/test-db';

/**
 * GET /api/audit/bundle (the console's "Download an export bundle"): called in this
 * process with a real session and database, as the action harness calls server
 * actions. An auditor's tar extracts with the system tar and passes the standalone
 * verifier; the download is audited as `audit.export` with the auditor as actor.
 * Anyone else gets 404 and leaves no event; a bad range gets 400.
 */
vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('WARDEN_AUDIT_PUBLIC_KEYS_FILE', '/nonexistent/warden-bundle-route-test/public-keys.json');
  vi.stubEnv('LOG_LEVEL', 'silent');
});
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

// Two faults the tests inject: a trail longer than the download limit (resolveExportRange
// answers a larger range than a test database holds) and an audit.export that cannot be
// written. Both are off unless a test turns them on; everything else is the real code.
type ExportModule = typeof ExportModuleNs;
type RecordModule = typeof RecordModuleNs;
const faults = vi.hoisted(() => ({ range: null as { fromSeq: number; toSeq: number } | null, failExportEvent: false }));
vi.mock('@/lib/audit/export', async (importOriginal) => {
  const real = await importOriginal<ExportModule>();
  return {
    ...real,
    resolveExportRange: (...args: Parameters<typeof real.resolveExportRange>) => faults.range ?? real.resolveExportRange(...args),
  };
});
vi.mock('@/lib/audit/record', async (importOriginal) => {
  const real = await importOriginal<RecordModule>();
  return {
    ...real,
    recordAudit: (...args: Parameters<typeof real.recordAudit>) => {
      if (faults.failExportEvent && args[1].operation === 'audit.export') throw new Error('injected: the audit store refused the event');
      return real.recordAudit(...args);
    },
  };
});

/** The route's own temp dirs (fs.mkdtemp "warden-bundle-…"), not this test's. */
const tempDirs = () =>
  fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('warden-bundle-') && !name.startsWith('warden-bundle-route-'));

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bundle-route-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(testProviders())('GET /api/audit/bundle (%s)', (provider) => {
  let h: ActionHarness;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'bundle');
    for (let n = 1; n <= 5; n++) {
      await h.db.$transaction((tx) =>
        appendAuditEvent(tx, {
          actor: null,
          ip: null,
          userAgent: 'bundle route test',
          correlationId: `seed-${n}`,
          operation: 'user.suspend',
          target: { type: 'User', id: `usr_${n}` },
          outcome: 'success',
          details: { n },
          policyVersion: 'test',
        }),
      );
    }
  }, 60_000);
  afterAll(async () => {
    await h?.cleanup();
  });

  /** One request by `caller`: the same headers on the Request and in next/headers, as in Next.js. */
  function get(caller: Caller, query: string, headers: Record<string, string> = {}, correlationId = randomUUID()): Promise<Response> {
    const scope = h.scope(caller, correlationId, headers);
    const url = `${new URL(env().APP_URL).origin}/api/audit/bundle${query}`;
    return runInRequestScope(scope, () => GET(new NextRequest(url, { headers: scope.headers })));
  }

  const exportEvents = () => h.db.auditEvent.findMany({ where: { operation: 'audit.export' }, orderBy: { seq: 'asc' } });

  it('hands an auditor a tar that the standalone verifier proves, and audits it', async () => {
    const auditor = await h.caller('auditor');
    const before = (await exportEvents()).length;
    const dirsBefore = tempDirs();
    const res = await get(auditor, '?from=1&to=5');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-tar');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="warden-audit-1-5.tar"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length % 512).toBe(0);
    // The route's temp dir goes once the stream has ended.
    await vi.waitFor(() => expect(tempDirs().filter((name) => !dirsBefore.includes(name))).toEqual([]));

    const dir = fs.mkdtempSync(path.join(tmp, `${provider}-`));
    fs.writeFileSync(path.join(dir, 'bundle.tar'), body);
    const out = path.join(dir, 'bundle');
    fs.mkdirSync(out);
    await run('tar', ['-xf', path.join(dir, 'bundle.tar'), '-C', out]);
    expect(fs.readdirSync(out)).toContain('manifest.json');
    expect(fs.readdirSync(out)).toContain('warden-verify.mjs');
    const verified = await run(process.execPath, [path.join(repoRoot, 'tools/warden-verify.mjs'), out]);
    expect(verified.stdout).toBeTruthy();

    const events = await exportEvents();
    expect(events).toHaveLength(before + 1);
    const event = events.at(-1)!;
    expect(event).toMatchObject({ actorId: auditor.user!.id, actorRole: 'auditor', actorSessionId: auditor.sessionId, outcome: 'success' });
    const details = JSON.parse(event.details) as Record<string, unknown>;
    expect(details).toMatchObject({ fromSeq: 1, toSeq: 5, events: 5 });
    expect(typeof details.manifestSha256).toBe('string');
  }, 60_000);

  it('accepts ISO date-time range ends', async () => {
    const auditor = await h.caller('auditor');
    const res = await get(auditor, '?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="warden-audit-2000-01-01T000000Z-2100-01-01T000000Z.tar"');
    await res.arrayBuffer();
  }, 60_000);

  it.each(['admin', 'support'] as const)('gives %s a 404 and records nothing', async (role) => {
    const caller = await h.caller(role);
    const before = (await exportEvents()).length;
    const res = await get(caller, '?from=1&to=5');
    expect(res.status).toBe(404);
    expect(await exportEvents()).toHaveLength(before);
  });

  it('gives an anonymous caller a 404 and records nothing', async () => {
    const before = (await exportEvents()).length;
    const res = await get(h.anonymous(), '?from=1&to=5');
    expect(res.status).toBe(404);
    expect(await exportEvents()).toHaveLength(before);
  });

  it('refuses a cross-site request with 404, even from an auditor', async () => {
    const auditor = await h.caller('auditor');
    const before = (await exportEvents()).length;
    const res = await get(auditor, '?from=1&to=5', { 'sec-fetch-site': 'cross-site' });
    expect(res.status).toBe(404);
    expect(await exportEvents()).toHaveLength(before);
  });

  it.each([
    ['a missing end', '?from=1', /"to" is required/],
    ['a non-number', '?from=abc&to=5', /"from" must be an event seq/],
    ['seq 0', '?from=0&to=5', /"from" must be an event seq/],
    ['an empty range', '?from=5&to=2', /no audit events in the range/],
    ['a date without a time', '?from=2026-01-01&to=5', /"from" must be an event seq/],
  ])('answers %s with 400 and no event', async (_label, query, message) => {
    const auditor = await h.caller('auditor');
    const before = (await exportEvents()).length;
    const res = await get(auditor, query);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(message);
    expect(await exportEvents()).toHaveLength(before);
  });

  it(`refuses a range of more than ${MAX_BUNDLE_EVENTS} events with 400 and no event`, async () => {
    const auditor = await h.caller('auditor');
    const before = (await exportEvents()).length;
    faults.range = { fromSeq: 1, toSeq: MAX_BUNDLE_EVENTS + 1 };
    try {
      const res = await get(auditor, `?from=1&to=${MAX_BUNDLE_EVENTS + 1}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/at most 1000000/);
    } finally {
      faults.range = null;
    }
    expect(await exportEvents()).toHaveLength(before);
    // Exactly the limit is allowed; a real seq range is capped at the head.
    const ok = await get(auditor, `?from=1&to=${MAX_BUNDLE_EVENTS}`);
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
  }, 60_000);

  it('fails closed: no audit.export event, no bundle (500 with the correlation id), no temp dir left', async () => {
    const auditor = await h.caller('auditor');
    const before = (await exportEvents()).length;
    const dirsBefore = tempDirs().length;
    const correlationId = '0f1e2d3c-4b5a-4697-8877-665544332211';
    faults.failExportEvent = true;
    try {
      const res = await get(auditor, '?from=1&to=5', {}, correlationId);
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).not.toBe('application/x-tar');
      const body = await res.text();
      expect(body).toContain(correlationId);
      expect(body).not.toMatch(/injected/);
    } finally {
      faults.failExportEvent = false;
    }
    expect(await exportEvents()).toHaveLength(before);
    expect(tempDirs().length).toBeLessThanOrEqual(dirsBefore);
  }, 60_000);
});
