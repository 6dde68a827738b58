import { z } from 'zod';

/**
 * CSP violation reports as browsers send them to POST /api/csp-report, in both
 * formats (SECURITY.md T39):
 * - `application/csp-report` (the report-uri directive): `{ "csp-report": { "document-uri", "violated-directive", … } }`;
 * - `application/reports+json` (report-to + Reporting-Endpoints): an array of
 *   `{ type: "csp-violation", url, body: { documentURL, effectiveDirective, blockedURL, … } }`.
 *
 * Everything is untrusted input from anyone: only the fields we log are read,
 * each bounded, and reduced to what an operator needs (directive, the blocked
 * resource's origin or keyword, the document's path) — never a query string,
 * a script sample or the full policy.
 */

/** One violation, reduced to what is logged. */
export interface CspViolation {
  /** The directive that was violated, e.g. "script-src-elem" ("unknown" if unreadable). */
  directive: string;
  /** The blocked resource: its origin, or a keyword such as "inline", "eval", "data", "blob". */
  blocked: string;
  /** The path of the page where it happened (no query, no fragment). */
  documentPath: string;
  /** The path of the script that caused it, when given (same reduction). */
  sourceFile?: string;
  line?: number;
  column?: number;
  disposition?: 'enforce' | 'report';
}

/** The body size the endpoint accepts (bytes). */
export const CSP_REPORT_MAX_BYTES = 16 * 1024;

const text = z.string().max(4096);
const position = z.number().int().min(0).max(10_000_000);

const LegacyReportSchema = z.object({
  'csp-report': z.object({
    'document-uri': text,
    'violated-directive': text.nullish(),
    'effective-directive': text.nullish(),
    'blocked-uri': text.nullish(),
    'source-file': text.nullish(),
    'line-number': position.nullish(),
    'column-number': position.nullish(),
    disposition: z.enum(['enforce', 'report']).nullish(),
  }),
});

const ReportingApiSchema = z
  .array(
    z.object({
      type: z.literal('csp-violation'),
      url: text.nullish(),
      body: z.object({
        documentURL: text,
        effectiveDirective: text.nullish(),
        blockedURL: text.nullish(),
        sourceFile: text.nullish(),
        lineNumber: position.nullish(),
        columnNumber: position.nullish(),
        disposition: z.enum(['enforce', 'report']).nullish(),
      }),
    }),
  )
  .min(1)
  .max(20);

export const CSP_REPORT_CONTENT_TYPES = ['application/csp-report', 'application/reports+json'] as const;
export type CspReportContentType = (typeof CSP_REPORT_CONTENT_TYPES)[number];

/** The media type of a Content-Type header if it is one the endpoint takes (parameters ignored), else null. */
export function cspReportContentType(header: string | null): CspReportContentType | null {
  const media = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return (CSP_REPORT_CONTENT_TYPES as readonly string[]).includes(media) ? (media as CspReportContentType) : null;
}

/** Parses a report body of the given type into violations, or null if it is not a valid report. */
export function parseCspReport(type: CspReportContentType, body: string): CspViolation[] | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  if (type === 'application/csp-report') {
    const parsed = LegacyReportSchema.safeParse(json);
    if (!parsed.success) return null;
    const r = parsed.data['csp-report'];
    return [
      violation({
        directive: r['effective-directive'] ?? r['violated-directive'],
        blocked: r['blocked-uri'],
        document: r['document-uri'],
        sourceFile: r['source-file'],
        line: r['line-number'],
        column: r['column-number'],
        disposition: r.disposition,
      }),
    ];
  }
  const parsed = ReportingApiSchema.safeParse(json);
  if (!parsed.success) return null;
  return parsed.data.map(({ body: b }) =>
    violation({
      directive: b.effectiveDirective,
      blocked: b.blockedURL,
      document: b.documentURL,
      sourceFile: b.sourceFile,
      line: b.lineNumber,
      column: b.columnNumber,
      disposition: b.disposition,
    }),
  );
}

function violation(r: {
  directive?: string | null;
  blocked?: string | null;
  document: string;
  sourceFile?: string | null;
  line?: number | null;
  column?: number | null;
  disposition?: 'enforce' | 'report' | null;
}): CspViolation {
  const out: CspViolation = {
    directive: directiveName(r.directive),
    blocked: blockedSource(r.blocked),
    documentPath: pathOf(r.document) ?? 'unknown',
  };
  const source = r.sourceFile ? sourceOf(r.sourceFile) : undefined;
  if (source) out.sourceFile = source;
  if (typeof r.line === 'number') out.line = r.line;
  if (typeof r.column === 'number') out.column = r.column;
  if (r.disposition) out.disposition = r.disposition;
  return out;
}

/** "script-src-elem", or the first word of a CSP2 violated-directive ("script-src 'self' …"). */
function directiveName(value: string | null | undefined): string {
  const name = (value ?? '').trim().split(/\s+/)[0]!.toLowerCase();
  return /^[a-z][a-z-]{0,39}$/.test(name) ? name : 'unknown';
}

/** Keywords browsers use for what is not a URL. */
const BLOCKED_KEYWORDS = new Set(['inline', 'eval', 'wasm-eval', 'self', 'data', 'blob', 'trusted-types-policy', 'trusted-types-sink']);

/** The origin of a blocked URL, or its keyword (data:, blob:, inline, eval…); never a path or query. */
function blockedSource(value: string | null | undefined): string {
  const v = (value ?? '').trim();
  if (v === '') return 'none';
  const keyword = v.toLowerCase().replace(/:$/, '');
  if (BLOCKED_KEYWORDS.has(keyword)) return keyword;
  try {
    const url = new URL(v);
    if (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'ws:' || url.protocol === 'wss:') return url.origin;
    return url.protocol.replace(/:$/, '').slice(0, 20);
  } catch {
    return 'other';
  }
}

/** The path of an http(s) URL (no query or fragment), bounded. */
function pathOf(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.pathname.slice(0, 512);
  } catch {
    return null;
  }
}

/** A script URL as origin + path (no query), or a keyword for the rest. */
function sourceOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return url.protocol.replace(/:$/, '').slice(0, 20);
    return `${url.origin}${url.pathname}`.slice(0, 512);
  } catch {
    return undefined;
  }
}
