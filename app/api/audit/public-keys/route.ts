import { NextResponse } from 'next/server';
import { readPublicKeysIfAny } from '@/lib/audit/signing-keys';
import { log } from '@/lib/log';

export const dynamic = 'force-dynamic';

/**
 * The published audit checkpoint public keys ("warden.public-keys.v1",
 * docs/audit-chain-format.md "Keys"). Public: they verify signatures and reveal
 * nothing. Auditors should still pin a copy received out of band.
 */
export async function GET() {
  const headers = { 'Cache-Control': 'no-store' };
  try {
    const keys = readPublicKeysIfAny();
    if (!keys) return NextResponse.json({ error: 'no audit public keys are published' }, { status: 404, headers });
    return NextResponse.json(keys, { headers });
  } catch (error) {
    log.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'audit public keys unreadable');
    return NextResponse.json({ error: 'the audit public keys are unavailable' }, { status: 500, headers });
  }
}
