import fs from 'node:fs/promises';
import path from 'node:path';
import { NextResponse } from 'next/server';
import { standaloneVerifierPath } from '@/lib/audit/export';
import { getViewer, mustEnrol } from '@/lib/auth/viewer';
import { log } from '@/lib/log';
import { auditCapability } from '@/lib/authz/audit-access';

export const dynamic = 'force-dynamic';

/**
 * GET /api/audit/verifier: the standalone bundle verifier (tools/warden-verify.mjs)
 * as a download, for viewers the policy lets verify the trail (auditor, superadmin).
 * `?tool=witness` serves the witness tool (tools/warden-witness.mjs) instead, with
 * the same rule. Anyone else gets 404, not 403 (unauthorized means not found). The
 * files are public in the repository; gating them keeps the console's surface to its
 * users, and an auditor should compare their SHA-256 with the repository's copies anyway.
 */
export async function GET(request?: Request) {
  const viewer = await getViewer();
  if (!viewer || mustEnrol(viewer) || !auditCapability(viewer, 'verify').allowed) {
    return new NextResponse('Not found', { status: 404, headers: { 'Cache-Control': 'no-store' } });
  }
  const tool = request ? new URL(request.url).searchParams.get('tool') : null;
  if (tool !== null && tool !== 'witness' && tool !== 'verify') {
    return new NextResponse('Unknown tool: use ?tool=witness or no tool parameter.', {
      status: 400,
      headers: { 'Cache-Control': 'no-store' },
    });
  }
  const witness = tool === 'witness';
  const file = witness ? path.join(path.dirname(standaloneVerifierPath()), 'warden-witness.mjs') : standaloneVerifierPath();
  const name = witness ? 'warden-witness.mjs' : 'warden-verify.mjs';
  let body: Buffer;
  try {
    body = await fs.readFile(file);
  } catch (error) {
    log.error({ err: { name: (error as Error).name, code: (error as NodeJS.ErrnoException).code } }, 'standalone tool file unreadable');
    return new NextResponse(`The tool is unavailable; it is also in the repository as tools/${name}.`, {
      status: 500,
      headers: { 'Cache-Control': 'no-store' },
    });
  }
  return new NextResponse(new Uint8Array(body), {
    headers: {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Content-Disposition': `attachment; filename="${name}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
