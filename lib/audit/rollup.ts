import 'server-only';
import { now } from '@/lib/clock';
import type { Db, Tx } from '@/lib/db';
import { Prisma } from '../../generated/sqlite/client';
import { chunks, floorHour } from './rollup-buckets';

/**
 * Hourly pre-aggregation of the audit trail for the activity dashboards
 * (lib/dal/audit-dashboard.ts).
 *
 * Invariant: AuditRollup and AuditActorRollup hold the counts of exactly the
 * events with seq <= AuditRollupState(id 1).throughSeq; none above.
 *
 * How it stays true:
 * - Events are immutable and appear in seq order without gaps: an append takes
 *   the audit chain lock and reads the head after it (lib/audit/append), so
 *   seq N + 1 cannot commit before seq N. Reading "seq > throughSeq in seq
 *   order" therefore never skips an event that commits later.
 * - A batch adds its counts (INSERT … ON CONFLICT DO UPDATE count = count + n)
 *   and moves throughSeq to its last seq IN THE SAME TRANSACTION: a crash rolls
 *   back both, so nothing is counted twice or lost.
 * - Concurrent refreshers (two server instances, a CLI) serialise on the state
 *   row: every batch starts by updating it, which on PostgreSQL holds the row
 *   lock until commit (READ COMMITTED then gives the waiting refresher's next
 *   statement a snapshot with the new throughSeq) and on SQLite takes the
 *   database write lock. The state is read only after that lock is held.
 * - The same batches keep AuditUsageRollup (the usage report, lib/dal/usage.ts):
 *   per (actor, operation, actor role), the successful events' count, first and
 *   last ts and last seq. It follows the same watermark, in the same
 *   transaction, so all three rollups always cover the same events.
 * - The rollups never change the trail; the chain (and its verification) is
 *   untouched. A rebuild resets to "covers nothing" in one transaction and then
 *   recounts in batches, so readers always see a consistent pair.
 */

/** Events read per transaction: short enough not to hold SQLite's write lock (and the appenders behind it) for long. */
export const ROLLUP_BATCH = 5000;

/** Rows per INSERT statement (bind parameters stay far below SQLite's and PostgreSQL's limits). */
const ROWS_PER_INSERT = 500;

const STATE_ID = 1;

export interface RollupRefresh {
  /** The watermark after the refresh: rollups cover seq 1..throughSeq. */
  throughSeq: number;
  /** Events counted by this call. */
  counted: number;
}

/** The watermark: rollups cover exactly the events with seq <= throughSeq (0 before the first refresh). */
export async function rollupWatermark(client: Pick<Tx, 'auditRollupState'>): Promise<{ throughSeq: number; updatedAt: Date | null }> {
  const state = await client.auditRollupState.findUnique({ where: { id: STATE_ID }, select: { throughSeq: true, updatedAt: true } });
  return { throughSeq: state?.throughSeq ?? 0, updatedAt: state?.updatedAt ?? null };
}

/**
 * Counts the events appended since the last refresh into the hourly rollups,
 * `batchSize` events per transaction, until the head (or `maxEvents`) is
 * reached. Safe to run in several processes at once; crash-safe at any point.
 */
export async function refreshAuditRollups(client: Db, options: { maxEvents?: number; batchSize?: number } = {}): Promise<RollupRefresh> {
  const maxEvents = options.maxEvents ?? Number.POSITIVE_INFINITY;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? ROLLUP_BATCH, ROLLUP_BATCH));
  await ensureStateRow(client);
  let counted = 0;
  let throughSeq = 0;
  for (;;) {
    const take = Math.min(batchSize, maxEvents - counted);
    if (take <= 0) break;
    const batch = await client.$transaction((tx) => countBatch(tx, take));
    counted += batch.counted;
    throughSeq = batch.throughSeq;
    if (batch.counted < take) break;
  }
  return { throughSeq, counted };
}

/**
 * Deletes every rollup row and recounts from seq 1. The reset is one
 * transaction (readers see "covers nothing", and count everything from the
 * events, until the recount catches up); the recount is {@link refreshAuditRollups}.
 */
export async function rebuildAuditRollups(client: Db): Promise<RollupRefresh> {
  await ensureStateRow(client);
  await client.$transaction(async (tx) => {
    await lockState(tx);
    await tx.auditRollup.deleteMany({});
    await tx.auditActorRollup.deleteMany({});
    await tx.auditUsageRollup.deleteMany({});
    await tx.auditRollupState.update({ where: { id: STATE_ID }, data: { throughSeq: 0, updatedAt: now() } });
  });
  return refreshAuditRollups(client);
}

async function ensureStateRow(client: Db): Promise<void> {
  const exists = await client.auditRollupState.findUnique({ where: { id: STATE_ID }, select: { id: true } });
  if (exists) return;
  try {
    await client.auditRollupState.create({ data: { id: STATE_ID, throughSeq: 0, updatedAt: now() } });
  } catch (error) {
    // Another process created it first (unique violation): that row is as good.
    const again = await client.auditRollupState.findUnique({ where: { id: STATE_ID }, select: { id: true } });
    if (!again) throw error;
  }
}

/** Takes the refresh lock: a write to the state row, first thing in the transaction. */
async function lockState(tx: Tx): Promise<void> {
  const locked = await tx.$executeRaw`UPDATE "AuditRollupState" SET "throughSeq" = "throughSeq" WHERE "id" = ${STATE_ID}`;
  if (locked !== 1) throw new Error('audit rollup state row (AuditRollupState id=1) is missing');
}

async function countBatch(tx: Tx, take: number): Promise<RollupRefresh> {
  await lockState(tx);
  const state = await tx.auditRollupState.findUniqueOrThrow({ where: { id: STATE_ID }, select: { throughSeq: true } });
  const events = await tx.auditEvent.findMany({
    where: { seq: { gt: state.throughSeq } },
    orderBy: { seq: 'asc' },
    take,
    select: { seq: true, ts: true, operation: true, outcome: true, actorRole: true, targetType: true, actorId: true },
  });
  const usage = new Map<string, UsageCell>();
  const last = events[events.length - 1];
  if (!last) return { throughSeq: state.throughSeq, counted: 0 };

  const cells = new Map<
    string,
    { bucket: Date; operation: string; outcome: string; actorRole: string; targetType: string; count: number }
  >();
  const actors = new Map<string, { bucket: Date; actorId: string; actorRole: string; count: number; denied: number }>();
  for (const e of events) {
    const hour = floorHour(e.ts.getTime());
    const actorRole = e.actorRole ?? '';
    const targetType = e.targetType ?? '';
    const actorId = e.actorId ?? '';
    const ck = JSON.stringify([hour, e.operation, e.outcome, actorRole, targetType]);
    const cell = cells.get(ck) ?? { bucket: new Date(hour), operation: e.operation, outcome: e.outcome, actorRole, targetType, count: 0 };
    cell.count += 1;
    cells.set(ck, cell);
    const ak = JSON.stringify([hour, actorId, actorRole]);
    const actor = actors.get(ak) ?? { bucket: new Date(hour), actorId, actorRole, count: 0, denied: 0 };
    actor.count += 1;
    if (e.outcome === 'denied') actor.denied += 1;
    actors.set(ak, actor);
    if (e.outcome === 'success' && e.actorId && e.actorRole) addUsage(usage, e.actorId, e.operation, e.actorRole, e.ts, e.seq);
  }

  for (const rows of chunks([...cells.values()], ROWS_PER_INSERT)) {
    const values = Prisma.join(
      rows.map((r) => Prisma.sql`(${r.bucket}, ${r.operation}, ${r.outcome}, ${r.actorRole}, ${r.targetType}, ${r.count})`),
    );
    await tx.$executeRaw`INSERT INTO "AuditRollup" ("bucket", "operation", "outcome", "actorRole", "targetType", "count") VALUES ${values}
      ON CONFLICT ("bucket", "operation", "outcome", "actorRole", "targetType") DO UPDATE SET "count" = "AuditRollup"."count" + excluded."count"`;
  }
  for (const rows of chunks([...actors.values()], ROWS_PER_INSERT)) {
    const values = Prisma.join(rows.map((r) => Prisma.sql`(${r.bucket}, ${r.actorId}, ${r.actorRole}, ${r.count}, ${r.denied})`));
    await tx.$executeRaw`INSERT INTO "AuditActorRollup" ("bucket", "actorId", "actorRole", "count", "denied") VALUES ${values}
      ON CONFLICT ("bucket", "actorId", "actorRole") DO UPDATE SET "count" = "AuditActorRollup"."count" + excluded."count", "denied" = "AuditActorRollup"."denied" + excluded."denied"`;
  }
  // Usage: ts never decreases along the chain and batches run in seq order, so
  // a batch's cells are later than what the row holds; the CASEs keep the row
  // right whatever the order (first = earliest ts, last = highest seq).
  for (const rows of chunks([...usage.values()], ROWS_PER_INSERT)) {
    const values = Prisma.join(
      rows.map((r) => Prisma.sql`(${r.actorId}, ${r.operation}, ${r.actorRole}, ${r.count}, ${r.firstTs}, ${r.lastTs}, ${r.lastSeq})`),
    );
    await tx.$executeRaw`INSERT INTO "AuditUsageRollup" ("actorId", "operation", "actorRole", "count", "firstTs", "lastTs", "lastSeq") VALUES ${values}
      ON CONFLICT ("actorId", "operation", "actorRole") DO UPDATE SET
        "count" = "AuditUsageRollup"."count" + excluded."count",
        "firstTs" = CASE WHEN excluded."firstTs" < "AuditUsageRollup"."firstTs" THEN excluded."firstTs" ELSE "AuditUsageRollup"."firstTs" END,
        "lastTs" = CASE WHEN excluded."lastSeq" > "AuditUsageRollup"."lastSeq" THEN excluded."lastTs" ELSE "AuditUsageRollup"."lastTs" END,
        "lastSeq" = CASE WHEN excluded."lastSeq" > "AuditUsageRollup"."lastSeq" THEN excluded."lastSeq" ELSE "AuditUsageRollup"."lastSeq" END`;
  }
  await tx.auditRollupState.update({ where: { id: STATE_ID }, data: { throughSeq: last.seq, updatedAt: now() } });
  return { throughSeq: last.seq, counted: events.length };
}

/** One AuditUsageRollup row's worth of successful events: an actor's uses of one operation in one role. */
export interface UsageCell {
  actorId: string;
  operation: string;
  actorRole: string;
  count: number;
  firstTs: Date;
  lastTs: Date;
  lastSeq: number;
}

/**
 * Adds one successful event to a map of usage cells keyed by (actor, operation,
 * role). Shared with the usage report, which folds the events above the
 * watermark into the rollup rows the same way.
 */
export function addUsage(
  cells: Map<string, UsageCell>,
  actorId: string,
  operation: string,
  actorRole: string,
  ts: Date,
  seq: number,
): void {
  const key = `${actorId}\u0000${operation}\u0000${actorRole}`;
  const cell = cells.get(key);
  if (!cell) {
    cells.set(key, { actorId, operation, actorRole, count: 1, firstTs: ts, lastTs: ts, lastSeq: seq });
    return;
  }
  cell.count += 1;
  if (ts < cell.firstTs) cell.firstTs = ts;
  if (seq > cell.lastSeq) {
    cell.lastSeq = seq;
    cell.lastTs = ts;
  }
}
