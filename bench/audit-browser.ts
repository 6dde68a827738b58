/**
 * Benchmark: the audit browser, the event detail and the activity dashboards on a
 * 1,000,000-event trail (90 days of synthetic activity from lib/audit/synthetic for
 * 50 console accounts and 10,000 members).
 *
 * Seeding uses the bulk path, not appendAuditEvent: rows are built from the
 * generator's inputs exactly as append builds them (canonical details, ts that
 * never decreases, seq without gaps), chained with lib/audit/hash.ts and inserted
 * raw (SQLite: better-sqlite3 in 10,000-row transactions; PostgreSQL: multi-row
 * INSERTs of 1000). The full-text index fills itself (SQLite trigger; PostgreSQL
 * expression GIN index). Then the dashboard rollups are built with
 * refreshAuditRollups (timed), and the real DAL functions are timed through
 * `db()` — listAuditEvents, getAuditEventDetail, auditDashboard — as an auditor
 * (whole trail) and as an admin (own actions only). Each case: 3 warm-ups, then
 * BENCH_RUNS (default 20) timed runs; p50/p95/max in ms.
 *
 * Writes bench/results/audit-browser-<provider>.json and regenerates bench/RESULTS.md
 * from every bench/results/*.json.
 *
 *   npm run bench:audit-browser                          (SQLite, var/bench/audit-browser.db)
 *   BENCH_EVENTS=100000 npm run bench:audit-browser      (smaller trail)
 *   BENCH_DATABASE_URL=postgresql://… npm run bench:audit-browser
 *   BENCH_REUSE=1 npm run bench:audit-browser            (SQLite: keep a seeded database of the same size)
 *   npm run bench:audit-browser -- --results-only        (only regenerate bench/RESULTS.md)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Viewer } from '../lib/auth/viewer';
import type { DbHandle } from '../lib/db/client';
import type { AuditCursor, AuditFilter } from '../lib/validation/audit-filter';
import { writeResultsMarkdown } from './results-md';
import { chainedRows, measure, seedPostgres, seedSqlite, stubNextNavigation } from './trail-seed';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const url = process.env.BENCH_DATABASE_URL ?? `file:${path.join(root, 'var/bench/audit-browser.db')}`;
const provider = url.startsWith('file:') ? 'sqlite' : 'postgres';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const STAFF = 50;
const DAYS = 90;
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const WARMUPS = 3;
/** Keep an already seeded database of the same size (only the rollups are rebuilt): for iterating on the measurements. */
const REUSE = process.env.BENCH_REUSE === '1';
const SEED = 20_261_128;
const DAY = 86_400_000;
process.env.DATABASE_URL = url;
process.env.AUTH_SECRET ??= 'bench-secret-bench-secret-bench-secret-0000';
process.env.APP_URL ??= 'http://localhost:3000';
process.env.LOG_LEVEL = 'silent';

interface Timing {
  case: string;
  viewer: string;
  rows?: number;
  p50Ms?: number;
  p95Ms?: number;
  maxMs?: number;
  /** Set when the case failed instead of returning. */
  error?: string;
}

async function main() {
  if (process.argv.includes('--results-only')) {
    writeResultsMarkdown();
    console.log('wrote bench/RESULTS.md');
    return;
  }
  stubNextNavigation();
  const { migrateDeploy, migrateReset } = await import('../lib/db/migrate');
  const { createDb } = await import('../lib/db/client');
  const file = url.slice('file:'.length);
  const reuse = REUSE && provider === 'sqlite' && fs.existsSync(file) && (await headSeqOf(url)) === EVENTS;
  if (!reuse && provider === 'sqlite') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    await migrateDeploy(url);
  } else if (!reuse) {
    await migrateReset(url);
  }
  // The app's db() returns this client (lib/db keeps its handle on globalThis, like the action harness).
  const handle = await createDb({ url, poolSize: 4 });
  (globalThis as { wardenDb?: Promise<DbHandle> }).wardenDb = Promise.resolve(handle);
  const client = handle.db;

  // ---- people ---------------------------------------------------------------
  const seedStarted = performance.now();
  const staffRoles = (i: number) => (i === 0 ? 'admin' : i < 3 ? 'superadmin' : i < 10 ? 'admin' : i < 16 ? 'auditor' : 'support');
  if (!reuse) {
    await client.user.createMany({
      data: Array.from({ length: STAFF }, (_, i) => ({
        email: `staff${String(i).padStart(2, '0')}@bench.warden.test`,
        name: `Staff ${i}`,
        role: staffRoles(i),
      })),
    });
    for (let i = 0; i < MEMBERS; i += 5000) {
      await client.user.createMany({
        data: Array.from({ length: Math.min(5000, MEMBERS - i) }, (_, k) => ({
          email: `member${String(i + k).padStart(5, '0')}@bench.warden.test`,
          name: `Member ${i + k}`,
          role: 'member',
        })),
      });
    }
  }
  const staff = await client.user.findMany({
    where: { role: { not: 'member' } },
    select: { id: true, role: true, name: true, email: true },
    orderBy: { email: 'asc' },
  });
  const members = (await client.user.findMany({ where: { role: 'member' }, select: { id: true }, orderBy: { email: 'asc' } })).map(
    (m) => m.id,
  );
  const usersMs = performance.now() - seedStarted;

  // ---- events (bulk path) -----------------------------------------------------
  const eventsStarted = performance.now();
  let to = new Date(Date.now() - 60_000);
  let from = new Date(to.getTime() - DAYS * DAY);
  let inserted = EVENTS;
  let indexMs: number | null = null;
  if (reuse) {
    from = (await client.auditEvent.findFirstOrThrow({ orderBy: { seq: 'asc' }, select: { ts: true } })).ts;
    to = (await client.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' }, select: { ts: true } })).ts;
    console.log(`reusing ${file} (${EVENTS} events, ${from.toISOString()} .. ${to.toISOString()})`);
  } else if (provider === 'sqlite') {
    ({ inserted, indexMs } = await seedSqlite(file, chainedRows({ seed: SEED, events: EVENTS, staff, members, from, to })));
  } else {
    ({ inserted, indexMs } = await seedPostgres(client, chainedRows({ seed: SEED, events: EVENTS, staff, members, from, to })));
  }
  const eventsMs = performance.now() - eventsStarted;
  let verifyMs: number | null = null;
  if (!reuse) {
    // The bulk path must produce exactly what appends produce: a chain that verifies.
    const { verifyChain } = await import('../lib/audit/verify');
    const verifyStarted = performance.now();
    const chain = await verifyChain(client);
    verifyMs = performance.now() - verifyStarted;
    if (!chain.ok || chain.count !== EVENTS) throw new Error(`the seeded chain does not verify: ${JSON.stringify(chain)}`);
  }
  await client.$executeRawUnsafe(provider === 'sqlite' ? 'ANALYZE' : 'ANALYZE "AuditEvent"');

  const { rebuildAuditRollups, refreshAuditRollups } = await import('../lib/audit/rollup');
  const rollupStarted = performance.now();
  // From empty either way: a reused database gets its rollups reset and recounted.
  const rollup = reuse ? await rebuildAuditRollups(client) : await refreshAuditRollups(client);
  const rollupMs = performance.now() - rollupStarted;
  if (rollup.throughSeq !== EVENTS) throw new Error(`rollups cover ${rollup.throughSeq} of ${EVENTS} events`);
  await client.$executeRawUnsafe('ANALYZE');
  console.log(`seeded ${inserted} events in ${Math.round(eventsMs)} ms, rollups in ${Math.round(rollupMs)} ms`);

  // ---- measurements ---------------------------------------------------------
  const { listAuditEvents } = await import('../lib/dal/audit');
  const { getAuditEventDetail } = await import('../lib/dal/audit-event');
  const { auditDashboard } = await import('../lib/dal/audit-dashboard');
  const { AuditFilterSchema } = await import('../lib/validation/audit-filter');

  const person = (role: string, pick: (s: (typeof staff)[number]) => boolean = () => true) => {
    const s = staff.find((x) => x.role === role && pick(x));
    if (!s) throw new Error(`no ${role} in the bench staff`);
    const viewer: Viewer = {
      userId: s.id,
      email: s.email,
      name: s.name,
      role: role as Viewer['role'],
      sessionId: 'bench-session',
      authTime: new Date(),
      amr: 'pwd+otp',
      mfaEnrolled: true,
    };
    return viewer;
  };
  const auditor = person('auditor');
  // staff00 is the generator's busiest account (an admin): "actor=<busy staff>" and the admin's own-actions view.
  const admin = person('admin', (s) => s.email.startsWith('staff00'));
  const busyActor = admin.userId;
  const head = (await client.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' }, select: { seq: true } })).seq;
  const busiestIp = (
    await client.auditEvent.groupBy({
      by: ['ip'],
      where: { seq: { gt: head - 50_000 }, ip: { not: null } },
      _count: { _all: true },
      orderBy: { _count: { ip: 'desc' } },
      take: 1,
    })
  )[0]?.ip;
  const ip = '2001:db8:4f2a:17::2c';
  const day = new Date(to.getTime() - 60 * DAY).toISOString().slice(0, 10);
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
  const filter = (f: Record<string, string>): AuditFilter => AuditFilterSchema.parse(f);
  const cases: [string, AuditFilter][] = [
    ['no filter (7d)', filter({ window: '7d' })],
    ['operation=user.role_change (7d)', filter({ window: '7d', operation: 'user.role_change' })],
    ['actor=(busiest staff) (7d)', filter({ window: '7d', actor: busyActor })],
    ['outcome=denied (7d)', filter({ window: '7d', outcome: 'denied' })],
    [`ip=${ip} (7d)`, filter({ window: '7d', ip })],
    ...(busiestIp ? ([[`ip=${busiestIp} (busiest, 7d)`, filter({ window: '7d', ip: busiestIp })]] as [string, AuditFilter][]) : []),
    ['q=phishing (7d)', filter({ window: '7d', q: 'phishing' })],
    ['q=phishing (all time)', filter({ window: 'all', q: 'phishing' })],
    [
      'operation=user.suspend + outcome=success + role=admin (30d)',
      filter({ window: '30d', operation: 'user.suspend', outcome: 'success', role: 'admin' }),
    ],
    [`custom window: ${day} (one day, 60 days ago)`, filter({ window: 'custom', from: `${day}T00:00`, to: `${next}T00:00`, tz: 'UTC' })],
    ['no filter (all time)', filter({ window: 'all' })],
  ];

  const results: Timing[] = [];
  const timeCase = async (name: string, viewer: string, work: () => Promise<number | undefined>) => {
    let rows: number | undefined;
    try {
      const t = await measure(
        async () => {
          rows = await work();
        },
        { runs: RUNS, warmups: WARMUPS },
      );
      results.push({ case: name, viewer, ...(rows !== undefined ? { rows } : {}), ...t });
    } catch (error) {
      // A failing case is a finding, not the end of the run.
      const message = error instanceof Error ? error.message.trim().split('\n').at(-1)! : String(error);
      const code = (error as { code?: unknown }).code;
      results.push({ case: name, viewer, error: `${typeof code === 'string' ? `${code}: ` : ''}${message}` });
      console.error(`${viewer}: ${name}: ${message}`);
    }
  };
  for (const [label, viewer] of [
    ['auditor', auditor],
    ['admin (own actions)', admin],
  ] as const) {
    for (const [name, f] of cases) {
      await timeCase(`listAuditEvents first page: ${name}`, label, async () => (await listAuditEvents(viewer, f)).rows.length);
    }
    // The 10th page: walk nine pages by cursor, then time the tenth.
    const deep = filter({ window: '30d', outcome: 'denied' });
    let cursor: AuditCursor = {};
    let pageNo = 1;
    for (; pageNo < 10; pageNo++) {
      const page = await listAuditEvents(viewer, deep, cursor);
      if (page.olderBefore === undefined) break;
      cursor = { before: page.olderBefore };
    }
    await timeCase(
      `listAuditEvents page ${pageNo} by cursor: outcome=denied (30d), before=${cursor.before ?? '-'}`,
      label,
      async () => (await listAuditEvents(viewer, deep, cursor)).rows.length,
    );
  }

  const recent = await client.auditEvent.findFirstOrThrow({
    where: { seq: { lte: head - 10 }, operation: 'user.role_change' },
    orderBy: { seq: 'desc' },
    select: { seq: true },
  });
  const adminOwn = await client.auditEvent.findFirstOrThrow({
    where: { actorId: admin.userId },
    orderBy: { seq: 'desc' },
    select: { seq: true },
  });
  for (const [label, viewer, seq] of [
    ['auditor', auditor, recent.seq],
    ['admin (own actions)', admin, adminOwn.seq],
  ] as const) {
    await timeCase(`getAuditEventDetail: seq ${seq}`, label, async () => {
      if ((await getAuditEventDetail(viewer, seq)) === null) throw new Error(`event ${seq} not visible to the ${label}`);
      return undefined;
    });
  }

  for (const window of ['24h', '7d', '30d', '90d']) {
    let events = 0;
    await timeCase(`auditDashboard ${window}`, 'auditor', async () => {
      events = (await auditDashboard(auditor, filter({ window }))).totals.events;
      return undefined;
    });
    const last = results.at(-1)!;
    last.case = `${last.case} (${events.toLocaleString('en')} events)`;
  }

  const plans = provider === 'sqlite' ? explainSqlite(url.slice('file:'.length), busyActor) : [];
  const report = {
    benchmark: 'audit-browser',
    date: new Date().toISOString(),
    provider,
    dataset: {
      events: EVENTS,
      days: DAYS,
      staff: STAFF,
      members: MEMBERS,
      generator: `lib/audit/synthetic (seed ${SEED})`,
      from: from.toISOString(),
      to: to.toISOString(),
    },
    runsPerCase: RUNS,
    warmups: WARMUPS,
    seed: reuse
      ? { reused: true, ...previousSeed() }
      : {
          usersMs: Math.round(usersMs),
          eventsMs: Math.round(eventsMs),
          eventsPerSecond: Math.round(EVENTS / (eventsMs / 1000)),
          ...(indexMs !== null ? { indexBuildMs: Math.round(indexMs) } : {}),
          ...(verifyMs !== null ? { chainVerifiedMs: Math.round(verifyMs) } : {}),
        },
    rollups: { ms: Math.round(rollupMs), counted: rollup.counted, eventsPerSecond: Math.round(rollup.counted / (rollupMs / 1000)) },
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    results,
    slow: results.filter((r) => r.case.startsWith('listAuditEvents') && (r.p95Ms ?? 0) > 100).map((r) => `${r.viewer}: ${r.case}`),
    failed: results.filter((r) => r.error).map((r) => `${r.viewer}: ${r.case}: ${r.error}`),
    queryPlans: plans,
  };
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  const out = path.join(root, `bench/results/audit-browser-${provider}.json`);
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.table(results);
  console.log(`wrote ${path.relative(root, out)}`);
  writeResultsMarkdown();
  console.log('wrote bench/RESULTS.md');
  await client.$disconnect();
}

/** In a reused run, the seeding numbers of the run that built the database (same provider and size). */
function previousSeed(): Record<string, unknown> {
  try {
    const previous = JSON.parse(fs.readFileSync(path.join(root, `bench/results/audit-browser-${provider}.json`), 'utf8')) as Json;
    const seed = previous.seed as Json | undefined;
    if ((previous.dataset as Json | undefined)?.events !== EVENTS || !seed || seed.reused) return {};
    return { ...seed, measuredOn: previous.date };
  } catch {
    return {};
  }
}

type Json = Record<string, unknown>;

async function headSeqOf(dbUrl: string): Promise<number> {
  const raw = new Database(dbUrl.slice('file:'.length), { readonly: true, fileMustExist: true });
  try {
    return (raw.prepare(`SELECT max("seq") AS "seq" FROM "AuditEvent"`).get() as { seq: number | null }).seq ?? 0;
  } catch {
    return 0;
  } finally {
    raw.close();
  }
}

/**
 * EXPLAIN QUERY PLAN of the first-page query for two filters, written as the SQL
 * Prisma sends for fetchAuditEvents (lib/dal/audit-query.ts): field equalities,
 * a seq range from the window, ORDER BY seq DESC LIMIT 51.
 */
function explainSqlite(file: string, actorId: string) {
  const raw = new Database(file, { readonly: true });
  const lo = (
    raw
      .prepare(`SELECT "seq" FROM "AuditEvent" WHERE "ts" >= ? ORDER BY "ts" ASC, "seq" ASC LIMIT 1`)
      .get(new Date(Date.now() - 7 * DAY).toISOString().replace('Z', '+00:00')) as { seq: number }
  ).seq;
  const queries: [string, string, unknown[]][] = [
    [
      'operation=user.role_change (7d)',
      `SELECT "seq","ts","actorId","operation","outcome","reason" FROM "AuditEvent" WHERE ("operation" = ? AND "seq" >= ?) ORDER BY "seq" DESC LIMIT 51`,
      ['user.role_change', lo],
    ],
    [
      'actor=(busiest staff) + outcome=denied (7d)',
      `SELECT "seq","ts","actorId","operation","outcome","reason" FROM "AuditEvent" WHERE ("actorId" = ? AND "outcome" = ? AND "seq" >= ?) ORDER BY "seq" DESC LIMIT 51`,
      [actorId, 'denied', lo],
    ],
    [
      'window start lookup (ts index)',
      `SELECT "seq" FROM "AuditEvent" WHERE "ts" >= ? ORDER BY "ts" ASC, "seq" ASC LIMIT 1`,
      ['2026-01-01T00:00:00.000+00:00'],
    ],
    [
      'event detail, step-up evidence (auditor: no actorId condition)',
      `SELECT "seq","ts","details","outcome" FROM "AuditEvent" WHERE ("operation" = ? AND "actorSessionId" = ? AND "seq" < ?) ORDER BY "seq" DESC LIMIT 10`,
      ['auth.step_up', 'some-session', 1_000_000],
    ],
  ];
  const plans = queries.map(([name, query, params]) => ({
    case: name,
    sql: query,
    plan: (raw.prepare(`EXPLAIN QUERY PLAN ${query}`).all(...params) as { detail: string }[]).map((r) => r.detail),
  }));
  raw.close();
  return plans;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
