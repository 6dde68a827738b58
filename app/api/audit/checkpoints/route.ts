import { NextResponse } from 'next/server';
import { CheckpointListQuerySchema } from '@/lib/validation/witness';
import { consumeWitnessLimit, WITNESS_LIMITS } from '@/lib/dal/witness-limit';
import { listCheckpointsAfter } from '@/lib/dal/witnesses';
import { logFor } from '@/lib/log';
import { requestContext } from '@/lib/request/context';

export const dynamic = 'force-dynamic';

const HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };

/**
 * GET /api/audit/checkpoints?after=<seq>&limit=<n>: the signed checkpoints with
 * seq > after, in order, with every signed member ("warden.checkpoints.v1"; each
 * item is a "warden.checkpoint.v1" stored checkpoint), plus the server's newest
 * checkpoint and whether more follow. This is what an auditor's witness
 * (tools/warden-witness.mjs watch) polls, without a console session, so it is
 * public: a checkpoint holds only a seq, hashes, a time, a key id and a signature,
 * never personal data (as /api/audit/public-keys). Limited per client address.
 */
export async function GET(request: Request) {
  const { ip, correlationId } = await requestContext();
  const limit = await consumeWitnessLimit('checkpoints', ip);
  if (!limit.allowed) {
    if (limit.firstRefusal) logFor(correlationId).warn({ ip, limit: WITNESS_LIMITS.checkpoints.limit }, 'checkpoint list rate limited');
    return NextResponse.json(
      { error: 'Too many requests; try again later.' },
      {
        status: 429,
        headers: { ...HEADERS, 'Retry-After': String(Math.max(1, Math.ceil((limit.resetAt.getTime() - Date.now()) / 1000))) },
      },
    );
  }
  const params = new URL(request.url).searchParams;
  const parsed = CheckpointListQuerySchema.safeParse(Object.fromEntries([...params.entries()]));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'query';
    return NextResponse.json(
      { error: `"${field}" ${issue?.message ?? 'is invalid'}: use ?after=<seq, 0 or more>&limit=<1 to 1000>` },
      { status: 400, headers: HEADERS },
    );
  }
  try {
    return NextResponse.json(await listCheckpointsAfter(parsed.data.after, parsed.data.limit), { headers: HEADERS });
  } catch (error) {
    logFor(correlationId).error({ err: { name: (error as Error).name } }, 'checkpoint list failed');
    return NextResponse.json(
      { error: `The checkpoints could not be read. Correlation id ${correlationId}.` },
      { status: 500, headers: HEADERS },
    );
  }
}
