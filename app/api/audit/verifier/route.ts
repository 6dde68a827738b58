import fs from 'node:fs/promises';
import { NextResponse } from 'next/server';
import { standaloneVerifierPath } from '@/lib/audit/export';
import { getViewer, mustEnrol } from '@/lib/auth/viewer';
import { log } from '@/lib/log';
import { auditCapability } from '@/lib/authz/audit-access';

export const dynamic = 'force-dynamic';

/**
 * GET /api/audit/verifier: the standalone bundle verifier (tools/warden-verify.mjs)
 * as a download, for viewers the policy lets verify the trail (auditor, superadmin).
 * Anyone else gets 404, not 403 (unauthorized means not found). The file is public
 * in the repository; gating it keeps the console's surface to its users, and an
 * auditor should compare its SHA-256 with the repository's copy anyway.
 */
export async function GET() {
  const viewer = await getViewer();
  if (!viewer || mustEnrol(viewer) || !auditCapability(viewer, 'verify').allowed) {
    return new NextResponse('Not found', { status: 404, headers: { 'Cache-Control': 'no-store' } });
  }
  let body: Buffer;
  try {
    body = await fs.readFile(standaloneVerifierPath());
  } catch (error) {
    log.error({ err: { name: (error as Error).name, code: (error as NodeJS.ErrnoException).code } }, 'standalone verifier file unreadable');
    return new NextResponse('The verifier is unavailable; it is also in the repository as tools/warden-verify.mjs.', {
      status: 500,
      headers: { 'Cache-Control': 'no-store' },
    });
  }
  return new NextResponse(new Uint8Array(body), {
    headers: {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Content-Disposition': 'attachment; filename="warden-verify.mjs"',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
