import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET } from '@/app/api/audit/events/export/route';
import { appendAuditEvent, type AuditEventInput } from '@/lib/audit/append';
import type * as RecordModuleNs from '@/lib/audit/record';
import type * as QueryModuleNs from '@/lib/dal/audit-query';
import { env } from '@/lib/env';
import { ActionHarness, type Caller } from '../helpers/action-harness';
import { runInRequestScope } from '../helpers/request-scope';
import { testProviders } from '../helpers/test-db';

/**
 * GET /api/audit/events/export (the audit browser's "Export CSV" / "Export JSON
 * Lines"), called in this process with a real session and database. SECURITY.md
 * T38: cells a spreadsheet would run as formulas come out neutralised, the CSV is
 * RFC 4180 (read back here by a small independent parser), the headers are safe;
 * the export honours the filter and the viewer's read rule, is pinned to the head
 * when it starts, and is audited as `audit.export_events` before the body is read.
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

// Two faults the tests inject, off unless a test turns them on: the audit.export_events
// event cannot be written, and the database fails after the first batch.
type RecordModule = typeof RecordModuleNs;
type QueryModule = typeof QueryModuleNs;
const faults = vi.hoisted(() => ({ failExportEvent: false, failLaterBatches: false, fetches: 0 }));
vi.mock('@/lib/audit/record', async (importOriginal) => {
  const real = await importOriginal<RecordModule>();
  return {
    ...real,
    recordAudit: (...args: Parameters<typeof real.recordAudit>) => {
      if (faults.failExportEvent && args[1].operation === 'audit.export_events')
        throw new Error('injected: the audit store refused the event');
      return real.recordAudit(...args);
    },
  };
});
vi.mock('@/lib/dal/audit-query', async (importOriginal) => {
  const real = await importOriginal<QueryModule>();
  return {
    ...real,
    fetchAuditEvents: ((plan, options) => {
      faults.fetches += 1;
      if (faults.failLaterBatches && options.cursor !== undefined) return Promise.reject(new Error('injected: connection lost'));
      return real.fetchAuditEvents(plan, options);
    }) as typeof real.fetchAuditEvents,
  };
});

const COLUMNS = [
  'seq',
  'id',
  'ts',
  'actorId',
  'actorRole',
  'actorSessionId',
  'ip',
  'userAgent',
  'correlationId',
  'operation',
  'targetType',
  'targetId',
  'outcome',
  'reasonCode',
  'reason',
  'details',
  'policyVersion',
  'decision',
  'prevHash',
  'hash',
];

/** Reasons a spreadsheet would run as formulas (OWASP CSV injection). */
const FORMULAS = [
  '=HYPERLINK("http://evil.example","click") zebra',
  "+cmd|' /C calc'!A0",
  '-2+3',
  '@SUM(A1)',
  '\t=1',
  '\r=cr',
  '＝1',
  '  =lead space',
];
/** Reasons that are hostile to line-based or naive readers but are not formulas. */
const HOSTILE = ['line one\r\nline two\n3,4,"five"', 'say "hi", then, go', 'bidi \u202Etxt.exe', 'sep\u2028next\u2029end'];
const OTHER_ADMIN_EVENTS = 3;
const FILLERS = 1100;

/** A minimal RFC 4180 reader: fields may be quoted and hold CR, LF, commas and doubled quotes; records end in CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else if (ch === '"' || ch === '\r' || ch === '\n') throw new Error(`bare ${JSON.stringify(ch)} outside quotes at ${i}`);
    else field += ch;
  }
  if (quoted || field !== '' || record.length > 0) throw new Error('the last record is not complete');
  return records;
}

/** A cell a spreadsheet would take as a formula: a sign, possibly after blanks or invisible characters. */
const FORMULA_CELL = /^[\s\u0000-\u001f\u200b-\u200f\u202a-\u202e\ufeff]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r]/;

describe.each(testProviders())('GET /api/audit/events/export (%s)', (provider) => {
  let h: ActionHarness;
  let auditor: Caller;
  let admin: Caller;
  let otherAdmin: Caller;

  const append = (input: Omit<AuditEventInput, 'ip' | 'userAgent' | 'policyVersion' | 'details'>) =>
    h.db.$transaction((tx) => appendAuditEvent(tx, { ip: '203.0.113.9', userAgent: 'export test', policyVersion: 'test', ...input }));
  const actorOf = (c: Caller) => ({ id: c.user!.id, role: c.user!.role, sessionId: null });

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'export-events');
    auditor = await h.caller('auditor');
    admin = await h.caller('admin');
    otherAdmin = await h.caller('admin');
    for (const [n, reason] of [...FORMULAS, ...HOSTILE].entries()) {
      await append({
        actor: actorOf(admin),
        correlationId: `payload-${n}`,
        operation: 'user.unlock',
        target: { type: 'User', id: `usr_${n}` },
        outcome: 'success',
        reason,
      });
    }
    await append({
      actor: actorOf(otherAdmin),
      correlationId: 'other-0',
      operation: 'user.suspend',
      target: null,
      outcome: 'success',
      reason: 'other zebra =1',
    });
    for (const n of [1, 2]) {
      await append({
        actor: actorOf(otherAdmin),
        correlationId: `other-${n}`,
        operation: 'user.suspend',
        target: null,
        outcome: 'denied',
        reason: 'not mine',
      });
    }
    // More than two batches of system events (the export reads 500 at a time).
    for (let start = 0; start < FILLERS; start += 100) {
      await h.db.$transaction(
        async (tx) => {
          for (let n = start; n < Math.min(start + 100, FILLERS); n++) {
            await appendAuditEvent(tx, {
              actor: null,
              ip: null,
              userAgent: null,
              correlationId: `filler-${n}`,
              operation: 'auth.sign_out',
              target: null,
              outcome: 'success',
              policyVersion: 'test',
            });
          }
        },
        { timeout: 60_000 },
      );
    }
  }, 180_000);
  afterAll(async () => {
    await h?.cleanup();
  });

  /** One request by `caller`: the same headers on the Request and in next/headers, as in Next.js. */
  function get(caller: Caller, query: string, headers: Record<string, string> = {}, correlationId = randomUUID()): Promise<Response> {
    const scope = h.scope(caller, correlationId, headers);
    const url = `${new URL(env().APP_URL).origin}/api/audit/events/export${query}`;
    return runInRequestScope(scope, () => GET(new Request(url, { headers: scope.headers })));
  }

  const exportEvents = () => h.db.auditEvent.findMany({ where: { operation: 'audit.export_events' }, orderBy: { seq: 'asc' } });
  const lastExport = async () => {
    const event = (await exportEvents()).at(-1)!;
    return { event, details: JSON.parse(event.details) as { format: string; filter: Record<string, string>; headSeq: number } };
  };

  /** The CSV body as objects keyed by the header. */
  async function csvRows(res: Response): Promise<Record<string, string>[]> {
    const [header, ...records] = parseCsv(await res.text());
    expect(header).toEqual(COLUMNS);
    return records.map((r) => {
      expect(r).toHaveLength(COLUMNS.length);
      return Object.fromEntries(COLUMNS.map((c, i) => [c, r[i]!]));
    });
  }

  it('T38 gives an auditor a CSV of the whole trail up to the head, with neutralised formulas and safe headers, audited before the body is read', async () => {
    const before = (await exportEvents()).length;
    const head = (await h.db.auditEvent.aggregate({ _max: { seq: true } }))._max.seq!;
    const res = await get(auditor, '?format=csv&window=all');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="warden-audit-events-${head}.csv"`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');

    // Recorded before a byte of the body was read.
    expect(await exportEvents()).toHaveLength(before + 1);
    const { event, details } = await lastExport();
    expect(event).toMatchObject({
      actorId: auditor.user!.id,
      actorRole: 'auditor',
      actorSessionId: auditor.sessionId,
      outcome: 'success',
      decision: 'auditor.audit_read',
      targetType: 'AuditTrail',
      targetId: 'events',
    });
    expect(details).toEqual({ format: 'csv', filter: { window: 'all' }, headSeq: head });

    const rows = await csvRows(res);
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(rows.some((r) => Number(r.seq) === event.seq)).toBe(false);
    for (const [n, reason] of FORMULAS.entries()) {
      expect(rows.find((r) => r.correlationId === `payload-${n}`)?.reason).toBe(`'${reason}`);
    }
    for (const [n, reason] of HOSTILE.entries()) {
      expect(rows.find((r) => r.correlationId === `payload-${FORMULAS.length + n}`)?.reason).toBe(reason);
    }
    // No cell anywhere in the file is a live formula.
    for (const row of rows) for (const cell of Object.values(row)) if (FORMULA_CELL.test(cell)) expect(cell.startsWith("'")).toBe(true);
    // Every column comes out as stored.
    const stored = await h.db.auditEvent.findFirstOrThrow({ where: { correlationId: 'payload-2' } });
    expect(rows.find((r) => Number(r.seq) === stored.seq)).toEqual({
      ...Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, v === null ? '' : v instanceof Date ? v.toISOString() : String(v)])),
      reason: `'${stored.reason}`,
    });
  });

  it('T37 gives JSON Lines: one line per event that parses back to the stored values', async () => {
    const res = await get(auditor, '?format=jsonl&window=all&operation=user.unlock');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const { details } = await lastExport();
    expect(details).toEqual({ format: 'jsonl', filter: { window: 'all', operation: 'user.unlock' }, headSeq: expect.any(Number) });
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="warden-audit-events-${details.headSeq}.jsonl"`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = await res.text();
    expect(body.endsWith('\n')).toBe(true);
    expect(body).not.toMatch(/[\r\u2028\u2029\u0085]/);
    const lines = body.slice(0, -1).split('\n');
    expect(lines).toHaveLength(FORMULAS.length + HOSTILE.length);
    const events = lines.map((l) => JSON.parse(l) as { reason: string; details: unknown; ts: string; seq: number });
    expect(events.map((e) => e.reason)).toEqual([...FORMULAS, ...HOSTILE]);
    const first = await h.db.auditEvent.findUniqueOrThrow({ where: { seq: events[0]!.seq } });
    expect(events[0]).toEqual({ ...first, ts: first.ts.toISOString(), details: JSON.parse(first.details) as unknown });
  });

  it.each([
    ['operation', '&operation=user.unlock', FORMULAS.length + HOSTILE.length],
    ['full-text search', '&q=zebra', 2],
    ['full-text search and operation', '&q=zebra&operation=user.unlock', 1],
    ['outcome', '&outcome=denied', 2],
    ['actor', 'actor', OTHER_ADMIN_EVENTS],
    ['the default window (7 days)', '', null],
  ] as const)('honours the filter: %s', async (_label, extra, expected) => {
    const query = extra === 'actor' ? `&actor=${otherAdmin.user!.id}` : extra;
    const res = await get(auditor, `?format=csv${extra === '' ? '' : '&window=all'}${query}`);
    expect(res.status).toBe(200);
    const rows = await csvRows(res);
    const { details } = await lastExport();
    if (expected === null) {
      expect(details.filter).toEqual({ window: '7d' });
      expect(rows).toHaveLength(details.headSeq);
    } else {
      expect(rows).toHaveLength(expected);
    }
    if (extra.includes('outcome')) expect(rows.every((r) => r.outcome === 'denied')).toBe(true);
    if (extra === 'actor') expect(rows.every((r) => r.actorId === otherAdmin.user!.id)).toBe(true);
  });

  it('gives an admin only their own actions, and records the rule that scoped it', async () => {
    const res = await get(admin, '?format=csv&window=all');
    expect(res.status).toBe(200);
    const { event, details } = await lastExport();
    expect(event).toMatchObject({ actorId: admin.user!.id, decision: 'admin.audit_own_actions' });
    const rows = await csvRows(res);
    const own = await h.db.auditEvent.count({ where: { actorId: admin.user!.id, seq: { lte: details.headSeq } } });
    expect(own).toBeGreaterThanOrEqual(FORMULAS.length + HOSTILE.length);
    expect(rows).toHaveLength(own);
    expect(rows.every((r) => r.actorId === admin.user!.id)).toBe(true);

    const searched = await get(admin, '?format=jsonl&window=all&q=zebra');
    const lines = (await searched.text()).split('\n').filter(Boolean);
    expect(lines.map((l) => (JSON.parse(l) as { correlationId: string }).correlationId)).toEqual(['payload-0']);
  });

  it('is pinned to the head when it starts: events appended while it streams are not in it', async () => {
    const res = await get(auditor, '?format=jsonl&window=all&operation=auth.sign_out');
    expect(res.status).toBe(200);
    const { details } = await lastExport();
    const late: number[] = [];
    for (let n = 0; n < 3; n++) {
      const appended = await h.db.$transaction((tx) =>
        appendAuditEvent(tx, {
          actor: null,
          ip: null,
          userAgent: null,
          correlationId: `late-${n}`,
          operation: 'auth.sign_out',
          target: null,
          outcome: 'success',
          policyVersion: 'test',
        }),
      );
      late.push(appended.seq);
    }
    const seqs = (await res.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { seq: number }).seq);
    expect(seqs).toHaveLength(FILLERS);
    expect(seqs.every((s) => s <= details.headSeq)).toBe(true);
    expect(seqs.filter((s) => late.includes(s))).toEqual([]);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);

    const again = await get(auditor, '?format=jsonl&window=all&operation=auth.sign_out');
    expect((await again.text()).split('\n').filter(Boolean)).toHaveLength(FILLERS + late.length);
  });

  it('gives support and anonymous callers a 404 and records nothing', async () => {
    const support = await h.caller('support');
    const before = (await exportEvents()).length;
    for (const caller of [support, h.anonymous()]) {
      const res = await get(caller, '?format=csv&window=all');
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await res.text()).toBe('Not found');
    }
    expect(await exportEvents()).toHaveLength(before);
  });

  it.each(['cross-site', 'same-site'])('refuses a %s request with 404, even from an auditor', async (site) => {
    const before = (await exportEvents()).length;
    const res = await get(auditor, '?format=csv&window=all', { 'sec-fetch-site': site });
    expect(res.status).toBe(404);
    expect(await exportEvents()).toHaveLength(before);
  });

  it.each([
    ['a missing format', '?window=all'],
    ['an unknown format', '?format=xlsx&window=all'],
    ['a format in another case', '?format=CSV'],
  ])('answers %s with 400 and records nothing', async (_label, query) => {
    const before = (await exportEvents()).length;
    const res = await get(auditor, query);
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('"format" must be csv or jsonl.');
    expect(await exportEvents()).toHaveLength(before);
  });

  it('fails closed: no audit.export_events event, no export (500 with the correlation id)', async () => {
    const before = (await exportEvents()).length;
    const correlationId = '0f1e2d3c-4b5a-4697-8877-665544332211';
    faults.failExportEvent = true;
    try {
      const res = await get(auditor, '?format=csv&window=all', {}, correlationId);
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBeNull();
      const body = await res.text();
      expect(body).toContain(correlationId);
      expect(body).not.toMatch(/injected|seq|reason/);
    } finally {
      faults.failExportEvent = false;
    }
    expect(await exportEvents()).toHaveLength(before);
  });

  it('stops reading the trail when the client goes away', async () => {
    // 1100 matching events are three batches; the client takes one chunk and leaves.
    const res = await get(auditor, '?format=jsonl&window=all&operation=auth.sign_out');
    const fetchesBefore = faults.fetches;
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    await reader.cancel();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(faults.fetches - fetchesBefore).toBeLessThanOrEqual(1);

    const whole = await get(auditor, '?format=jsonl&window=all&operation=auth.sign_out');
    const wholeBefore = faults.fetches;
    await whole.text();
    expect(faults.fetches - wholeBefore).toBe(2);
  });

  it('breaks the download when the database fails mid-stream, instead of ending a short file', async () => {
    faults.failLaterBatches = true;
    try {
      const res = await get(auditor, '?format=csv&window=all');
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
    } finally {
      faults.failLaterBatches = false;
    }
  });
});
