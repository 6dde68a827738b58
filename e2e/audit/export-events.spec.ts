import fs from 'node:fs';
import { callAction } from '../actions';
import { createUser, DEMO, demoUser, e2eDb, expect, signIn, test } from '../fixtures';

/** Reasons a spreadsheet would run as formulas (OWASP CSV injection); the reason field is trimmed, so none starts with blanks. */
const FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", '-2+3', '@SUM(A1)', '＝1+1'];
/** A reason with a line break, quotes and commas: one cell, exactly as given. */
const MULTILINE = 'line one\n=2+2, "quoted", done';
const REASONS = [...FORMULAS, MULTILINE];

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

/** The reason column of a CSV export, checking the header on the way. */
function reasonsOf(csv: string): string[] {
  const [header, ...rows] = parseCsv(csv);
  expect(header?.slice(0, 3)).toEqual(['seq', 'id', 'ts']);
  const column = header!.indexOf('reason');
  expect(column).toBeGreaterThan(0);
  for (const row of rows) expect(row).toHaveLength(header!.length);
  return rows.map((row) => row[column]!);
}

test.describe('[AUDITOR] exports of the audit browser’s filter', () => {
  test.setTimeout(120_000);

  test('T38 [AUDITOR][EXPORT] exports the filtered events as CSV with formula cells neutralised and safe headers, and as JSON Lines; each download is audited', async ({
    page,
    browser,
  }) => {
    const db = await e2eDb();
    // An admin leaves events whose reasons are spreadsheet formulas.
    const admin = await createUser('admin');
    const member = await createUser('member', { totp: false });
    const adminContext = await browser.newContext();
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, admin);
    for (const reason of REASONS) {
      const reply = await callAction(adminPage.request, 'unlockUserAction', [{ id: member.id, reason }]);
      expect(reply.ok, reply.body.slice(0, 300)).toBe(true);
    }
    await adminContext.close();

    const auditor = demoUser('auditor');
    const auditorId = (await db.user.findUniqueOrThrow({ where: { email: DEMO.auditor }, select: { id: true } })).id;
    const start = (await db.auditEvent.aggregate({ _max: { seq: true } }))._max.seq ?? 0;
    await signIn(page, auditor);
    await page.goto(`/audit?window=24h&actor=${admin.id}&operation=user.unlock`);

    // CSV through the browser's download.
    const csvLink = page.getByRole('link', { name: 'Export CSV' });
    const csvHref = await csvLink.getAttribute('href');
    expect(csvHref).toMatch(/^\/api\/audit\/events\/export\?/);
    const csvQuery = new URL(csvHref!, 'http://localhost').searchParams;
    expect(Object.fromEntries(csvQuery)).toMatchObject({ format: 'csv', window: '24h', actor: admin.id, operation: 'user.unlock' });
    const csvDownload = page.waitForEvent('download');
    await csvLink.click();
    const csv = await csvDownload;
    expect(csv.suggestedFilename()).toMatch(/^warden-audit-events-\d+\.csv$/);
    const csvText = fs.readFileSync((await csv.path())!, 'utf8');
    expect(reasonsOf(csvText)).toEqual([...FORMULAS.map((f) => `'${f}`), MULTILINE]);

    // The same export over HTTP, for its headers.
    const res = await page.request.get(csv.url());
    expect(res.status()).toBe(200);
    const headers = res.headers();
    expect(headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(headers['content-disposition']).toMatch(/^attachment; filename="warden-audit-events-\d+\.csv"$/);
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(reasonsOf(await res.text())).toEqual(reasonsOf(csvText));

    // JSON Lines: one line per event, values exactly as stored.
    const jsonlDownload = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export JSON Lines' }).click();
    const jsonl = await jsonlDownload;
    expect(jsonl.suggestedFilename()).toMatch(/^warden-audit-events-\d+\.jsonl$/);
    const lines = fs.readFileSync((await jsonl.path())!, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as { reason: string }).reason)).toEqual(REASONS);

    // Every download is in the trail, with the viewer, the format, the filter and the pinned head.
    const exports = await db.auditEvent.findMany({
      where: { seq: { gt: start }, actorId: auditorId, operation: 'audit.export_events' },
      orderBy: { seq: 'asc' },
    });
    expect(exports.map((e) => `${e.outcome}:${e.decision}`)).toEqual([
      'success:auditor.audit_read',
      'success:auditor.audit_read',
      'success:auditor.audit_read',
    ]);
    const details = exports.map((e) => JSON.parse(e.details) as { format: string; filter: Record<string, string>; headSeq: number });
    expect(details.map((d) => d.format)).toEqual(['csv', 'csv', 'jsonl']);
    for (const d of details) {
      expect(d.filter).toEqual({ window: '24h', actor: admin.id, operation: 'user.unlock' });
      expect(d.headSeq).toBeGreaterThan(start);
    }
    expect(csv.suggestedFilename()).toBe(`warden-audit-events-${details[0]!.headSeq}.csv`);
  });
});
