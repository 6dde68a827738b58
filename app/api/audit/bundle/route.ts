import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { NextResponse, type NextRequest } from 'next/server';
import { z } from 'zod';
import { tarDirectory } from '@/lib/audit/tar';
import { getViewer, mustEnrol } from '@/lib/auth/viewer';
import { auditCapability } from '@/lib/authz/audit-access';
import { BundleRangeError, exportAuditBundleFor } from '@/lib/dal/audit-bundle';
import { admitExport } from '@/lib/dal/operation-limits';
import { logFor } from '@/lib/log';
import { requestContext } from '@/lib/request/context';
import { isSameOriginRequest } from '@/lib/request/origin';

export const dynamic = 'force-dynamic';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A range end: a seq (positive integer) or an ISO 8601 date-time, as `npm run audit:export` takes. */
const RangeEndSchema = z
  .string()
  .trim()
  .refine((v) => (/^\d{1,15}$/.test(v) && Number(v) >= 1) || (ISO_TIME.test(v) && !Number.isNaN(Date.parse(v))), {
    message: 'must be an event seq (1 or more) or an ISO date-time such as 2026-11-01T00:00:00Z',
  })
  .transform((v) => (/^\d+$/.test(v) ? Number(v) : new Date(v)));

const BundleQuerySchema = z.object({ from: RangeEndSchema, to: RangeEndSchema });

const NO_STORE = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

function text(body: string, status: number): NextResponse {
  return new NextResponse(body, { status, headers: { ...NO_STORE, 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** The file-name part of a range end: the seq, or the time without characters a file name should not hold. */
function nameOf(raw: string): string {
  return raw.trim().replace(/[^0-9A-Za-z.-]/g, '');
}

/**
 * GET /api/audit/bundle?from=<seq|ISO>&to=<seq|ISO>: an export bundle
 * (docs/audit-chain-format.md, "Export bundle", warden.bundle.v1) as a POSIX tar,
 * for viewers the policy lets verify the whole trail; anyone else, and any cross-site
 * request, gets 404. The download is recorded as `audit.export` with the viewer as
 * actor before a byte is sent; if that cannot be written, nothing is sent.
 */
export async function GET(request: NextRequest | Request) {
  // Cross-site (Sec-Fetch-Site, or a foreign Origin) looks like nothing is here (T32).
  if (!isSameOriginRequest(request.headers, 'GET')) return text('Not found', 404);
  const viewer = await getViewer();
  if (!viewer || mustEnrol(viewer) || !auditCapability(viewer, 'verify').allowed) return text('Not found', 404);

  const params = new URL(request.url).searchParams;
  const parsed = BundleQuerySchema.safeParse({ from: params.get('from') ?? undefined, to: params.get('to') ?? undefined });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'range';
    return text(`"${field}" ${issue?.code === 'invalid_type' ? 'is required' : issue?.message}: give both from and to.`, 400);
  }
  // T48: bundles are limited per person, per address and overall, and only a few exports
  // stream at once (lib/dal/operation-limits.ts, policies/limits.ts); a refusal is audited.
  const admitted = await admitExport(viewer, 'audit.export');
  if (!admitted.ok) {
    return new NextResponse(admitted.message, {
      status: 429,
      headers: { ...NO_STORE, 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': String(admitted.retryAfterSeconds) },
    });
  }
  const { slot } = admitted;
  const { correlationId } = await requestContext();
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'warden-bundle-'));
  const removeDir = () => fs.promises.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  // The slot is held until the tar stream ends, fails or is cancelled by the client.
  const finish = () => void Promise.all([removeDir(), slot.release().catch(() => undefined)]);
  try {
    const result = await exportAuditBundleFor(viewer, { ...parsed.data, outDir: path.join(dir, 'bundle') });
    const tar = tarDirectory(result.dir);
    tar.once('close', finish);
    tar.once('error', finish);
    const filename = `warden-audit-${nameOf(params.get('from') ?? '')}-${nameOf(params.get('to') ?? '')}.tar`;
    return new NextResponse(Readable.toWeb(tar) as ReadableStream<Uint8Array>, {
      headers: {
        ...NO_STORE,
        'Content-Type': 'application/x-tar',
        'Content-Disposition': `attachment; filename="${filename}"`,
      },
    });
  } catch (error) {
    await Promise.all([removeDir(), slot.release().catch(() => undefined)]);
    if (error instanceof BundleRangeError) return text(error.message, 400);
    logFor(correlationId).error({ err: { name: (error as Error).name } }, 'audit bundle download failed');
    return text(`The export bundle could not be made. Quote correlation id ${correlationId} to your operator.`, 500);
  }
}
