import 'server-only';
import { recordDenial } from '@/lib/audit/record';
import { now } from '@/lib/clock';
import { db } from '@/lib/db';

/**
 * Per-person limits on operations that are expensive or wide (SECURITY.md T48):
 * containment that reaches many accounts, and exports. Counted in the RateLimit
 * table (a fixed window per person and operation), so the limit holds across
 * instances; a refused attempt is audited (reasonCode rate_limited) and nothing
 * else happens.
 */
export interface OperationLimit {
  limit: number;
  windowMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The limits, per person. Anything not listed is not limited here (sign-in has its own, lib/auth/throttle.ts). */
export const OPERATION_LIMITS: Record<string, OperationLimit> = {
  'session.revoke_all': { limit: 3, windowMs: 10 * MINUTE },
  'system.lockdown': { limit: 10, windowMs: 10 * MINUTE },
  'role.suspend': { limit: 10, windowMs: 10 * MINUTE },
  'user.revoke_sessions': { limit: 60, windowMs: MINUTE },
  'user.suspend': { limit: 60, windowMs: MINUTE },
  'audit.export_events': { limit: 20, windowMs: HOUR },
  'audit.export': { limit: 10, windowMs: HOUR },
};

export type LimitDecision = { allowed: true } | { allowed: false; retryAt: Date };

/**
 * Counts one attempt of `operation` by `userId` and says whether it is within
 * the limit. One conditional update per attempt: a new window resets the
 * count; otherwise the count grows (an atomic increment). Safe under
 * concurrency on both engines: the row is created first, then only updated.
 */
export async function consumeOperationLimit(userId: string, operation: string): Promise<LimitDecision> {
  const rule = OPERATION_LIMITS[operation];
  if (!rule) return { allowed: true };
  const client = await db();
  const key = `op:${operation}:${userId}`;
  const at = now();
  const windowStart = new Date(at.getTime() - rule.windowMs);
  // The row is created once, outside the counting transaction: two first attempts at
  // once may both try, and the loser's unique violation is harmless.
  if (!(await client.rateLimit.findUnique({ where: { key }, select: { key: true } }))) {
    try {
      await client.rateLimit.create({ data: { key, count: 0, windowStart: at } });
    } catch (error) {
      if ((error as { code?: string }).code !== 'P2002') throw error;
    }
  }
  return client.$transaction(async (tx) => {
    const restarted = await tx.rateLimit.updateMany({
      where: { key, windowStart: { lte: windowStart } },
      data: { count: 1, windowStart: at },
    });
    if (restarted.count === 0) await tx.rateLimit.update({ where: { key }, data: { count: { increment: 1 } } });
    const row = await tx.rateLimit.findUniqueOrThrow({ where: { key }, select: { count: true, windowStart: true } });
    return row.count <= rule.limit ? { allowed: true } : { allowed: false, retryAt: new Date(row.windowStart.getTime() + rule.windowMs) };
  });
}

/** Audits a refused attempt (own transaction): who, which operation, until when. */
export async function auditLimitHit(actor: { id: string; role: string; sessionId: string | null }, operation: string, retryAt: Date) {
  await recordDenial({
    actor,
    operation: operation as Parameters<typeof recordDenial>[0]['operation'],
    reasonCode: 'rate_limited',
    details: { retryAt: retryAt.toISOString(), limit: OPERATION_LIMITS[operation] },
    decision: 'limits.operation',
  });
}
