import 'server-only';
import { now } from '@/lib/clock';
import { db } from '@/lib/db';
import { normalizeIp } from '@/lib/request/ip';
import { ipLimitSubject } from '@/policies/limits';

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

/**
 * The bucket of one client address for the per-address windows: an IPv4 address
 * as it is; an IPv6 address by its /64 ("2001:db8:1:2::/64"), because a /64 is one
 * subscriber (one LAN, one phone) who can pick any of its 2^64 addresses, so a
 * window per address would be a window per request; "unknown" when no trusted
 * address is known. Idempotent: a bucket maps to itself.
 */
export function addressBucket(ip: string | null | undefined): string {
  if (ip && /^[0-9a-f:]+::\/64$/i.test(ip.trim())) return ip.trim().toLowerCase();
  const normalized = normalizeIp(ip);
  if (!normalized) return 'unknown';
  // The same subject the operation limits count (policies/limits.ts).
  return ipLimitSubject(normalized) ?? normalized;
}

/** The RateLimit key of one client address bucket (see addressBucket). */
export function cspReportLimitKey(ip: string | null): string {
  return `csp-report:ip:${addressBucket(ip)}`;
}

/** Counts one report request from `ip` and says whether it is within the limit. */
export function consumeReportLimit(ip: string | null): Promise<ReportLimitDecision> {
  return consumeAddressWindow(cspReportLimitKey(ip), CSP_REPORT_LIMIT);
}

/**
 * A per-address key "<scope>:ip:<address>" with its address replaced by the
 * address's bucket (IPv6 by /64); any other key as it is.
 */
export function addressWindowKey(key: string): string {
  const at = key.indexOf(':ip:');
  if (at < 0) return key;
  return `${key.slice(0, at)}:ip:${addressBucket(key.slice(at + 4))}`;
}

/**
 * Counts one request against the fixed window `key` (a per-address limit of a
 * session-less endpoint: CSP reports, the witness endpoints) and says whether it
 * is within `limit`. A key "<scope>:ip:<address>" counts for the address's bucket
 * (addressWindowKey: an IPv6 address by its /64), whoever built the key. The same fixed-window pattern as lib/dal/operation-limits.ts:
 * the row is created once (a concurrent first request's unique violation is
 * harmless), then one transaction restarts a stale window or increments
 * atomically and reads the count, on SQLite and PostgreSQL alike.
 */
export async function consumeAddressWindow(
  key: string,
  { limit, windowMs }: { limit: number; windowMs: number },
): Promise<ReportLimitDecision> {
  const bucket = addressWindowKey(key);
  const client = await db();
  const at = now();
  if (!(await client.rateLimit.findUnique({ where: { key: bucket }, select: { key: true } }))) {
    try {
      await client.rateLimit.create({ data: { key: bucket, count: 0, windowStart: at } });
    } catch (error) {
      if ((error as { code?: string }).code !== 'P2002') throw error;
    }
  }
  const row = await client.$transaction(async (tx) => {
    const restarted = await tx.rateLimit.updateMany({
      where: { key: bucket, windowStart: { lte: new Date(at.getTime() - windowMs) } },
      data: { count: 1, windowStart: at },
    });
    if (restarted.count === 0) await tx.rateLimit.update({ where: { key: bucket }, data: { count: { increment: 1 } } });
    return tx.rateLimit.findUniqueOrThrow({ where: { key: bucket }, select: { count: true, windowStart: true } });
  });
  return {
    allowed: row.count <= limit,
    count: row.count,
    firstRefusal: row.count === limit + 1,
    resetAt: new Date(row.windowStart.getTime() + windowMs),
  };
}
