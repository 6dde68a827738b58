/**
 * Benchmark: the usage report (lib/dal/usage.ts) on a 1,000,000-event trail of
 * ~1,000 console accounts (90 days of synthetic activity from lib/audit/synthetic).
 *
 * Seeding uses the bulk path of bench/audit-browser.ts: rows built from the
 * generator's inputs as appendAuditEvent builds them (canonical details, ts that
 * never decreases, seq without gaps, hashes chained) and inserted raw (SQLite:
 * better-sqlite3 in 10,000-row transactions, secondary indexes rebuilt after;
 * PostgreSQL: multi-row INSERTs of 1000). Then the rollups — AuditUsageRollup
 * with the dashboards' — are built with refreshAuditRollups (timed), leaving
 * BENCH_TAIL events (default 2,000: minutes of activity) above the watermark so
 * that the report reads a realistic tail; the cases are timed again with the
 * tail rolled up.
 *
 * Timed through `db()` as an auditor: roleUsage (90 and 7 days), userUsage of the
 * busiest and of a quiet account, userUsageEvidence (one campaign row). Each
 * case: 3 warm-ups, then BENCH_RUNS (default 20) timed runs; p50/p95/max in ms.
 * Writes bench/results/usage-report-<provider>.json.
 *
 *   npm run bench:usage                              (SQLite, var/bench/usage-report.db)
 *   BENCH_EVENTS=200000 npm run bench:usage          (smaller trail)
 *   BENCH_DATABASE_URL=postgresql://… npm run bench:usage
 */
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AUDIT_EVENT_CSV_COLUMNS } from '../lib/audit/csv';
import type { AuditEventFields } from '../lib/audit/hash';
import type { Viewer } from '../lib/auth/viewer';
import type { DbHandle } from '../lib/db/client';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const url = process.env.BENCH_DATABASE_URL ?? `file:${path.join(root, 'var/bench/usage-report.db')}`;
const provider = url.startsWith('file:') ? 'sqlite' : 'postgres';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const STAFF = Number(process.env.BENCH_STAFF ?? 1000);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 5000);
const TAIL = Number(process.env.BENCH_TAIL ?? 2000);
const DAYS = 90;
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const WARMUPS = 3;
const SEED = 20_261_203;
const DAY = 86_400_000;
process.env.DATABASE_URL = url;
process.env.AUTH_SECRET ??= 'bench-secret-bench-secret-bench-secret-0000';
process.env.APP_URL ??= 'http://localhost:3000';
process.env.LOG_LEVEL = 'silent';

interface Timing {
  case: string;
  tail: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  detail?: string;
}

/** next/navigation cannot load outside a Next.js server under react-server (see bench/audit-browser.ts); the DAL never calls it here. */
function stubNextNavigation() {
  const require = createRequire(import.meta.url);
  const file = require.resolve('next/navigation');
  const stub = new Module(file);
  stub.filename = file;
  stub.loaded = true;
  const fail = (what: string) => () => {
    throw new Error(`next/navigation ${what}() called in the bench`);
  };
  stub.exports = { notFound: fail('notFound'), redirect: fail('redirect'), permanentRedirect: fail('permanentRedirect') };
  require.cache[file] = stub;
}

/** Staff roles: a few superadmins, some admins and auditors, mostly support agents. */
const staffRole = (i: number) => (i === 0 ? 'admin' : i < 10 ? 'superadmin' : i < 100 ? 'admin' : i < 180 ? 'auditor' : 'support');

async function main() {
  stubNextNavigation();
  const { migrateDeploy, migrateReset } = await import('../lib/db/migrate');
  const { createDb } = await import('../lib/db/client');
  const file = url.slice('file:'.length);
  if (provider === 'sqlite') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    await migrateDeploy(url);
  } else {
    await migrateReset(url);
  }
  const handle = await createDb({ url, poolSize: 4 });
  (globalThis as { wardenDb?: Promise<DbHandle> }).wardenDb = Promise.resolve(handle);
  const client = handle.db;

  const seedStarted = performance.now();
  for (let i = 0; i < STAFF; i += 1000) {
    await client.user.createMany({
      data: Array.from({ length: Math.min(1000, STAFF - i) }, (_, k) => ({
        email: `staff${String(i + k).padStart(4, '0')}@bench.warden.test`,
        name: `Staff ${i + k}`,
        role: staffRole(i + k),
      })),
    });
  }
  for (let i = 0; i < MEMBERS; i += 5000) {
    await client.user.createMany({
      data: Array.from({ length: Math.min(5000, MEMBERS - i) }, (_, k) => ({
        email: `member${String(i + k).padStart(5, '0')}@bench.warden.test`,
        name: `Member ${i + k}`,
        role: 'member',
      })),
    });
  }
  const staff = await client.user.findMany({
    where: { role: { not: 'member' } },
    select: { id: true, role: true, name: true, email: true },
    orderBy: { email: 'asc' },
  });
  const members = (await client.user.findMany({ where: { role: 'member' }, select: { id: true }, orderBy: { email: 'asc' } })).map(
    (m) => m.id,
  );
  const to = new Date(Date.now() - 60_000);
  const from = new Date(to.getTime() - DAYS * DAY);
  const inserted =
    provider === 'sqlite' ? seedSqlite(file, await rows(staff, members, from, to)) : await seedPostgres(client, staff, members, from, to);
  const seedMs = performance.now() - seedStarted;
  await client.$executeRawUnsafe(provider === 'sqlite' ? 'ANALYZE' : 'ANALYZE "AuditEvent"');

  const { refreshAuditRollups } = await import('../lib/audit/rollup');
  const rollupStarted = performance.now();
  const rollup = await refreshAuditRollups(client, { maxEvents: Math.max(0, EVENTS - TAIL) });
  const rollupMs = performance.now() - rollupStarted;
  await client.$executeRawUnsafe('ANALYZE');
  const usageRows = await client.auditUsageRollup.count();
  const actors = (await client.auditUsageRollup.groupBy({ by: ['actorId'], _count: { _all: true } })).length;
  console.log(`seeded ${inserted} events in ${Math.round(seedMs)} ms; rollups to seq ${rollup.throughSeq} in ${Math.round(rollupMs)} ms`);

  const { roleUsage, userUsage, userUsageEvidence } = await import('../lib/dal/usage');
  const auditorRow = staff.find((s) => s.role === 'auditor')!;
  const auditor: Viewer = {
    userId: auditorRow.id,
    email: auditorRow.email,
    name: auditorRow.name,
    role: 'auditor',
    sessionId: 'bench-session',
    authTime: new Date(),
    amr: 'pwd+otp',
    mfaEnrolled: true,
  };
  const busiest = (
    await client.auditEvent.groupBy({
      by: ['actorId'],
      where: { seq: { gt: EVENTS - 50_000 }, actorId: { not: null } },
      _count: { _all: true },
      orderBy: { _count: { actorId: 'desc' } },
      take: 1,
    })
  )[0]!.actorId!;
  const quiet = staff[staff.length - 1]!.id;

  const results: Timing[] = [];
  const runCases = async (tail: number) => {
    const time = async (name: string, work: () => Promise<string | undefined>) => {
      let detail: string | undefined;
      const t = await measure(async () => {
        detail = await work();
      });
      results.push({ case: name, tail, ...t, ...(detail ? { detail } : {}) });
    };
    await time('roleUsage (90 days)', async () => {
      const r = await roleUsage(auditor, { days: 90 });
      return r.roles.map((x) => `${x.role}: ${x.usedInWindow}/${x.privileges} used`).join(', ');
    });
    await time('roleUsage (7 days)', async () => {
      const r = await roleUsage(auditor, { days: 7 });
      return r.roles.map((x) => `${x.role}: ${x.usedInWindow}/${x.privileges} used`).join(', ');
    });
    await time('userUsage (busiest account, 90 days)', async () => {
      const u = await userUsage(auditor, busiest, { days: 90 });
      return `${u.granted.reduce((a, g) => a + g.uses, 0)} uses, ${u.unusedInWindow} unused`;
    });
    await time('userUsage (quiet account, 90 days)', async () => {
      const u = await userUsage(auditor, quiet, { days: 90 });
      return `${u.granted.reduce((a, g) => a + g.uses, 0)} uses, ${u.unusedInWindow} unused`;
    });
    await time('userUsageEvidence (busiest account, 90 days)', async () => {
      const e = await userUsageEvidence(client, busiest, 90);
      return `${e.usedInWindow}/${e.granted} used`;
    });
  };
  await runCases(EVENTS - rollup.throughSeq);
  const rest = await refreshAuditRollups(client);
  await runCases(0);

  const report = {
    benchmark: 'usage-report',
    date: new Date().toISOString(),
    provider,
    dataset: {
      events: EVENTS,
      days: DAYS,
      staff: STAFF,
      members: MEMBERS,
      generator: `lib/audit/synthetic (seed ${SEED})`,
      actorsInTrail: actors,
      usageRollupRows: usageRows,
    },
    runsPerCase: RUNS,
    warmups: WARMUPS,
    seed: { ms: Math.round(seedMs), eventsPerSecond: Math.round(EVENTS / (seedMs / 1000)) },
    rollups: {
      ms: Math.round(rollupMs),
      counted: rollup.counted,
      eventsPerSecond: Math.round(rollup.counted / (rollupMs / 1000)),
      tailRolledUpAfter: rest.counted,
    },
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    results,
  };
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  const out = path.join(root, `bench/results/usage-report-${provider}.json`);
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.table(results.map(({ detail: _detail, ...r }) => r));
  console.log(`wrote ${path.relative(root, out)}`);
  await client.$disconnect();
}

async function measure(work: () => Promise<void>): Promise<{ p50Ms: number; p95Ms: number; maxMs: number }> {
  for (let i = 0; i < WARMUPS; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await work();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Number(times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!.toFixed(2));
  return { p50Ms: at(0.5), p95Ms: at(0.95), maxMs: at(1) };
}

type StaffRow = { id: string; role: string; name: string };

/** The synthetic history as chained rows (as appendAuditEvent builds them). */
async function rows(staff: StaffRow[], members: string[], from: Date, to: Date) {
  const { syntheticAuditEvents } = await import('../lib/audit/synthetic');
  const { canonicalize } = await import('../lib/audit/canonical-json');
  const { computeEventHash, GENESIS_HASH } = await import('../lib/audit/hash');
  const { randomUUID } = await import('node:crypto');
  return function* () {
    let prevHash = GENESIS_HASH;
    let prevTs = 0;
    let seq = 0;
    for (const { at, input } of syntheticAuditEvents({
      seed: SEED,
      from,
      to,
      count: EVENTS,
      staff,
      members,
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
  };
}

const COLUMNS = AUDIT_EVENT_CSV_COLUMNS;

/** SQLite bulk load (secondary indexes dropped, then rebuilt from their own DDL). */
function seedSqlite(file: string, source: () => Generator<Record<string, unknown>>): number {
  const raw = new Database(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = OFF');
  raw.pragma('cache_size = -262144');
  const indexes = raw
    .prepare(`SELECT "name", "sql" FROM sqlite_master WHERE "type" = 'index' AND "tbl_name" = 'AuditEvent' AND "sql" IS NOT NULL`)
    .all() as { name: string; sql: string }[];
  for (const index of indexes) raw.exec(`DROP INDEX "${index.name}"`);
  const insert = raw.prepare(
    `INSERT INTO "AuditEvent" (${COLUMNS.map((c) => `"${c}"`).join(',')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(',')})`,
  );
  const flush = raw.transaction((batch: Record<string, unknown>[]) => {
    for (const row of batch) insert.run(row);
  });
  let batch: Record<string, unknown>[] = [];
  let n = 0;
  for (const row of source()) {
    batch.push({ ...row, ts: (row.ts as Date).toISOString().replace('Z', '+00:00') });
    if (batch.length === 10_000) {
      flush(batch);
      n += batch.length;
      batch = [];
      if (n % 100_000 === 0) console.log(`  ${n} events`);
    }
  }
  flush(batch);
  n += batch.length;
  for (const index of indexes) raw.exec(index.sql);
  raw.prepare(`UPDATE "AuditLock" SET "appends" = ? WHERE "id" = 1`).run(n);
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();
  return n;
}

/** PostgreSQL bulk load: multi-row INSERTs of 1000, secondary indexes rebuilt afterwards. */
async function seedPostgres(client: DbHandle['db'], staff: StaffRow[], members: string[], from: Date, to: Date): Promise<number> {
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
  const source = await rows(staff, members, from, to);
  for (const row of source()) {
    for (const c of COLUMNS) values.push(c === 'ts' ? (row.ts as Date).toISOString() : (row as Record<string, unknown>)[c]);
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
  await client.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL maintenance_work_mem = '256MB'`);
      for (const index of indexes) await tx.$executeRawUnsafe(index.indexdef);
    },
    { timeout: 30 * 60_000 },
  );
  await client.$executeRawUnsafe(`UPDATE "AuditLock" SET "appends" = $1 WHERE "id" = 1`, n);
  return n;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
