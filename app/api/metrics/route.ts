import { createHash, timingSafeEqual } from 'node:crypto';
import { NextResponse, type NextRequest } from 'next/server';
import { getViewer, mustEnrol } from '@/lib/auth/viewer';
import { readSecretSetting } from '@/lib/config/settings';
import { logFor } from '@/lib/log';
import { renderMetrics } from '@/lib/monitoring/metrics';
import { requestContext } from '@/lib/request/context';
import { isSameOriginRequest } from '@/lib/request/origin';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const NO_STORE = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

/** Roles whose console session may read the metrics (besides the scrape token). */
const READER_ROLES: readonly string[] = ['auditor', 'superadmin'];

function text(body: string, status: number, extra: Record<string, string> = {}): NextResponse {
  return new NextResponse(body, { status, headers: { ...NO_STORE, 'Content-Type': 'text/plain; charset=utf-8', ...extra } });
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether `presented` is the configured scrape token (metrics.bearer_token).
 * Compared as SHA-256 digests with timingSafeEqual, so neither the token's
 * content nor its length leaks through timing. No token configured (or one
 * that can no longer be opened) refuses every bearer.
 */
async function bearerMatches(presented: string, correlationId: string): Promise<boolean> {
  let configured: string | null;
  try {
    configured = await readSecretSetting('metrics.bearer_token');
  } catch (error) {
    logFor(correlationId).error({ err: { name: (error as Error).name } }, 'metrics scrape token cannot be read');
    return false;
  }
  if (!configured) return false;
  return timingSafeEqual(sha256(presented), sha256(configured));
}

/** The token of an `Authorization: Bearer <token>` header; '' for any other Authorization; null without one. */
function bearerOf(request: Request): string | null {
  const header = request.headers.get('authorization');
  if (header === null) return null;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : '';
}

/** A console session of an auditor or superadmin (enrolled), refused cross-site like the audit exports. */
async function viewerMayRead(request: Request): Promise<boolean> {
  if (!isSameOriginRequest(request.headers, 'GET')) return false;
  const viewer = await getViewer();
  return !!viewer && !mustEnrol(viewer) && READER_ROLES.includes(viewer.role);
}

/**
 * GET /api/metrics: Prometheus text exposition (format 0.0.4) of Warden's
 * metrics (lib/monitoring/metrics.ts, docs/monitoring.md). Readable with the
 * scrape token (`Authorization: Bearer <metrics.bearer_token>`) or by a signed-in
 * auditor or superadmin. A wrong or unusable bearer gets 401; anyone else 404,
 * as if the endpoint did not exist. Never cached.
 */
export async function GET(request: NextRequest | Request) {
  const { correlationId } = await requestContext();
  const bearer = bearerOf(request);
  const authorized = (bearer !== null && bearer !== '' && (await bearerMatches(bearer, correlationId))) || (await viewerMayRead(request));
  if (!authorized) {
    if (bearer !== null) return text('Unauthorized', 401, { 'WWW-Authenticate': 'Bearer realm="warden-metrics"' });
    return text('Not found', 404);
  }
  try {
    const { body, contentType } = await renderMetrics();
    return new NextResponse(body, { headers: { ...NO_STORE, 'Content-Type': contentType } });
  } catch (error) {
    logFor(correlationId).error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'metrics scrape failed');
    return text(`The metrics could not be read. Correlation id ${correlationId}.`, 500);
  }
}
