import { NextResponse } from 'next/server';
import { consumeReportLimit, CSP_REPORT_LIMIT } from '@/lib/dal/report-limit';
import { logFor } from '@/lib/log';
import { requestContext } from '@/lib/request/context';
import { CSP_REPORT_MAX_BYTES, cspReportContentType, parseCspReport } from '@/lib/validation/csp-report';
import { readBodyAtMost } from '@/lib/request/body';

export const dynamic = 'force-dynamic';

/**
 * POST /api/csp-report: where browsers send Content-Security-Policy violation
 * reports (report-uri and report-to in the policy of proxy.ts; SECURITY.md T39).
 *
 * Browsers send these on their own, without our session or any of our checks,
 * so the endpoint needs no session and changes nothing but one counter: each
 * accepted report becomes one structured log line (level warn, "csp violation",
 * with the directive, the blocked origin or keyword and the document's path,
 * never a query string), and each client address may send
 * CSP_REPORT_LIMIT.limit requests per window (429 after that, logged once per
 * window). Bodies over 16 KB are refused (413), anything that is not a report 400.
 */
export async function POST(request: Request): Promise<NextResponse> {
  const type = cspReportContentType(request.headers.get('content-type'));
  if (!type) return answer(415);
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > CSP_REPORT_MAX_BYTES) return answer(413);

  const { ip, correlationId } = await requestContext();
  const log = logFor(correlationId);
  const limit = await consumeReportLimit(ip);
  if (!limit.allowed) {
    if (limit.firstRefusal) {
      log.warn(
        { ip, limit: CSP_REPORT_LIMIT.limit, windowMs: CSP_REPORT_LIMIT.windowMs, until: limit.resetAt.toISOString() },
        'csp reports rate limited',
      );
    }
    return answer(429, { 'Retry-After': String(Math.max(1, Math.ceil((limit.resetAt.getTime() - Date.now()) / 1000))) });
  }

  const body = await readBodyAtMost(request, CSP_REPORT_MAX_BYTES);
  if (body === null) return answer(413);
  const violations = parseCspReport(type, body);
  if (!violations) return answer(400);
  for (const violation of violations) log.warn({ csp: violation }, 'csp violation');
  return answer(204);
}

function answer(status: number, headers: Record<string, string> = {}): NextResponse {
  return new NextResponse(null, { status, headers: { 'Cache-Control': 'no-store', ...headers } });
}
