import 'server-only';
import { now } from '@/lib/clock';
import { db } from '@/lib/db';
import { normalizeIp } from '@/lib/request/ip';

/**
 * The limit on CSP violation reports (POST /api/csp-report, SECURITY.md T39):
 * anyone can send them, without a session, so each client address gets a fixed
 * window in the RateLimit table (shared by every instance). A report over the
 * limit is refused (429) and not logged; the first refusal of a window is
 * logged once by the route, so a flood costs one counter update per request and
 * one log line per minute.
 */
export const CSP_REPORT_LIMIT = { limit: 30, windowMs: 60_000 } as const;

export interface ReportLimitDecision {
  allowed: boolean;
  /** The requests counted in this window, this one included. */
  count: number;
  /** True for the one request that first went over the limit in this window. */
  firstRefusal: boolean;
  /** When the window ends. */
  resetAt: Date;
}

/** The RateLimit key of one client address ("unknown" when no trusted address is known). */
export function cspReportLimitKey(ip: string | null): string {
  return `csp-report:ip:${normalizeIp(ip) ?? 'unknown'}`;
}

/** Counts one report request from `ip` and says whether it is within the limit. */
export function consumeReportLimit(ip: string | null): Promise<ReportLimitDecision> {
  return consumeAddressWindow(cspReportLimitKey(ip), CSP_REPORT_LIMIT);
}

/**
 * Counts one request against the fixed window `key` (a per-address limit of a
 * session-less endpoint: CSP reports, the witness endpoints) and says whether it
 * is within `limit`. The same fixed-window pattern as lib/dal/operation-limits.ts:
 * the row is created once (a concurrent first request's unique violation is
 * harmless), then one transaction restarts a stale window or increments
 * atomically and reads the count, on SQLite and PostgreSQL alike.
 */
export async function consumeAddressWindow(
  key: string,
  { limit, windowMs }: { limit: number; windowMs: number },
): Promise<ReportLimitDecision> {
  const client = await db();
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
