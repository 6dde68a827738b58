import 'server-only';
import { consumeAddressWindow, type ReportLimitDecision } from '@/lib/dal/report-limit';
import { normalizeIp } from '@/lib/request/ip';

/**
 * Limits on the two session-less witness endpoints (docs/audit-chain-format.md,
 * "Witness cosignatures"): GET /api/audit/checkpoints (what a witness polls) and
 * POST /api/audit/cosignatures (where it posts). Anyone can call them, so each
 * client address gets a fixed window in the RateLimit table (shared by every
 * instance), counted by lib/dal/report-limit.ts. A witness polling every
 * few minutes stays far below them.
 */
export const WITNESS_LIMITS = {
  checkpoints: { limit: 120, windowMs: 10 * 60_000 },
  cosignatures: { limit: 60, windowMs: 10 * 60_000 },
} as const;

export type WitnessLimitKind = keyof typeof WITNESS_LIMITS;

export type WitnessLimitDecision = ReportLimitDecision;

/** The RateLimit key of one client address ("unknown" when no trusted address is known). */
export function witnessLimitKey(kind: WitnessLimitKind, ip: string | null): string {
  return `witness-${kind}:ip:${normalizeIp(ip) ?? 'unknown'}`;
}

/** Counts one request from `ip` and says whether it is within the limit (fixed window, atomic increment). */
export function consumeWitnessLimit(kind: WitnessLimitKind, ip: string | null): Promise<WitnessLimitDecision> {
  return consumeAddressWindow(witnessLimitKey(kind, ip), WITNESS_LIMITS[kind]);
}
