import 'server-only';
import type { Db } from '@/lib/db/client';
import { canonicalize } from './canonical-json';
import {
  canonicalAuditEventWith,
  fastCanonicalEventJson,
  GENESIS_HASH,
  hashCanonicalEvent,
  parseAuditDetails,
  type AuditEventFields,
} from './hash';

/** The client or an interactive transaction. */
export type AuditEventReader = Pick<Db, 'auditEvent' | '$queryRaw'>;

/** Options of {@link verifyChain}. */
export interface VerifyChainOptions {
  /** Rows fetched per query (keyset pagination on seq). Default 1000. */
  pageSize?: number;
}

/** The first kind of damage found, in the order the checks run for each event. */
export type VerifyChainProblem = 'seq_gap' | 'bad_genesis' | 'prev_hash_mismatch' | 'hash_mismatch';

/**
 * Result of {@link verifyChain}. `count` is the number of events verified intact
 * (on failure: those before the first bad one). An empty chain is intact with
 * headSeq 0 and the genesis hash.
 */
export type VerifyChainResult =
  | { ok: true; count: number; headSeq: number; headHash: string }
  | { ok: false; count: number; firstBadSeq: number; problem: VerifyChainProblem; detail: string };

type Failure = Omit<Extract<VerifyChainResult, { ok: false }>, 'ok' | 'count'>;

const DEFAULT_PAGE_SIZE = 1000;

/**
 * Re-verifies the whole audit chain from seq 1: seq starts at 1 without gaps,
 * event 1 links to the genesis value, every prevHash equals the previous event's
 * hash, every stored hash equals the recomputed one and `details` is stored in
 * canonical form. Stops at the first bad event.
 *
 * Streams in pages by seq (`seq > last`, not OFFSET), so memory stays flat and
 * each page is an index range scan, also on a million rows. Rows appended while
 * it runs are included when they are committed before their page is read, which
 * is safe because the chain only grows at the end.
 *
 * This checks the database against itself. Truncation of the tail, restoring an
 * old backup or recomputing every hash are only detectable against signed
 * checkpoints kept outside the database (see docs/audit-chain-format.md).
 *
 * @throws on database errors (the caller reports them as "could not verify").
 */
export async function verifyChain(db: AuditEventReader, opts: VerifyChainOptions = {}): Promise<VerifyChainResult> {
  return verifyEventStream(readAuditEventPages(db, opts));
}

/** One stored AuditEvent row: the hashed columns plus prevHash and hash. */
export type AuditEventRow = AuditEventFields & { prevHash: string; hash: string };

/**
 * Reads every event by seq in pages (keyset `seq > last`, not OFFSET), fetching
 * the next page while the caller processes the current one. Constant memory.
 *
 * @throws on database errors, or if pageSize is not a positive integer.
 */
export async function* readAuditEventPages(db: AuditEventReader, opts: VerifyChainOptions = {}): AsyncGenerator<AuditEventRow[]> {
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error('pageSize must be a positive integer');

  // A fixed query with bound parameters, not findMany: over a million rows the
  // model layer's per-row work cost about four times the read itself (bench/RESULTS.md).
  // The first page has no lower bound: a forged event numbered 0 or below must be seen.
  const fetchPage = async (afterSeq: number | undefined): Promise<AuditEventRow[]> => {
    const rows =
      afterSeq === undefined
        ? await db.$queryRaw<RawAuditEventRow[]>`
      SELECT "seq", "id", "ts", "actorId", "actorRole", "actorSessionId", "ip", "userAgent", "correlationId",
             "operation", "targetType", "targetId", "outcome", "reasonCode", "reason", "details", "policyVersion",
             "decision", "prevHash", "hash"
      FROM "AuditEvent" ORDER BY "seq" ASC LIMIT ${pageSize}`
        : await db.$queryRaw<RawAuditEventRow[]>`
      SELECT "seq", "id", "ts", "actorId", "actorRole", "actorSessionId", "ip", "userAgent", "correlationId",
             "operation", "targetType", "targetId", "outcome", "reasonCode", "reason", "details", "policyVersion",
             "decision", "prevHash", "hash"
      FROM "AuditEvent" WHERE "seq" > ${afterSeq} ORDER BY "seq" ASC LIMIT ${pageSize}`;
    return rows.map(toAuditEventRow);
  };

  let page = fetchPage(undefined);
  for (;;) {
    const rows = await page;
    const last = rows[rows.length - 1];
    const hasMore = last !== undefined && rows.length === pageSize;
    if (hasMore) {
      // Fetch the next page while this one is hashed (overlaps I/O and CPU on
      // PostgreSQL). If the consumer stops early its result is unused; the no-op
      // catch keeps a failure of that unused query from being an unhandled rejection.
      page = fetchPage(last.seq);
      page.catch(() => undefined);
    }
    yield rows;
    if (!hasMore) return;
  }
}

/** A row as the drivers return it: seq may be a bigint, ts a Date, an ISO string or epoch ms. */
type RawAuditEventRow = Omit<AuditEventRow, 'seq' | 'ts'> & { seq: number | bigint; ts: Date | string | number };

/** Normalises a driver row in place (no copy per row: a million rows make a lot of garbage). */
function toAuditEventRow(row: RawAuditEventRow): AuditEventRow {
  const out = row as unknown as AuditEventRow;
  if (typeof row.seq !== 'number') out.seq = Number(row.seq);
  if (!(row.ts instanceof Date)) out.ts = new Date(typeof row.ts === 'string' && /^\d+$/.test(row.ts) ? Number(row.ts) : row.ts);
  return out;
}

/**
 * The chain checks of {@link verifyChain} over any stream of events in seq order
 * (single rows or pages of rows). `hooks.onVerified` is called for each event
 * found intact, in order; the walk stops at the first bad event, which is passed
 * to `hooks.onBroken` (the checkpoint verifier inspects it to name the attack).
 */
export async function verifyEventStream(
  events: AsyncIterable<AuditEventRow | readonly AuditEventRow[]>,
  hooks: { onVerified?: (row: AuditEventRow) => void; onBroken?: (row: AuditEventRow) => void } = {},
): Promise<VerifyChainResult> {
  const { onVerified, onBroken } = hooks;
  let count = 0;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  for await (const item of events) {
    const rows: readonly AuditEventRow[] = Array.isArray(item) ? item : [item as AuditEventRow];
    for (const row of rows) {
      const failure = checkEvent(row, expectedSeq, prevHash);
      if (failure) {
        onBroken?.(row);
        return { ok: false, count, ...failure };
      }
      onVerified?.(row);
      prevHash = row.hash;
      expectedSeq += 1;
      count += 1;
    }
  }
  return { ok: true, count, headSeq: expectedSeq - 1, headHash: prevHash };
}

function checkEvent(row: AuditEventRow, expectedSeq: number, prevHash: string): Failure | null {
  const seq = row.seq;
  if (seq < expectedSeq) {
    return {
      firstBadSeq: seq,
      problem: 'seq_gap',
      detail: `an event numbered ${seq} exists, but the chain must start at seq 1`,
    };
  }
  if (seq > expectedSeq) {
    const missing = seq - 1 === expectedSeq ? `event ${expectedSeq} is missing` : `events ${expectedSeq} to ${seq - 1} are missing`;
    return { firstBadSeq: expectedSeq, problem: 'seq_gap', detail: `${missing}; the next stored event is ${seq}` };
  }
  if (row.prevHash !== prevHash) {
    if (seq === 1) {
      return {
        firstBadSeq: seq,
        problem: 'bad_genesis',
        detail: 'event 1 does not start from the genesis value (its prevHash is not 64 zeros)',
      };
    }
    return {
      firstBadSeq: seq,
      problem: 'prev_hash_mismatch',
      detail: `event ${seq} does not link to event ${seq - 1}: its prevHash differs from the hash of event ${seq - 1}, so an event before it was removed, replaced or moved`,
    };
  }
  let recomputed: string;
  let canonicalDetails: string;
  try {
    // The event's JCS text is written around the details' JCS text
    // (fastCanonicalEventJson), or by the general canonicalize() when that declines
    // (which also reports an invalid ts).
    const details = parseAuditDetails(row.details);
    canonicalDetails = canonicalize(details);
    const eventJson = fastCanonicalEventJson(row, canonicalDetails) ?? canonicalize(canonicalAuditEventWith(row, details));
    recomputed = hashCanonicalEvent(row.prevHash, eventJson);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown error';
    return { firstBadSeq: seq, problem: 'hash_mismatch', detail: `event ${seq} cannot be re-hashed: ${reason}` };
  }
  if (recomputed !== row.hash) {
    return {
      firstBadSeq: seq,
      problem: 'hash_mismatch',
      detail: `event ${seq} was altered: its stored hash does not match the hash of its contents`,
    };
  }
  if (canonicalDetails !== row.details) {
    return {
      firstBadSeq: seq,
      problem: 'hash_mismatch',
      detail: `event ${seq} was altered: its details column is not in the canonical form it was written in`,
    };
  }
  return null;
}
