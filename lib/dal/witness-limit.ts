import 'server-only';
import { now } from '@/lib/clock';
import { db } from '@/lib/db';
import { normalizeIp } from '@/lib/request/ip';

/**
 * Limits on the two session-less witness endpoints (docs/audit-chain-format.md,
 * "Witness cosignatures"): GET /api/audit/checkpoints (what a witness polls) and
 * POST /api/audit/cosignatures (where it posts). Anyone can call them, so each
 * client address gets a fixed window in the RateLimit table (shared by every
 * instance), the same pattern as lib/dal/report-limit.ts. A witness polling every
 * few minutes stays far below them.
 */
export const WITNESS_LIMITS = {
  checkpoints: { limit: 120, windowMs: 10 * 60_000 },
  cosignatures: { limit: 60, windowMs: 10 * 60_000 },
} as const;

export type WitnessLimitKind = keyof typeof WITNESS_LIMITS;

export interface WitnessLimitDecision {
  allowed: boolean;
  count: number;
  /** True for the one request that first went over the limit in this window. */
  firstRefusal: boolean;
  resetAt: Date;
}

/** The RateLimit key of one client address ("unknown" when no trusted address is known). */
export function witnessLimitKey(kind: WitnessLimitKind, ip: string | null): string {
  return `witness-${kind}:ip:${normalizeIp(ip) ?? 'unknown'}`;
}

/** Counts one request from `ip` and says whether it is within the limit (fixed window, atomic increment). */
export async function consumeWitnessLimit(kind: WitnessLimitKind, ip: string | null): Promise<WitnessLimitDecision> {
  const { limit, windowMs } = WITNESS_LIMITS[kind];
  const client = await db();
  const key = witnessLimitKey(kind, ip);
  const at = now();
  if (!(await client.rateLimit.findUnique({ where: { key }, select: { key: true } }))) {
    try {
      await client.rateLimit.create({ data: { key, count: 0, windowStart: at } });
    } catch (error) {
      if ((error as { code?: string }).code !== 'P2002') throw error;
    }
  }
  const row = await client.$transaction(async (tx) => {
    const restarted = await tx.rateLimit.updateMany({
      where: { key, windowStart: { lte: new Date(at.getTime() - windowMs) } },
      data: { count: 1, windowStart: at },
    });
    if (restarted.count === 0) await tx.rateLimit.update({ where: { key }, data: { count: { increment: 1 } } });
    return tx.rateLimit.findUniqueOrThrow({ where: { key }, select: { count: true, windowStart: true } });
  });
  return {
    allowed: row.count <= limit,
    count: row.count,
    firstRefusal: row.count === limit + 1,
    resetAt: new Date(row.windowStart.getTime() + windowMs),
  };
}
