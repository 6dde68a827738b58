import { NextResponse } from 'next/server';
import { checkHealth } from '@/lib/dal/health';
import { POLICY_VERSION } from '@/lib/policy-version';

export const dynamic = 'force-dynamic';

/** Liveness and readiness: 200 when the database answers and every migration is applied, else 503. */
export async function GET() {
  const health = await checkHealth();
  const ok = health.database === 'ok' && health.migrations === 'up_to_date';
  return NextResponse.json(
    { status: ok ? 'ok' : 'unavailable', ...health, policyVersion: POLICY_VERSION },
    { status: ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } },
  );
}
