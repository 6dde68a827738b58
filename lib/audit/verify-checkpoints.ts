import 'server-only';
import { verifyCheckpointSignature, type PublicKeyEntry, type StoredCheckpoint } from './checkpoint-format';
import { canonicalize } from './canonical-json';
import { canonicalAuditEvent, hashCanonicalEvent } from './hash';
import { verifyEventStream, type AuditEventRow, type VerifyChainResult } from './verify';

/**
 * The full integrity check of docs/audit-chain-format.md ("What the verifier checks,
 * and the attack classes it names"): the chain replayed against itself, then every
 * checkpoint — from the database and from the external log — checked for its
 * signature under the trusted (pinned) keys, its `prev` link, and its `headHash`
 * against the event at its `seq`. Pure apart from reading the event stream: the
 * caller loads the checkpoints, the external log and the keys.
 *
 * Memory: constant in the number of events; linear in the number of checkpoints.
 */

/** The attack classes of the spec's table. */
export type AttackClass =
  'modification' | 'deletion' | 'insertion' | 'reordering' | 'truncation' | 'rollback' | 'recomputed_chain' | 'forged_checkpoint';

/** Where a checkpoint came from. */
export type CheckpointSource = 'database' | 'external';

/** One problem found. `firstBadSeq` is the first event seq that is no longer proven. */
export interface IntegrityFinding {
  attackClass: AttackClass;
  firstBadSeq: number;
  /** Machine code: a chain problem, a signature problem, or a checkpoint comparison. */
  problem: string;
  detail: string;
  checkpoint?: { source: CheckpointSource; seq: number; digest: string | null; keyId: string | null; position: number };
}

/** A checkpoint as read: the parsed object (or whatever a log line held) and its position in its source (1-based). */
export interface CheckpointInput {
  checkpoint: unknown;
  position: number;
  /** Set when the source could not even be parsed as a checkpoint (e.g. a log line that is not JSON). */
  error?: string;
}

/** Input of {@link verifyIntegrity}. */
export interface VerifyIntegrityInput {
  /** Every event, in seq order (rows or pages of rows). */
  events: AsyncIterable<AuditEventRow | readonly AuditEventRow[]>;
  /** The AuditCheckpoint rows as stored checkpoints, oldest first. */
  databaseCheckpoints: readonly CheckpointInput[];
  /** The external log's lines, in file order; null when no external log was consulted. */
  externalCheckpoints: readonly CheckpointInput[] | null;
  /** The trusted public keys (the auditor's pinned file). */
  publicKeys: readonly PublicKeyEntry[];
  /** AuditLock.appends: how many events were ever appended; only used to tell truncation from rollback. */
  appendCount?: number | null;
}

/** What was checked and proven. `ok` false: `findings[0]` is the first problem, in the spec's order. */
export interface IntegrityReport {
  ok: boolean;
  chain: VerifyChainResult;
  checkpoints: {
    database: number;
    external: number | null;
    /** Checkpoints whose signature verified and whose headHash matched the event at their seq. */
    verified: number;
    keyIds: string[];
    /** The newest checkpoint that verified and matched: the events up to its seq are proven. */
    newest: { seq: number; ts: string; keyId: string; digest: string } | null;
  };
  findings: IntegrityFinding[];
  /** Limits of what could be proven (no external log, no checkpoints, events after the newest checkpoint). */
  notes: string[];
}

interface Valid {
  source: CheckpointSource;
  position: number;
  cp: StoredCheckpoint;
}

const CLASS_ORDER: AttackClass[] = [
  'modification',
  'deletion',
  'insertion',
  'reordering',
  'forged_checkpoint',
  'truncation',
  'rollback',
  'recomputed_chain',
];

/** Runs every check and returns the report; never throws for tampered data, only for I/O errors of the event stream. */
export async function verifyIntegrity(input: VerifyIntegrityInput): Promise<IntegrityReport> {
  const findings: IntegrityFinding[] = [];
  const valid: Valid[] = [];
  checkSource('database', input.databaseCheckpoints, input.publicKeys, valid, findings);
  if (input.externalCheckpoints) checkSource('external', input.externalCheckpoints, input.publicKeys, valid, findings);

  // Compare each trusted checkpoint with the event at its seq while the chain streams by.
  const bySeq = new Map<number, Valid[]>();
  for (const v of valid) bySeq.set(v.cp.seq, [...(bySeq.get(v.cp.seq) ?? []), v]);
  const matched = new Set<Valid>();
  const mismatched: { v: Valid; lastGoodSeq: number }[] = [];
  let lastMatchedSeq = 0;
  let broken: AuditEventRow | undefined;
  const chain = await verifyEventStream(input.events, {
    onVerified: (row) => {
      const here = bySeq.get(row.seq);
      if (!here) return;
      for (const v of here) {
        if (v.cp.headHash === row.hash) matched.add(v);
        else mismatched.push({ v, lastGoodSeq: lastMatchedSeq });
      }
      if (here.some((v) => matched.has(v))) lastMatchedSeq = row.seq;
    },
    onBroken: (row) => (broken = row),
  });

  if (!chain.ok) findings.push(chainFinding(chain, broken));
  else compareCheckpoints(chain.headSeq, input, valid, mismatched, findings);

  findings.sort((a, b) => CLASS_ORDER.indexOf(a.attackClass) - CLASS_ORDER.indexOf(b.attackClass) || a.firstBadSeq - b.firstBadSeq);
  const proven = valid.filter((v) => matched.has(v));
  const newest = proven.reduce<Valid | null>((best, v) => (best === null || v.cp.seq > best.cp.seq ? v : best), null);
  return {
    ok: findings.length === 0,
    chain,
    checkpoints: {
      database: input.databaseCheckpoints.length,
      external: input.externalCheckpoints ? input.externalCheckpoints.length : null,
      verified: proven.length,
      keyIds: [...new Set(proven.map((v) => v.cp.keyId))].sort(),
      newest: newest && { seq: newest.cp.seq, ts: newest.cp.ts, keyId: newest.cp.keyId, digest: newest.cp.digest },
    },
    findings,
    notes: notesFor(chain, input, newest),
  };
}

/** Signature, key validity and `prev` links of one source; valid ones are collected. */
function checkSource(
  source: CheckpointSource,
  items: readonly CheckpointInput[],
  keys: readonly PublicKeyEntry[],
  valid: Valid[],
  findings: IntegrityFinding[],
): void {
  let prevDigest: string | null = null;
  for (const { checkpoint, position, error } of items) {
    const where = source === 'database' ? `database checkpoint #${position}` : `external log line ${position}`;
    const result =
      error === undefined ? verifyCheckpointSignature(checkpoint, keys) : ({ ok: false, problem: 'malformed', detail: error } as const);
    const cp = checkpoint as Partial<StoredCheckpoint> | null;
    const seq = typeof cp?.seq === 'number' && Number.isInteger(cp.seq) ? cp.seq : 0;
    const ref = {
      source,
      seq,
      position,
      digest: typeof cp?.digest === 'string' ? cp.digest : null,
      keyId: typeof cp?.keyId === 'string' ? cp.keyId : null,
    };
    if (!result.ok) {
      // Not trusted, and not a link either: the next checkpoint must link to the last good one.
      findings.push({
        attackClass: 'forged_checkpoint',
        firstBadSeq: seq,
        problem: result.problem,
        detail: `${where}: ${result.detail}`,
        checkpoint: ref,
      });
      continue;
    }
    const stored = checkpoint as StoredCheckpoint;
    if (stored.prev !== prevDigest) {
      findings.push({
        attackClass: 'forged_checkpoint',
        firstBadSeq: seq,
        problem: 'prev_mismatch',
        detail: `${where} (seq ${seq}): its prev does not link to the checkpoint before it in this log, so a checkpoint was removed, inserted or reordered`,
        checkpoint: ref,
      });
    }
    // Authentic (signed by a trusted key), so its headHash is still compared with the events.
    valid.push({ source, position, cp: stored });
    prevDigest = stored.digest;
  }
}

function chainFinding(chain: Extract<VerifyChainResult, { ok: false }>, row: AuditEventRow | undefined): IntegrityFinding {
  const base = { firstBadSeq: chain.firstBadSeq, problem: chain.problem, detail: chain.detail };
  if (chain.problem === 'hash_mismatch') return { attackClass: 'modification', ...base };
  if (chain.problem === 'seq_gap') return { attackClass: 'deletion', ...base };
  // The event does not link to its predecessor. seq is hashed, so an event moved to
  // another seq no longer hashes to its own stored hash: reordering. One that still
  // does was made for this position by someone else: an inserted (or replaced) event.
  return { attackClass: row && !selfConsistent(row) ? 'reordering' : 'insertion', ...base };
}

function selfConsistent(row: AuditEventRow): boolean {
  try {
    return hashCanonicalEvent(row.prevHash, canonicalize(canonicalAuditEvent(row))) === row.hash;
  } catch {
    return false;
  }
}

/** Truncation, rollback and recomputation: the trusted checkpoints against the intact chain. */
function compareCheckpoints(
  headSeq: number,
  input: VerifyIntegrityInput,
  valid: Valid[],
  mismatched: { v: Valid; lastGoodSeq: number }[],
  findings: IntegrityFinding[],
): void {
  const dbDigests = new Set(valid.filter((v) => v.source === 'database').map((v) => v.cp.digest));
  const beyond = valid.filter((v) => v.cp.seq > headSeq);
  if (beyond.length > 0) {
    // The database itself shows it once held more events (its own checkpoint or the
    // append counter goes past the head): events were cut off the end. Otherwise it
    // is consistent with itself, only older than the external log: a restored backup.
    const dbKnewMore = beyond.some((v) => v.source === 'database') || (input.appendCount ?? 0) > headSeq;
    const top = beyond.reduce((a, b) => (b.cp.seq > a.cp.seq ? b : a));
    findings.push({
      attackClass: dbKnewMore ? 'truncation' : 'rollback',
      firstBadSeq: headSeq + 1,
      problem: 'checkpoint_beyond_head',
      detail: dbKnewMore
        ? `the ${top.source} checkpoint for seq ${top.cp.seq} (signed ${top.cp.ts}) covers events after the database head ${headSeq}, and the database shows it held them: events ${headSeq + 1}–${top.cp.seq} were removed`
        : `the ${top.source} checkpoint for seq ${top.cp.seq} (signed ${top.cp.ts}) is newer than the database, whose head is ${headSeq}: the database was restored to an older state`,
      checkpoint: ref(top),
    });
  }
  for (const v of valid) {
    if (v.source !== 'external' || v.cp.seq > headSeq || dbDigests.has(v.cp.digest)) continue;
    findings.push({
      attackClass: 'rollback',
      firstBadSeq: v.cp.seq,
      problem: 'checkpoint_missing_from_database',
      detail: `the external checkpoint for seq ${v.cp.seq} (signed ${v.cp.ts}) is not among the database's checkpoints: the database's checkpoints were rolled back or removed`,
      checkpoint: ref(v),
    });
  }
  // The log lags the database only at its end (the row commits first, then the
  // line is appended): a database checkpoint missing inside the log's range is not a lag.
  const external = valid.filter((v) => v.source === 'external');
  const externalDigests = new Set(external.map((v) => v.cp.digest));
  const externalTop = Math.max(0, ...external.map((v) => v.cp.seq));
  for (const v of input.externalCheckpoints === null ? [] : valid) {
    if (v.source !== 'database' || v.cp.seq > externalTop || externalDigests.has(v.cp.digest)) continue;
    findings.push({
      attackClass: 'rollback',
      firstBadSeq: v.cp.seq,
      problem: 'checkpoint_missing_from_external',
      detail: `the database checkpoint for seq ${v.cp.seq} (signed ${v.cp.ts}) is not in the external log, although the log goes up to seq ${externalTop}: the database holds another history than the one the log recorded`,
      checkpoint: ref(v),
    });
  }
  for (const { v, lastGoodSeq } of mismatched) {
    findings.push({
      attackClass: 'recomputed_chain',
      firstBadSeq: lastGoodSeq + 1,
      problem: 'checkpoint_hash_mismatch',
      detail: `the chain is consistent with itself, but the ${v.source} checkpoint for seq ${v.cp.seq} (signed ${v.cp.ts} by key ${v.cp.keyId}) records another hash for event ${v.cp.seq}: events ${lastGoodSeq + 1}–${v.cp.seq} were rewritten and their hashes recomputed`,
      checkpoint: ref(v),
    });
  }
}

function ref(v: Valid): NonNullable<IntegrityFinding['checkpoint']> {
  return { source: v.source, seq: v.cp.seq, digest: v.cp.digest, keyId: v.cp.keyId, position: v.position };
}

function notesFor(chain: VerifyChainResult, input: VerifyIntegrityInput, newest: Valid | null): string[] {
  const notes: string[] = [];
  if (input.externalCheckpoints === null) {
    notes.push('no external checkpoint log was consulted: truncation and rollback of the database cannot be detected');
  }
  if (chain.ok && chain.headSeq > 0) {
    if (newest === null) notes.push('no checkpoint covers the chain: a recomputed chain cannot be detected');
    else if (newest.cp.seq < chain.headSeq) {
      notes.push(
        `events ${newest.cp.seq + 1}–${chain.headSeq} are after the newest checkpoint: they are linked but not yet covered by a signature`,
      );
    }
  }
  return notes;
}
