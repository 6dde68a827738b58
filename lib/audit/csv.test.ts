import { describe, expect, it } from 'vitest';
import {
  AUDIT_EVENT_CSV_COLUMNS,
  auditEventCsvHeader,
  auditEventCsvRow,
  auditEventJsonLine,
  csvCell,
  csvRow,
  isFormulaLike,
  type AuditEventExportRow,
} from './csv';

/** A minimal RFC 4180 reader (quoted fields may hold CR, LF, commas and doubled quotes). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i += 1;
      } else {
        field += ch;
        i += 1;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
      i += 1;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      if (ch === '"' || ch === '\r' || ch === '\n') throw new Error(`bare ${JSON.stringify(ch)} at ${i}`);
      field += ch;
      i += 1;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || record.length > 0) throw new Error('last record is not terminated by CRLF');
  return records;
}

const event = (over: Partial<AuditEventExportRow> = {}): AuditEventExportRow => ({
  seq: 42,
  id: '0b6f3c1e-8f0a-4d3e-9a55-3f7a1c2b9d10',
  ts: new Date('2026-11-28T01:02:03.456Z'),
  actorId: 'usr_admin',
  actorRole: 'admin',
  actorSessionId: null,
  ip: '203.0.113.7',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
  correlationId: '8c1a2b3c-4d5e-4f60-8172-839405a6b7c8',
  operation: 'user.unlock',
  targetType: 'User',
  targetId: 'usr_member',
  outcome: 'success',
  reasonCode: null,
  reason: 'Locked out after a holiday',
  details: '{"failuresCleared":3,"wasLocked":true}',
  policyVersion: 'a'.repeat(64),
  decision: 'admin.manage_lower_roles',
  prevHash: 'b'.repeat(64),
  hash: 'c'.repeat(64),
  ...over,
});

describe('csvCell (T38 formula neutralisation)', () => {
  it.each([
    ['=', '=1+1'],
    ['+', "+cmd|' /C calc'!A0"],
    ['-', '-2+3'],
    ['@', '@SUM(A1:A2)'],
    ['TAB', '\t=1'],
    ['CR', '\r=1'],
    ['fullwidth ＝', '＝1+1'],
    ['fullwidth ＋', '＋1'],
    ['fullwidth －', '－1'],
    ['fullwidth ＠', '＠SUM(A1)'],
  ])('prefixes a cell that starts with %s with a quote, and quotes it', (_label, value) => {
    const cell = csvCell(value);
    expect(cell).toBe(`"'${value.replaceAll('"', '""')}"`);
    expect(parseCsv(`${cell}\r\n`)).toEqual([[`'${value}`]]);
    expect(isFormulaLike(value)).toBe(true);
  });

  it.each([
    ['spaces', '   =1'],
    ['a line break', '\n=1'],
    ['a no-break space', '\u00A0+1'],
    ['an ideographic space', '\u3000@A1'],
    ['a bidi override', '\u202E=1'],
    ['a zero-width space', '\u200B-1'],
    ['a BOM', '\uFEFF=1'],
    ['spaces and a fullwidth sign', '  ＝1'],
  ])('neutralises a formula sign after leading %s', (_label, value) => {
    expect(parseCsv(`${csvCell(value)}\r\n`)).toEqual([[`'${value}`]]);
  });

  it('quotes the HYPERLINK payload and doubles its inner quotes', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","click")')).toBe('"\'=HYPERLINK(""http://evil.example"",""click"")"');
  });

  it('leaves ordinary text, other scripts and formula signs inside the text alone', () => {
    for (const text of ['plain', 'a=b', 'x+1', 'user@example.com', 'prüfung — ok', 'שלום', '用户', 'ok 👍🏽', "it's"]) {
      expect(csvCell(text)).toBe(text);
      expect(isFormulaLike(text)).toBe(false);
    }
  });

  it('quotes commas, semicolons, quotes, line breaks, tabs and outer spaces (RFC 4180)', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('one\ntwo')).toBe('"one\ntwo"');
    expect(csvCell('one\r\ntwo')).toBe('"one\r\ntwo"');
    expect(csvCell('one\rtwo')).toBe('"one\rtwo"');
    expect(csvCell('a\tb')).toBe('"a\tb"');
    expect(csvCell(' padded ')).toBe('" padded "');
  });

  it('writes null and undefined as an empty field, numbers and booleans as they are, dates in ISO 8601 UTC', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(new Date('2026-11-28T01:02:03.456Z'))).toBe('2026-11-28T01:02:03.456Z');
    expect(csvCell('')).toBe('');
  });
});

describe('csvRow', () => {
  it('joins with commas and ends with CRLF', () => {
    expect(csvRow(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"\r\n');
  });

  it('round-trips hostile values through an RFC 4180 reader, one record per row', () => {
    const values = ['line one\r\nline two', 'a "quoted", comma', '\u202Etxt.exe', 'sep\u2028next\u2029end', 'x\u0000y\u001b[31m', '=1'];
    const text = csvRow(values) + csvRow(['second']);
    expect(parseCsv(text)).toEqual([[...values.slice(0, 5), "'=1"], ['second']]);
  });
});

describe('audit event CSV', () => {
  it('has a header naming every column', () => {
    expect(parseCsv(auditEventCsvHeader())).toEqual([[...AUDIT_EVENT_CSV_COLUMNS]]);
    expect(AUDIT_EVENT_CSV_COLUMNS).toHaveLength(20);
  });

  it('writes every column in header order, details as the stored canonical JSON', () => {
    const row = event({ reason: '=HYPERLINK("http://evil")', actorSessionId: null });
    const [fields] = parseCsv(auditEventCsvRow(row));
    expect(fields).toHaveLength(AUDIT_EVENT_CSV_COLUMNS.length);
    const byName = Object.fromEntries(AUDIT_EVENT_CSV_COLUMNS.map((c, i) => [c, fields![i]]));
    expect(byName).toMatchObject({
      seq: '42',
      ts: '2026-11-28T01:02:03.456Z',
      actorSessionId: '',
      reason: '\'=HYPERLINK("http://evil")',
      details: '{"failuresCleared":3,"wasLocked":true}',
      hash: 'c'.repeat(64),
    });
  });
});

describe('auditEventJsonLine (T37: one event per line)', () => {
  const hostile = 'a\nb\r\nc\u2028d\u2029e\u0085f\u000bg\u000ch\u001ci\u001b[31m\u202Ej\u0000k\u007f';

  it('is one line ending in \\n, with no raw line break or separator of any kind', () => {
    const line = auditEventJsonLine(event({ reason: hostile, userAgent: hostile, details: '{"note":"x\\u2028y\\n"}' }));
    expect(line.endsWith('\n')).toBe(true);
    const body = line.slice(0, -1);
    expect(body).not.toMatch(/[\n\r\u000b\u000c\u001c-\u001e\u0085\u2028\u2029]/);
    expect(body.split(/\r\n|[\n\r\u000b\u000c\u001c-\u001e\u0085\u2028\u2029]/)).toHaveLength(1);
    expect(body).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(body).toContain('\\u2028');
    expect(body).toContain('\\u202e');
  });

  it('parses back to exactly the stored values, details as an object', () => {
    const row = event({ reason: hostile, details: '{"list":[1,"＝2"],"note":"x\\u2028y"}' });
    const parsed = JSON.parse(auditEventJsonLine(row)) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([...AUDIT_EVENT_CSV_COLUMNS]);
    expect(parsed).toEqual({
      ...row,
      ts: '2026-11-28T01:02:03.456Z',
      details: { list: [1, '＝2'], note: 'x\u2028y' },
    });
  });

  it('keeps formula text as it is (JSON is data, never a spreadsheet cell) and nulls as null', () => {
    const parsed = JSON.parse(auditEventJsonLine(event({ reason: '=1+1', actorSessionId: null }))) as Record<string, unknown>;
    expect(parsed.reason).toBe('=1+1');
    expect(parsed.actorSessionId).toBeNull();
  });

  it('keeps emoji and other scripts readable', () => {
    const line = auditEventJsonLine(event({ reason: 'prüfung 用户 👍🏽' }));
    expect(line).toContain('prüfung 用户 👍🏽');
  });
});
