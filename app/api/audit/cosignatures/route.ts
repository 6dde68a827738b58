import { NextResponse } from 'next/server';
import { CosignatureSchema } from '@/lib/audit/witness-format';
import { consumeWitnessLimit, WITNESS_LIMITS } from '@/lib/dal/witness-limit';
import { acceptCosignature, cosignRefusalStatus } from '@/lib/dal/witnesses';
import { logFor } from '@/lib/log';
import { requestContext } from '@/lib/request/context';
import { readBodyAtMost } from '@/lib/request/body';

export const dynamic = 'force-dynamic';

const HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
/** A cosignature is about 300 bytes. */
const MAX_BYTES = 4096;

/**
 * POST /api/audit/cosignatures: where an auditor's witness (tools/warden-witness.mjs
 * watch) posts its cosignature ("warden.cosignature.v1") of the newest checkpoint.
 * There is no session: the cosignature authenticates itself. It is stored only if
 * it verifies under a registered, unrevoked witness key over the digest stored for
 * its seq, and then audited (`checkpoint.cosign`, actor null). Everything else is
 * refused with a 4xx and nothing stored; a valid signature over another digest is a
 * fork claim (409), recorded as a security event. Limited per client address.
 */
export async function POST(request: Request) {
  const { ip, correlationId } = await requestContext();
  const limit = await consumeWitnessLimit('cosignatures', ip);
  if (!limit.allowed) {
    if (limit.firstRefusal) logFor(correlationId).warn({ ip, limit: WITNESS_LIMITS.cosignatures.limit }, 'cosignature posts rate limited');
    return answer(429, 'rate_limited', 'Too many requests; try again later.', {
      'Retry-After': String(Math.max(1, Math.ceil((limit.resetAt.getTime() - Date.now()) / 1000))),
    });
  }
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return answer(415, 'unsupported_media_type', 'Send the cosignature as application/json.');
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > MAX_BYTES) return answer(413, 'too_large', 'A cosignature is a few hundred bytes.');
  // Content-Length may be absent (chunked) or wrong: stop reading at the limit whatever it said.
  const text = await readBodyAtMost(request, MAX_BYTES);
  if (text === null) return answer(413, 'too_large', 'A cosignature is a few hundred bytes.');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return answer(400, 'malformed', 'The body is not JSON.');
  }
  const parsed = CosignatureSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return answer(
      400,
      'malformed',
      `Not a warden.cosignature.v1 cosignature: ${issue?.path.join('.') || 'body'} ${issue?.message ?? 'is invalid'}.`,
    );
  }
  try {
    const outcome = await acceptCosignature(parsed.data, { via: 'api' });
    if (outcome.status === 'accepted')
      return answer(
        201,
        'accepted',
        `Cosignature of checkpoint seq ${outcome.seq} by witness ${outcome.witnessKeyId} verified and recorded.`,
      );
    if (outcome.status === 'duplicate')
      return answer(
        200,
        'duplicate',
        `Witness ${outcome.witnessKeyId} had already cosigned checkpoint seq ${outcome.seq}; nothing changed.`,
      );
    if (outcome.reason === 'fork_claim')
      logFor(correlationId).error({ witnessKeyId: parsed.data.witnessKeyId, seq: parsed.data.seq }, 'witness fork claim');
    return answer(cosignRefusalStatus(outcome.reason), outcome.reason, outcome.message);
  } catch (error) {
    logFor(correlationId).error({ err: { name: (error as Error).name } }, 'cosignature failed');
    return answer(500, 'internal', `The cosignature could not be recorded. Correlation id ${correlationId}.`);
  }
}

function answer(status: number, code: string, message: string, headers: Record<string, string> = {}) {
  return NextResponse.json({ status: code, message }, { status, headers: { ...HEADERS, ...headers } });
}
