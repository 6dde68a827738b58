/**
 * What the audit benchmarks share: a synthetic trail built as appendAuditEvent
 * builds it, bulk-loaded into SQLite or PostgreSQL with the secondary indexes
 * rebuilt afterwards, a stub for next/navigation, and the timing loop.
 * Used by bench/audit-browser.ts and bench/usage-report.ts.
 */
import Module, { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { AUDIT_EVENT_CSV_COLUMNS } from '../lib/audit/csv';
import type { AuditEventFields } from '../lib/audit/hash';
import type { DbHandle } from '../lib/db/client';

export type StaffRow = { id: string; role: string; name: string };

const COLUMNS = AUDIT_EVENT_CSV_COLUMNS;
type ChainedRow = AuditEventFields & { prevHash: string; hash: string };

/**
 * next/navigation is a client-runtime module: outside a Next.js server its import
 * fails under the react-server condition (React has no createContext there). The
 * DAL imports it only for notFound()/redirect() in page guards, which the benches
 * never reach; a stub that throws keeps any such call visible.
 */
export function stubNextNavigation() {
  const require = createRequire(import.meta.url);
  const file = require.resolve('next/navigation');
  const stub = new Module(file);
  stub.filename = file;
  stub.loaded = true;
  const fail = (what: string) => () => {
    throw new Error(`next/navigation ${what}() called in the bench`);
  };
  stub.exports = {
    notFound: fail('notFound'),
    redirect: fail('redirect'),
    permanentRedirect: fail('permanentRedirect'),
    unstable_rethrow: () => undefined,
  };
  require.cache[file] = stub;
}

/** Runs `work` `warmups` times untimed, then `runs` times timed; p50/p95/max in ms. */
export async function measure(
  work: () => Promise<void>,
  { runs, warmups }: { runs: number; warmups: number },
): Promise<{ p50Ms: number; p95Ms: number; maxMs: number }> {
  for (let i = 0; i < warmups; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Number(times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!.toFixed(2));
  return { p50Ms: at(0.5), p95Ms: at(0.95), maxMs: at(1) };
}

/**
 * The rows of the synthetic history (lib/audit/synthetic), built as
 * appendAuditEvent builds them: canonical details, defaults for absent fields,
 * ts never below the previous event's, seq without gaps, each hash chained to
 * the previous one.
 */
export async function* chainedRows(opts: {
  seed: number;
  events: number;
  staff: StaffRow[];
  members: string[];
  from: Date;
  to: Date;
}): AsyncGenerator<ChainedRow> {
  const { syntheticAuditEvents } = await import('../lib/audit/synthetic');
  const { canonicalize } = await import('../lib/audit/canonical-json');
  const { computeEventHash, GENESIS_HASH } = await import('../lib/audit/hash');
  const { randomUUID } = await import('node:crypto');
  let prevHash = GENESIS_HASH;
  let prevTs = 0;
  let seq = 0;
  for (const { at, input } of syntheticAuditEvents({
    seed: opts.seed,
    from: opts.from,
    to: opts.to,
    count: opts.events,
    staff: opts.staff,
    members: opts.members,
    policyVersion: 'policies@bench',
  })) {
    seq += 1;
    prevTs = Math.max(prevTs, at.getTime());
    const event: AuditEventFields = {
      seq,
      id: randomUUID(),
      ts: new Date(prevTs),
      actorId: input.actor?.id ?? null,
      actorRole: input.actor?.role ?? null,
      actorSessionId: input.actor?.sessionId ?? null,
      ip: input.ip ?? null,
      userAgent: input.userAgent ?? null,
      correlationId: input.correlationId,
      operation: input.operation,
      targetType: input.target?.type ?? null,
      targetId: input.target?.id ?? null,
      outcome: input.outcome,
      reasonCode: input.reasonCode ?? null,
      reason: input.reason ?? null,
      details: canonicalize((input.details ?? {}) as Parameters<typeof canonicalize>[0]),
      policyVersion: input.policyVersion,
      decision: input.decision ?? null,
    };
    const hash = computeEventHash(prevHash, event);
    yield { ...event, prevHash, hash };
    prevHash = hash;
  }
}

/**
 * SQLite bulk load. The secondary indexes of AuditEvent are dropped first and
 * rebuilt from their own DDL afterwards (one sorted build each instead of a
 * million random inserts into the id, hash and correlationId B-trees); the
 * unique ones check uniqueness again when rebuilt. The FTS trigger stays.
 */
export async function seedSqlite(file: string, rows: AsyncIterable<ChainedRow>): Promise<{ inserted: number; indexMs: number }> {
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = OFF');
  raw.pragma('cache_size = -262144'); // 256 MiB page cache for the index builds
  const indexes = raw
    .prepare(`SELECT "name", "sql" FROM sqlite_master WHERE "type" = 'index' AND "tbl_name" = 'AuditEvent' AND "sql" IS NOT NULL`)
    .all() as { name: string; sql: string }[];
  for (const index of indexes) raw.exec(`DROP INDEX "${index.name}"`);
  const insert = raw.prepare(
    `INSERT INTO "AuditEvent" (${COLUMNS.map((c) => `"${c}"`).join(',')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(',')})`,
  );
  type Row = Record<(typeof COLUMNS)[number], unknown>;
  const flush = raw.transaction((batch: Row[]) => {
    for (const row of batch) insert.run(row);
  });
  let batch: Row[] = [];
  let n = 0;
  for await (const row of rows) {
    // Stored as the better-sqlite3 adapter stores DateTime (ISO 8601 with +00:00).
    batch.push({ ...row, ts: row.ts.toISOString().replace('Z', '+00:00') });
    if (batch.length === 10_000) {
      flush(batch);
      n += batch.length;
      batch = [];
      if (n % 100_000 === 0) console.log(`  ${n} events`);
    }
  }
  flush(batch);
  n += batch.length;
  const indexStarted = performance.now();
  for (const index of indexes) raw.exec(index.sql);
  const indexMs = performance.now() - indexStarted;
  raw.prepare(`UPDATE "AuditLock" SET "appends" = ? WHERE "id" = 1`).run(n);
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();
  return { inserted: n, indexMs };
}

/** PostgreSQL bulk load: multi-row INSERTs of 1000, secondary indexes (the GIN full-text one too) rebuilt afterwards. */
export async function seedPostgres(
  client: DbHandle['db'],
  rows: AsyncIterable<ChainedRow>,
): Promise<{ inserted: number; indexMs: number }> {
  const indexes = await client.$queryRawUnsafe<{ indexname: string; indexdef: string }[]>(
    `SELECT "indexname", "indexdef" FROM pg_indexes WHERE "schemaname" = current_schema() AND "tablename" = 'AuditEvent' AND "indexname" <> 'AuditEvent_pkey'`,
  );
  for (const index of indexes) await client.$executeRawUnsafe(`DROP INDEX "${index.indexname}"`);
  const per = COLUMNS.length;
  const sql = (count: number) =>
    `INSERT INTO "AuditEvent" (${COLUMNS.map((c) => `"${c}"`).join(',')}) VALUES ` +
    Array.from(
      { length: count },
      (_, r) =>
        `(${COLUMNS.map((c, k) => (c === 'ts' ? `($${r * per + k + 1}::timestamptz AT TIME ZONE 'UTC')` : `$${r * per + k + 1}`)).join(',')})`,
    ).join(',');
  const full = sql(1000);
  let values: unknown[] = [];
  let pending = 0;
  let n = 0;
  for await (const row of rows) {
    for (const c of COLUMNS) values.push(c === 'ts' ? row.ts.toISOString() : row[c]);
    pending += 1;
    if (pending === 1000) {
      await client.$executeRawUnsafe(full, ...values);
      n += pending;
      values = [];
      pending = 0;
      if (n % 100_000 === 0) console.log(`  ${n} events`);
    }
  }
  if (pending > 0) await client.$executeRawUnsafe(sql(pending), ...values);
  n += pending;
  const indexStarted = performance.now();
  // One connection, so that the memory setting applies to every build.
  await client.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL maintenance_work_mem = '256MB'`);
      for (const index of indexes) await tx.$executeRawUnsafe(index.indexdef);
    },
    { timeout: 30 * 60_000 },
  );
  const indexMs = performance.now() - indexStarted;
  await client.$executeRawUnsafe(`UPDATE "AuditLock" SET "appends" = $1 WHERE "id" = 1`, n);
  return { inserted: n, indexMs };
}
