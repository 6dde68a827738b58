/**
 * Audit event exports as CSV and JSON Lines (SECURITY.md T37, T38).
 *
 * CSV follows RFC 4180: records end in CRLF; a field that holds a double quote,
 * a comma, a semicolon (the list separator of many spreadsheet locales), a tab,
 * a line break or leading/trailing space is enclosed in double quotes, with each
 * double quote inside doubled.
 *
 * Formula neutralisation (T38, OWASP "CSV Injection"): a spreadsheet runs a cell
 * that starts with `=`, `+`, `-` or `@` as a formula (and `+cmd|…` as DDE), and
 * some also after a leading tab or carriage return, after leading spaces, or
 * with the fullwidth forms ＝ ＋ － ＠ that they fold to ASCII. Such a text cell
 * is prefixed with a single quote `'`, which makes every spreadsheet show it as
 * text, and then quoted. The apostrophe is visible in the file: the JSON Lines
 * export carries every value exactly as stored.
 *
 * Line breaks inside a value stay as they are, inside a quoted field: that is
 * valid RFC 4180, every CSV reader and spreadsheet keeps them in the cell, and
 * the value round-trips exactly. A CSV record can therefore span lines; a tool
 * that splits on line breaks must use the JSON Lines export, where every event
 * is exactly one line (U+2028, U+2029, NEL and other line-like or invisible
 * characters are written as \u escapes, which JSON readers decode back).
 *
 * Pure and free of server-only imports: unit-tested on its own.
 */

import type { AuditEventFields } from './hash';

/** Every column of an audit event, as the CSV header names them (prisma/models.prisma, AuditEvent). */
export const AUDIT_EVENT_CSV_COLUMNS = [
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
] as const;

/** One stored audit event, every column (`details` is the canonical JSON string as stored). */
export type AuditEventExportRow = AuditEventFields & { prevHash: string; hash: string };

export type CsvValue = string | number | boolean | Date | null | undefined;

/**
 * Characters a spreadsheet may skip before it looks for a formula sign: white
 * space (Unicode), C0/C1 controls, and invisible format characters (zero-width,
 * bidi marks, embeddings, overrides and isolates, word joiner, BOM).
 */
const LEADING_IGNORABLE = /^[\s\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]*/u;

/** Formula signs, ASCII and fullwidth; TAB and CR also start a formula in some spreadsheets. */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/u;

/** Anything that needs the field quoted (RFC 4180 section 2, rule 6, plus `;` and tab for spreadsheets). */
const NEEDS_QUOTES = /[",;\t\r\n]|^\s|\s$/u;

/** Whether a spreadsheet could read this text as a formula (OWASP CSV injection). */
export function isFormulaLike(text: string): boolean {
  if (FORMULA_START.test(text)) return true;
  const rest = text.replace(LEADING_IGNORABLE, '');
  return rest !== text && FORMULA_START.test(rest);
}

/**
 * One CSV field. null and undefined are an empty field; numbers and booleans are
 * written as they are (they are data, never a formula); a Date is its ISO 8601
 * UTC string; text that could be a formula gets a leading `'` (see the module
 * comment), and any field that needs it is quoted with inner quotes doubled.
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  const neutralised = isFormulaLike(value);
  const text = neutralised ? `'${value}` : value;
  return neutralised || NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record: the fields joined by commas, terminated by CRLF (RFC 4180). */
export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** The CSV header record of the events export. */
export function auditEventCsvHeader(): string {
  return csvRow(AUDIT_EVENT_CSV_COLUMNS);
}

/** One event as a CSV record, in {@link AUDIT_EVENT_CSV_COLUMNS} order; `details` is the stored canonical JSON. */
export function auditEventCsvRow(event: AuditEventExportRow): string {
  return csvRow(AUDIT_EVENT_CSV_COLUMNS.map((column) => event[column]));
}

/**
 * Characters that JSON.stringify leaves raw but that some readers treat as a line
 * break (U+2028, U+2029, NEL U+0085 for Python's splitlines) or that reorder or
 * hide text in a terminal (DEL, C1 controls, bidi and zero-width characters, BOM).
 * JSON.stringify already escapes U+0000–U+001F and lone surrogates.
 */
const JSON_ESCAPED = /[\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/gu;

/**
 * One event as a JSON Lines record: every column (`ts` as ISO 8601, `details` as
 * the object its canonical JSON encodes), then `\n`. The line holds no raw line
 * break of any kind, so every event is exactly one line for any reader, and
 * JSON.parse gives back exactly the stored values.
 */
export function auditEventJsonLine(event: AuditEventExportRow): string {
  const row: Record<string, unknown> = {};
  for (const column of AUDIT_EVENT_CSV_COLUMNS) row[column] = event[column];
  row.ts = event.ts.toISOString();
  row.details = JSON.parse(event.details) as unknown;
  const json = JSON.stringify(row).replace(JSON_ESCAPED, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${json}\n`;
}
