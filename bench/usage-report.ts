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
import os from 'node:os';
import path from 'node:path';
import type { Viewer } from '../lib/auth/viewer';
import type { DbHandle } from '../lib/db/client';
import { chainedRows, measure, seedPostgres, seedSqlite, stubNextNavigation } from './trail-seed';

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
  const trail = chainedRows({ seed: SEED, events: EVENTS, staff, members, from, to });
  const { inserted } = provider === 'sqlite' ? await seedSqlite(file, trail) : await seedPostgres(client, trail);
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
      const t = await measure(
        async () => {
          detail = await work();
        },
        { runs: RUNS, warmups: WARMUPS },
      );
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

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
