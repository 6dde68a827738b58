import 'server-only';
import { randomUUID } from 'node:crypto';
import { recordDenial, type AuditActor } from '@/lib/audit/record';
import { now } from '@/lib/clock';
import { db, type Tx } from '@/lib/db';
import { requestContext } from '@/lib/request/context';
import {
  EXPORT_CONCURRENCY,
  limitChecks,
  limitMessage,
  OPERATION_LIMITS,
  retryAfterSeconds,
  windowDecision,
  type LimitScope,
} from '@/policies/limits';

/**
 * Rate limits on expensive, wide or sensitive operations (SECURITY.md T48): per
 * person, per client address and global, as data in policies/limits.ts. Counted
 * in the RateLimit table (fixed windows), so a limit holds across instances; a
 * refused attempt is audited (reasonCode rate_limited, details: limit, scope,
 * retryAt) and nothing else happens. Exports also take one of a few slots
 * (MonitorState rows `export-slot-<n>`, leased like the monitor jobs), so only
 * that many stream at the same time across instances.
 */

export { OPERATION_LIMITS };

/** A refused attempt: which counter refused it and until when. */
export interface LimitRefusal {
  allowed: false;
  scope: LimitScope;
  limit: number;
  windowMs: number;
  retryAt: Date;
}

export type LimitDecision = { allowed: true; counted: string[] } | LimitRefusal;

/** The trusted client address of the current request, or null outside a request. */
async function currentIp(): Promise<string | null> {
  try {
    return (await requestContext()).ip;
  } catch {
    return null;
  }
}

/**
 * Counts one attempt of `operation` by `userId` (null: anonymous) from `ip`
 * (default: the current request's client address) against every counter that
 * applies, and says whether it is within them all. Counted in order person →
 * address → everyone, in one transaction; the first counter that is over refuses
 * the attempt, and the counters before it are given back, so a person already
 * over their own limit does not use up the address's or everyone's budget.
 * Each count is an atomic increment, safe under concurrency on both engines.
 */
export async function consumeOperationLimit(
  userId: string | null,
  operation: string,
  opts: { ip?: string | null } = {},
): Promise<LimitDecision> {
  // db() first, before any other await: which client this call uses is fixed at the call.
  const clientPromise = db();
  const ip = opts.ip === undefined ? await currentIp() : opts.ip;
  const checks = limitChecks(operation, { userId, ip });
  const client = await clientPromise;
  if (checks.length === 0) return { allowed: true, counted: [] };
  const at = now();
  return client.$transaction(async (tx) => {
    const counted: string[] = [];
    for (const check of checks) {
      const row = await countAttempt(tx, check.key, check.rule.windowMs, at);
      const decision = windowDecision(row, check.rule);
      if (!decision.allowed) {
        for (const key of counted) await tx.rateLimit.updateMany({ where: { key, count: { gt: 0 } }, data: { count: { decrement: 1 } } });
        return { allowed: false, scope: check.scope, limit: check.rule.limit, windowMs: check.rule.windowMs, retryAt: decision.retryAt };
      }
      counted.push(check.key);
    }
    return { allowed: true, counted };
  });
}

/** Gives back an allowed attempt that did not happen after all (e.g. no export slot was free). */
export async function refundOperationLimit(decision: LimitDecision): Promise<void> {
  if (!decision.allowed || decision.counted.length === 0) return;
  const client = await db();
  await client.$transaction(async (tx) => {
    for (const key of decision.counted)
      await tx.rateLimit.updateMany({ where: { key, count: { gt: 0 } }, data: { count: { decrement: 1 } } });
  });
}

/**
 * One attempt on a fixed-window counter: the row is created if missing (an upsert
 * whose no-op update makes it one INSERT … ON CONFLICT on PostgreSQL), a window
 * that has ended starts over (only if still stale), then the count grows atomically.
 */
/** How far ahead of this clock a window may start and still count as the current one. */
export const CLOCK_SKEW_MS = 60_000;

async function countAttempt(tx: Tx, key: string, windowMs: number, at: Date) {
  await tx.rateLimit.upsert({ where: { key }, create: { key, count: 0, windowStart: at }, update: { count: { increment: 0 } } });
  await tx.rateLimit.updateMany({
    // A window that started well "in the future" (the clock was set back) starts over
    // too. Only beyond CLOCK_SKEW_MS: a concurrent attempt (or another instance) that
    // read its clock a moment later may have created the row, and that is the same window.
    where: {
      key,
      OR: [{ windowStart: { lte: new Date(at.getTime() - windowMs) } }, { windowStart: { gt: new Date(at.getTime() + CLOCK_SKEW_MS) } }],
    },
    data: { count: 0, windowStart: at },
  });
  return tx.rateLimit.update({ where: { key }, data: { count: { increment: 1 } }, select: { count: true, windowStart: true } });
}

/** What a refusal says to the person, with when to retry. */
export function limitRefusalMessage(refusal: LimitRefusal): string {
  return limitMessage(refusal, now());
}

/** Seconds until the refusal ends, for a Retry-After header. */
export function limitRetryAfter(refusal: { retryAt: Date }): number {
  return retryAfterSeconds(refusal.retryAt, now());
}

/**
 * Audits a refused attempt (own transaction): who (null: anonymous), which
 * operation, which limit and scope, until when. `auditOperation` names the
 * audit operation when the limit id is not one (the passkey sign-in start is
 * audited as auth.sign_in).
 */
export async function auditLimitHit(
  actor: AuditActor | null,
  operation: string,
  refusal: Pick<LimitRefusal, 'scope' | 'limit' | 'windowMs' | 'retryAt'> & { concurrency?: boolean },
  auditOperation: string = operation,
): Promise<void> {
  await recordDenial({
    actor,
    operation: auditOperation as Parameters<typeof recordDenial>[0]['operation'],
    reasonCode: 'rate_limited',
    details: {
      limit: refusal.limit,
      scope: refusal.scope,
      windowMs: refusal.windowMs,
      retryAt: refusal.retryAt.toISOString(),
      ...(operation !== auditOperation ? { limitId: operation } : {}),
      ...(refusal.concurrency ? { concurrency: true } : {}),
    },
    decision: 'limits.operation',
  });
}

/**
 * What defineAction does before any other check of a signed-in call: count the
 * attempt and, if it is over a limit, audit the refusal. Returns the refusal
 * (with the message for the person) or null.
 */
export async function enforceOperationLimit(
  viewer: { userId: string; role: string; sessionId: string | null },
  operation: string,
): Promise<(LimitRefusal & { message: string }) | null> {
  const decision = await consumeOperationLimit(viewer.userId, operation);
  if (decision.allowed) return null;
  await auditLimitHit({ id: viewer.userId, role: viewer.role, sessionId: viewer.sessionId }, operation, decision);
  return { ...decision, message: limitRefusalMessage(decision) };
}

// ---------------------------------------------------------------------------
// Export slots: bounded concurrency across instances.

const SLOT_PREFIX = 'export-slot-';

/** The MonitorState ids of the export slots. */
export function exportSlotIds(): string[] {
  return Array.from({ length: EXPORT_CONCURRENCY.slots }, (_, i) => `${SLOT_PREFIX}${i}`);
}

/** A held export slot. `release` is idempotent; the lease is renewed until then (for at most maxHoldMs). */
export interface ExportSlot {
  id: string;
  owner: string;
  release(): Promise<void>;
}

async function ensureSlotRows(): Promise<void> {
  const client = await db();
  const ids = exportSlotIds();
  const existing = new Set((await client.monitorState.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((r) => r.id));
  for (const id of ids) {
    if (existing.has(id)) continue;
    try {
      await client.monitorState.create({ data: { id, updatedAt: now() } });
    } catch (error) {
      if ((error as { code?: string }).code !== 'P2002') throw error;
    }
  }
}

/** One pass over the slots: takes a free (or expired) one, or returns null. */
export async function tryAcquireExportSlot(): Promise<ExportSlot | null> {
  await ensureSlotRows();
  const client = await db();
  const owner = randomUUID();
  const ids = exportSlotIds().sort(() => Math.random() - 0.5);
  for (const id of ids) {
    const at = now();
    const taken = await client.monitorState.updateMany({
      where: { id, OR: [{ leaseUntil: null }, { leaseUntil: { lte: at } }] },
      data: { leaseUntil: new Date(at.getTime() + EXPORT_CONCURRENCY.leaseMs), leaseOwner: owner, updatedAt: at },
    });
    if (taken.count === 1) return heldSlot(id, owner);
  }
  return null;
}

function heldSlot(id: string, owner: string): ExportSlot {
  const acquiredAt = Date.now();
  let released = false;
  const renew = setInterval(() => {
    if (released) return;
    if (Date.now() - acquiredAt >= EXPORT_CONCURRENCY.maxHoldMs) {
      clearInterval(renew);
      return;
    }
    void (async () => {
      const client = await db();
      const at = now();
      await client.monitorState.updateMany({
        where: { id, leaseOwner: owner },
        data: { leaseUntil: new Date(at.getTime() + EXPORT_CONCURRENCY.leaseMs), updatedAt: at },
      });
    })().catch(() => undefined);
  }, EXPORT_CONCURRENCY.renewEveryMs);
  renew.unref?.();
  return {
    id,
    owner,
    async release() {
      if (released) return;
      released = true;
      clearInterval(renew);
      const client = await db();
      await client.monitorState.updateMany({
        where: { id, leaseOwner: owner },
        data: { leaseUntil: null, leaseOwner: null, updatedAt: now() },
      });
    },
  };
}

/**
 * Takes an export slot, waiting up to `waitMs` (polling) while all are busy:
 * the "queue" of long exports is this short wait plus the client's retry after
 * the 429 that follows.
 */
export async function acquireExportSlot(waitMs: number = EXPORT_CONCURRENCY.waitMs): Promise<ExportSlot | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const slot = await tryAcquireExportSlot();
    if (slot || Date.now() >= deadline) return slot;
    const jitter = EXPORT_CONCURRENCY.pollMs * (0.5 + Math.random());
    await new Promise((resolve) => setTimeout(resolve, Math.min(jitter, Math.max(0, deadline - Date.now()))));
  }
}

/** Why an export was not admitted: a limit (until retryAt) or every slot busy. */
export interface ExportRefusal {
  ok: false;
  message: string;
  retryAfterSeconds: number;
}

/**
 * Admits one export by `viewer` (SECURITY.md T48): counts it against the
 * person, address and global export limits, then takes an export slot. Either
 * refusal is audited as a denial of `operation` (reasonCode rate_limited) and
 * comes back with its message and Retry-After; an export refused for want of a
 * slot does not use up any limit. The caller must release the slot when the
 * download ends (or is cancelled).
 */
export async function admitExport(
  viewer: { userId: string; role: string; sessionId: string | null },
  operation: 'audit.export_events' | 'audit.export',
): Promise<{ ok: true; slot: ExportSlot } | ExportRefusal> {
  const actor = { id: viewer.userId, role: viewer.role, sessionId: viewer.sessionId };
  const decision = await consumeOperationLimit(viewer.userId, operation);
  if (!decision.allowed) {
    await auditLimitHit(actor, operation, decision);
    return { ok: false, message: limitRefusalMessage(decision), retryAfterSeconds: limitRetryAfter(decision) };
  }
  const slot = await acquireExportSlot();
  if (slot) return { ok: true, slot };
  await refundOperationLimit(decision);
  const retryAt = new Date(now().getTime() + EXPORT_CONCURRENCY.retryAfterSeconds * 1000);
  await auditLimitHit(actor, operation, {
    scope: 'global',
    limit: EXPORT_CONCURRENCY.slots,
    windowMs: 0,
    retryAt,
    concurrency: true,
  });
  return {
    ok: false,
    message: `${EXPORT_CONCURRENCY.slots} exports are already running, the most at once. Try again in ${EXPORT_CONCURRENCY.retryAfterSeconds} seconds.`,
    retryAfterSeconds: EXPORT_CONCURRENCY.retryAfterSeconds,
  };
}
