import { NextResponse } from 'next/server';
import { z } from 'zod';
import { now, setClockOffsetMs } from '@/lib/clock';
import { testHooksEnabled } from '@/lib/env';
import { isSameOriginRequest } from '@/lib/request/origin';

export const dynamic = 'force-dynamic';

/**
 * Test hook for the e2e suite: moves the server clock (SECURITY.md harness
 * notes). It answers 404 unless the build was made with WARDEN_E2E_BUILD=1 and
 * the server runs with WARDEN_TEST_HOOKS=1; a normal production build has it off.
 */
const BodySchema = z.strictObject({
  offsetMs: z
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 3600 * 1000),
});

export async function POST(request: Request) {
  if (!testHooksEnabled()) return new NextResponse('Not found', { status: 404 });
  // State-changing: a browser request from another site is refused (T32); the e2e runner sends none of those headers.
  if (!isSameOriginRequest(request.headers, 'POST')) return NextResponse.json({ error: 'cross-site request refused' }, { status: 403 });
  const parsed = BodySchema.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return NextResponse.json({ error: 'offsetMs must be a non-negative integer' }, { status: 400 });
  setClockOffsetMs(parsed.data.offsetMs);
  return NextResponse.json({ now: now().toISOString() });
}

export async function GET() {
  if (!testHooksEnabled()) return new NextResponse('Not found', { status: 404 });
  return NextResponse.json({ now: now().toISOString() });
}
