import { NextResponse, type NextRequest } from 'next/server';
import { z } from 'zod';
import { getViewer, mustEnrol } from '@/lib/auth/viewer';
import { auditCapability } from '@/lib/authz/audit-access';
import { ActionError } from '@/lib/authz/result';
import { AUDIT_EXPORT_FORMATS, startAuditEventsExport, type AuditEventsExport } from '@/lib/dal/audit-export-events';
import { admitExport, type ExportSlot } from '@/lib/dal/operation-limits';
import { logFor } from '@/lib/log';
import { requestContext } from '@/lib/request/context';
import { isSameOriginRequest } from '@/lib/request/origin';
import { parseAuditFilter } from '@/lib/validation/audit-filter';
import { firstValues } from '@/lib/validation/lists';

export const dynamic = 'force-dynamic';

const FormatSchema = z.enum(AUDIT_EXPORT_FORMATS, { error: '"format" must be csv or jsonl' });

const NO_STORE = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

function text(body: string, status: number): NextResponse {
  return new NextResponse(body, { status, headers: { ...NO_STORE, 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** Search params as first values (a repeated key counts once, as on the audit pages). */
function paramsOf(url: string): Record<string, string> {
  const params = new URL(url).searchParams;
  return firstValues(Object.fromEntries([...new Set(params.keys())].map((key) => [key, params.getAll(key)])));
}

/**
 * The export's body as a pull-based stream: a chunk is read from the database
 * only when the client has taken the previous one (backpressure), and a client
 * that disconnects cancels the walk. A failure mid-stream is logged with the
 * correlation id and errors the stream, so the client sees a broken download,
 * never a silently short file.
 */
function bodyOf(
  started: AuditEventsExport,
  first: string | undefined,
  correlationId: string,
  slot: ExportSlot,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let pending = first;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pending !== undefined) {
        controller.enqueue(encoder.encode(pending));
        pending = undefined;
        return;
      }
      try {
        const next = await started.chunks.next();
        if (next.done) {
          controller.close();
          await slot.release().catch(() => undefined);
        } else controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        await slot.release().catch(() => undefined);
        logFor(correlationId).error(
          { err: { name: (error as Error).name }, headSeq: started.headSeq, rows: started.rows() },
          'audit events export failed mid-stream',
        );
        controller.error(new Error('the audit events export failed'));
      }
    },
    async cancel() {
      await slot.release().catch(() => undefined);
      await started.chunks.return(undefined);
    },
  });
}

/**
 * GET /api/audit/events/export?format=csv|jsonl&<audit filter>: the events the
 * filter matches, as far as the viewer may read them, oldest first, up to the
 * head when the request came in (SECURITY.md T38: formula cells neutralised,
 * RFC 4180 quoting, an ASCII file name with no user input, no-store). Anyone
 * without the export capability, and any cross-site request, gets 404. The
 * export is recorded as `audit.export_events` before a byte is sent; if that
 * cannot be written, nothing is sent.
 */
export async function GET(request: NextRequest | Request) {
  // Cross-site (Sec-Fetch-Site, or a foreign Origin) looks like nothing is here (T32).
  if (!isSameOriginRequest(request.headers, 'GET')) return text('Not found', 404);
  const viewer = await getViewer();
  if (!viewer || mustEnrol(viewer) || !auditCapability(viewer, 'export').allowed) return text('Not found', 404);

  const params = paramsOf(request.url);
  const format = FormatSchema.safeParse(params.format);
  if (!format.success) return text(`${format.error.issues[0]?.message ?? '"format" must be csv or jsonl'}.`, 400);
  const filter = parseAuditFilter(params);
  // T48: exports are limited per person, per address and overall, and only a few stream
  // at once (lib/dal/operation-limits.ts, policies/limits.ts); a refusal is audited.
  const admitted = await admitExport(viewer, 'audit.export_events');
  if (!admitted.ok) {
    return new NextResponse(admitted.message, {
      status: 429,
      headers: { ...NO_STORE, 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': String(admitted.retryAfterSeconds) },
    });
  }
  const { slot } = admitted;

  const { correlationId } = await requestContext();
  let started: AuditEventsExport | undefined;
  try {
    started = await startAuditEventsExport(viewer, filter, format.data);
    // The first chunk is read here, so a database that fails at once gets an error
    // page instead of a download that breaks after its headers.
    const first = await started.chunks.next();
    return new NextResponse(bodyOf(started, first.done ? undefined : first.value, correlationId, slot), {
      headers: {
        ...NO_STORE,
        'Content-Type': started.contentType,
        'Content-Disposition': `attachment; filename="${started.filename}"`,
      },
    });
  } catch (error) {
    await slot.release().catch(() => undefined);
    await started?.chunks.return(undefined);
    if (error instanceof ActionError && error.code === 'NOT_FOUND') return text('Not found', 404);
    logFor(correlationId).error({ err: { name: (error as Error).name } }, 'audit events export failed');
    return text(`The export could not be made. Quote correlation id ${correlationId} to your operator.`, 500);
  }
}
