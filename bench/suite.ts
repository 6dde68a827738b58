/**
 * The benchmark suite of issue 12 for ONE database (run by bench/run.ts for
 * SQLite and for PostgreSQL; see bench/RESULTS.md "Method" for what each number
 * means):
 *
 * 1. Seed (bulk path): USERS users (100,000) and EVENTS audit events
 *    (1,000,000, lib/audit/synthetic chained as appendAuditEvent chains them,
 *    bench/trail-seed.ts), the dashboard rollups, one open ticket and a
 *    superadmin with an enrolled authenticator. BENCH_REUSE=1 keeps a database
 *    seeded at the same sizes by an earlier run.
 * 2. audit verification: verifyChain (what `npm run audit:verify` runs first)
 *    next to rawReadAndHash (bench/raw-hash.ts) on the same rows.
 * 3. HTTP against the production build (`node server.mjs`, NODE_ENV=production,
 *    BENCH_NEXT_DIST_DIR): /users and /audit at 1, 8 and 32 clients with
 *    autocannon, signed in as the superadmin through a real Session row and the
 *    cookie next-auth would set; every response must be 200 and contain the
 *    page's table. Then the audited server action commentOnTicketAction
 *    (ticket.comment) POSTed as the browser posts it (Next-Action id from the
 *    build's server-reference manifest). The server's VmRSS is sampled throughout.
 * 4. In process: the same action through defineAction in a request scope
 *    (tests/helpers/request-scope) next to the same two writes done directly
 *    with Prisma (no guard, no audit), interleaved, same database.
 * 5. In process: appendAuditEvent, one transaction per event, sequential and
 *    with WRITERS concurrent writers, next to raw driver inserts of equivalent
 *    chained rows, one transaction per event (better-sqlite3 / pg).
 *
 *   tsx --conditions=react-server bench/suite.ts --provider=sqlite|postgres [--smoke]
 *
 * Writes <out>/suite-<provider>.json (out: bench/results, or BENCH_OUT_DIR; smoke: a temp dir).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { DbHandle, Db } from '../lib/db/client';
import { rawReadAndHash } from './raw-hash';
import { chainedRows, seedPostgres, seedSqlite, stubNextNavigation, type StaffRow } from './trail-seed';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);
const argValue = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

const SMOKE = process.argv.includes('--smoke');
const PROVIDER = (argValue('provider') ?? 'sqlite') as 'sqlite' | 'postgres';
const OUT_DIR = process.env.BENCH_OUT_DIR ?? path.join(root, 'bench/results');
const USERS = num('BENCH_USERS', SMOKE ? 2_000 : 100_000);
const EVENTS = num('BENCH_EVENTS', SMOKE ? 20_000 : 1_000_000);
const STAFF = 50;
const MEMBERS_IN_TRAIL = 10_000;
const LOAD_SECONDS = num('BENCH_LOAD_SECONDS', SMOKE ? 2 : 15);
const CLIENTS = [1, 8, 32];
const ACTION_CLIENTS = [1, 8];
const MUTATIONS = num('BENCH_MUTATIONS', SMOKE ? 100 : 1000);
const APPENDS = num('BENCH_APPENDS', SMOKE ? 200 : 2000);
const WRITERS = 8;
const PORT = num('BENCH_PORT', 3300);
const DIST = process.env.BENCH_NEXT_DIST_DIR ?? '';
const REUSE = process.env.BENCH_REUSE === '1';
const SEED = 20_261_203;
const DAY = 86_400_000;
const APP_URL = `http://127.0.0.1:${PORT}`;
const AUTH_SECRET = 'bench-secret-bench-secret-bench-secret-0000';
const USER_AGENT = 'warden-bench';

const sqliteFile = process.env.BENCH_SQLITE_FILE ?? path.join(SMOKE ? OUT_DIR : path.join(root, 'var/bench'), 'suite.db');
const pgBase = process.env.BENCH_PG_URL ?? process.env.TEST_PG_URL ?? '';
const pgDatabase = SMOKE ? 'warden_bench_smoke' : 'warden_bench';
const url = PROVIDER === 'sqlite' ? `file:${sqliteFile}` : withDatabase(pgBase, pgDatabase);
const metaFile = PROVIDER === 'sqlite' ? `${sqliteFile}.meta.json` : path.join(root, 'var/bench', `suite-${pgDatabase}.meta.json`);

process.env.DATABASE_URL = url;
process.env.AUTH_SECRET = AUTH_SECRET;
process.env.APP_URL = APP_URL;
process.env.LOG_LEVEL = 'silent';

function withDatabase(base: string, database: string): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

export type Stats = { n: number; meanMs: number; p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number };

function stats(times: number[]): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0);
  const mean = sorted.reduce((s, t) => s + t, 0) / Math.max(1, sorted.length);
  return { n: sorted.length, meanMs: round(mean), p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), maxMs: at(1) };
}
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/** next/headers → the integration tests' request scope; next/cache → no-ops (nothing is cached outside a Next server). */
async function stubRequestScope() {
  const scope = await import('../tests/helpers/request-scope');
  const install = (specifier: string, exports: Record<string, unknown>) => {
    const file = require.resolve(specifier);
    const stub = new Module(file);
    stub.filename = file;
    stub.loaded = true;
    stub.exports = exports;
    require.cache[file] = stub;
  };
  install('next/headers', { headers: scope.headers, cookies: scope.cookies });
  install('next/cache', { revalidatePath: () => undefined, revalidateTag: () => undefined, updateTag: () => undefined });
  return scope;
}

// ---- database ------------------------------------------------------------------

async function ensurePgDatabase() {
  const admin = new pg.Client({ connectionString: pgBase });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [pgDatabase]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${pgDatabase}"`);
  } finally {
    await admin.end();
  }
}

interface SeedMeta {
  url: string;
  users: number;
  events: number;
  seededAt: string;
  usersMs: number;
  eventsMs: number;
  eventsPerSecond: number;
  indexBuildMs: number;
  rollupMs: number;
  superadminId: string;
  ticketId: string;
}

function readMeta(): SeedMeta | null {
  try {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as SeedMeta;
    return meta.url === url && meta.users === USERS && meta.events === EVENTS ? meta : null;
  } catch {
    return null;
  }
}

async function seed(client: Db): Promise<SeedMeta> {
  const roles = ['member', 'member', 'member', 'member', 'support', 'auditor', 'admin'];
  const statuses = ['active', 'active', 'active', 'suspended', 'disabled'];
  const staffRole = (i: number) => (i === 0 ? 'admin' : i < 3 ? 'superadmin' : i < 10 ? 'admin' : i < 16 ? 'auditor' : 'support');
  const usersStarted = performance.now();
  const now = Date.now();
  await client.user.createMany({
    data: Array.from({ length: STAFF }, (_, i) => ({
      email: `staff${String(i).padStart(2, '0')}@bench.warden.test`,
      name: `Staff ${i}`,
      role: staffRole(i),
    })),
  });
  const { configuredSecretBox } = await import('../lib/auth/secret-box');
  const { generateTotpSecret } = await import('../lib/auth/totp');
  const superadmin = await client.user.create({
    data: { email: 'bench-superadmin@bench.warden.test', name: 'Bench Superadmin', role: 'superadmin' },
    select: { id: true },
  });
  // Enrolled as the enrolment flow stores it: the seed sealed with the app's key, bound to the user id.
  await client.user.update({
    where: { id: superadmin.id },
    data: { totpSecretEnc: configuredSecretBox().seal(generateTotpSecret(), superadmin.id), totpEnabledAt: new Date() },
  });
  const bulk = USERS - STAFF - 1;
  for (let i = 0; i < bulk; i += 5000) {
    await client.user.createMany({
      data: Array.from({ length: Math.min(5000, bulk - i) }, (_, k) => {
        const n = i + k;
        return {
          email: `user${n.toString().padStart(6, '0')}@bench.warden.test`,
          name: `Bench User ${n}`,
          role: n < MEMBERS_IN_TRAIL ? 'member' : roles[n % roles.length]!,
          status: n < MEMBERS_IN_TRAIL ? 'active' : statuses[n % statuses.length]!,
          lastActiveAt: n % 9 === 0 ? null : new Date(now - (n % 90) * DAY - (n % 1440) * 60_000),
          createdAt: new Date(now - n * 60_000),
        };
      }),
    });
  }
  const usersMs = performance.now() - usersStarted;

  const staff: StaffRow[] = await client.user.findMany({
    where: { email: { startsWith: 'staff' } },
    select: { id: true, role: true, name: true },
    orderBy: { email: 'asc' },
  });
  const members = (
    await client.user.findMany({
      where: { role: 'member', email: { startsWith: 'user' } },
      select: { id: true },
      orderBy: { email: 'asc' },
      take: MEMBERS_IN_TRAIL,
    })
  ).map((m) => m.id);
  const to = new Date(Date.now() - 60_000);
  const from = new Date(to.getTime() - 90 * DAY);
  const eventsStarted = performance.now();
  const rows = chainedRows({ seed: SEED, events: EVENTS, staff, members, from, to });
  const { indexMs } = PROVIDER === 'sqlite' ? await seedSqlite(sqliteFile, rows) : await seedPostgres(client, rows);
  const eventsMs = performance.now() - eventsStarted;
  await client.$executeRawUnsafe(PROVIDER === 'sqlite' ? 'ANALYZE' : 'ANALYZE');
  // The server's rollup scheduler would otherwise fold the whole trail in during the load runs.
  const { refreshAuditRollups } = await import('../lib/audit/rollup');
  const rollupStarted = performance.now();
  await refreshAuditRollups(client);
  const rollupMs = performance.now() - rollupStarted;

  const ticket = await client.ticket.create({
    data: { number: 1, requesterId: members[0]!, subject: 'Bench ticket', body: 'Comments are added to this ticket by the benchmark.' },
    select: { id: true },
  });
  const meta: SeedMeta = {
    url,
    users: USERS,
    events: EVENTS,
    seededAt: new Date().toISOString(),
    usersMs: Math.round(usersMs),
    eventsMs: Math.round(eventsMs),
    eventsPerSecond: Math.round(EVENTS / (eventsMs / 1000)),
    indexBuildMs: Math.round(indexMs),
    rollupMs: Math.round(rollupMs),
    superadminId: superadmin.id,
    ticketId: ticket.id,
  };
  fs.mkdirSync(path.dirname(metaFile), { recursive: true });
  fs.writeFileSync(metaFile, JSON.stringify(meta, null, 2) + '\n');
  return meta;
}

// ---- session -------------------------------------------------------------------

/** A real Session row for the superadmin and the cookie next-auth sets for it (as tests/helpers/action-harness signIn). */
async function signIn(client: Db, userId: string) {
  const { createSessionRow } = await import('../lib/auth/sessions');
  const { sessionCookieName } = await import('../lib/auth/next-auth');
  const { ABSOLUTE_LIFETIME_MS } = await import('../lib/auth/session-policy');
  // next-auth's own encoder, so the cookie is exactly what it would set (as the action harness does).
  const { encode } = await import('next-auth/jwt');
  const user = await client.user.findUniqueOrThrow({ where: { id: userId }, select: { sessionVersion: true } });
  const { secret, sessionId } = await client.$transaction((tx) =>
    createSessionRow(tx, {
      userId,
      sessionVersion: user.sessionVersion,
      now: new Date(),
      ip: '127.0.0.1',
      userAgent: USER_AGENT,
      amr: 'pwd+otp',
    }),
  );
  const name = sessionCookieName();
  const value = await encode({ token: { sid: secret }, secret: AUTH_SECRET, salt: name, maxAge: ABSOLUTE_LIFETIME_MS / 1000 });
  return { name, value, sessionId };
}

// ---- HTTP ----------------------------------------------------------------------

export interface LoadPoint {
  path: string;
  clients: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  ok: number;
  non2xx: number;
  errors: number;
  mismatches: number;
  latency: Stats;
  rssMiB: { median: number; max: number };
}

function rssMiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

async function waitForServer(base: string, deadlineMs: number) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      const res = await fetch(`${base}/sign-in`, { redirect: 'manual' });
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`the server did not answer on ${base} within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The id of an exported server action in the build's server-reference manifest. */
function actionId(dist: string, exportedName: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, dist, 'server/server-reference-manifest.json'), 'utf8')) as {
    node: Record<string, { exportedName?: string; filename?: string }>;
  };
  const hit = Object.entries(manifest.node).find(([, v]) => v.exportedName === exportedName);
  if (!hit) throw new Error(`${exportedName} is not in ${dist}/server/server-reference-manifest.json`);
  return hit[0];
}

async function runHttp(client: Db, meta: SeedMeta, cookie: { name: string; value: string }) {
  if (!DIST) return { skipped: 'no production build given (BENCH_NEXT_DIST_DIR is unset): the HTTP part was skipped' };
  if (!fs.existsSync(path.join(root, DIST, 'BUILD_ID'))) {
    return { skipped: `no production build in ${DIST} (no BUILD_ID): the HTTP part was skipped` };
  }
  const { default: autocannon } = await import('autocannon');
  const runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-server-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    NEXT_DIST_DIR: DIST,
    HOST: '127.0.0.1',
    PORT: String(PORT),
    DATABASE_URL: url,
    APP_URL,
    AUTH_SECRET,
    LOG_LEVEL: 'warn',
    WARDEN_AUDIT_CHECKPOINT_DIR: path.join(runtimeDir, 'checkpoints'),
    WARDEN_AUDIT_PUBLIC_KEYS_FILE: path.join(runtimeDir, 'public-keys.json'),
    WARDEN_OUTBOX_DIR: path.join(runtimeDir, 'outbox'),
  };
  const log = fs.openSync(path.join(runtimeDir, 'server.log'), 'w');
  const server = spawn(process.execPath, ['server.mjs'], { cwd: root, env, stdio: ['ignore', log, log] });
  const pid = server.pid!;
  const samples: { t: number; mib: number }[] = [];
  const sampler = setInterval(() => {
    const mib = rssMiB(pid);
    if (mib !== null) samples.push({ t: Date.now(), mib });
  }, 200);
  const base = APP_URL;
  const headers = { cookie: `${cookie.name}=${cookie.value}`, 'user-agent': USER_AGENT };
  const window = (from: number) => samples.filter((s) => s.t >= from).map((s) => s.mib);
  try {
    await waitForServer(base, 90_000);
    const idleRss = rssMiB(pid);
    const pages = [
      { path: '/users', marker: '<caption class="sr-only">Users</caption>' },
      { path: '/audit', marker: '<caption class="sr-only">Audit events, newest first</caption>' },
    ];
    for (const p of pages) {
      const res = await fetch(base + p.path, { headers, redirect: 'manual' });
      const body = await res.text();
      if (res.status !== 200 || !body.includes(p.marker)) {
        throw new Error(`GET ${p.path} as the bench superadmin: ${res.status}, table ${body.includes(p.marker) ? 'present' : 'missing'}`);
      }
    }
    const load = async (opts: {
      path: string;
      clients: number;
      seconds: number;
      verify: (body: string) => boolean;
      method?: 'GET' | 'POST';
      extraHeaders?: Record<string, string>;
      body?: string;
    }): Promise<LoadPoint> => {
      const startedAt = Date.now();
      const times: number[] = [];
      const instance = autocannon({
        url: base + opts.path,
        connections: opts.clients,
        duration: opts.seconds,
        method: opts.method ?? 'GET',
        headers: { ...headers, ...opts.extraHeaders },
        ...(opts.body !== undefined ? { body: opts.body } : {}),
        verifyBody: opts.verify,
        timeout: 30,
      });
      instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => times.push(responseTime));
      const r = await instance;
      const rss = window(startedAt);
      const requests = r.requests.total;
      return {
        path: opts.path,
        clients: opts.clients,
        seconds: opts.seconds,
        requests,
        requestsPerSecond: round(requests / ((r.duration as number) || opts.seconds), 1),
        ok: r['2xx'],
        non2xx: r.non2xx,
        errors: r.errors + r.timeouts,
        mismatches: r.mismatches ?? 0,
        latency: stats(times),
        rssMiB: { median: stats(rss).p50Ms, max: Math.max(0, ...rss) },
      };
    };
    const loadStarted = Date.now();
    const results: LoadPoint[] = [];
    for (const p of pages) {
      // Warm-up (not recorded): JIT, route chunks, page cache.
      await load({ path: p.path, clients: 8, seconds: Math.min(2, LOAD_SECONDS), verify: (b) => b.includes(p.marker) });
      for (const clients of CLIENTS) {
        const point = await load({ path: p.path, clients, seconds: LOAD_SECONDS, verify: (b) => b.includes(p.marker) });
        console.log(
          `  GET ${p.path} ×${clients}: ${point.requestsPerSecond} req/s, p50 ${point.latency.p50Ms} / p95 ${point.latency.p95Ms} / p99 ${point.latency.p99Ms} ms, non-2xx ${point.non2xx}, mismatches ${point.mismatches}`,
        );
        results.push(point);
      }
    }
    // The audited mutation, posted as the browser's action call posts it: encodeReply of the
    // argument list (plain JSON for a plain object), Next-Action = the action's id, same origin.
    const id = actionId(DIST, 'commentOnTicketAction');
    const ticketPath = `/tickets/${meta.ticketId}`;
    // Every run starts from the same ticket: no notes left by an earlier run on a reused database
    // (the page the action re-renders shows up to TICKET_CONVERSATION_LIMIT of them).
    await client.ticketComment.deleteMany({ where: { ticketId: meta.ticketId } });
    const actionHeaders = {
      'next-action': id,
      accept: 'text/x-component',
      'content-type': 'text/plain;charset=UTF-8',
      origin: base,
      'sec-fetch-site': 'same-origin',
    };
    const actionBody = JSON.stringify([{ ticketId: meta.ticketId, kind: 'internal', body: 'Benchmark note over HTTP.' }]);
    const probe = await fetch(base + ticketPath, { method: 'POST', headers: { ...headers, ...actionHeaders }, body: actionBody });
    const probeText = await probe.text();
    if (probe.status !== 200 || !probeText.includes('"ok":true')) {
      throw new Error(`the action call was not accepted: ${probe.status} ${probeText.slice(0, 300)}`);
    }
    const actionResults: LoadPoint[] = [];
    for (const clients of ACTION_CLIENTS) {
      const point = await load({
        path: ticketPath,
        clients,
        seconds: LOAD_SECONDS,
        method: 'POST',
        extraHeaders: actionHeaders,
        body: actionBody,
        verify: (b) => b.includes('"ok":true'),
      });
      console.log(
        `  POST ${ticketPath} (commentOnTicketAction) ×${clients}: ${point.requestsPerSecond} ops/s, p50 ${point.latency.p50Ms} / p95 ${point.latency.p95Ms} ms, non-2xx ${point.non2xx}, mismatches ${point.mismatches}`,
      );
      actionResults.push(point);
    }
    const all = window(loadStarted);
    return {
      server: { command: 'node server.mjs', env: { NODE_ENV: 'production', NEXT_DIST_DIR: DIST, PORT: String(PORT) } },
      loadGenerator: `autocannon ${(require('autocannon/package.json') as { version: string }).version}`,
      signedInAs: 'superadmin (real Session row, amr pwd+otp, TOTP enrolled; next-auth session cookie)',
      pages: results,
      action: { name: 'commentOnTicketAction (ticket.comment)', id, path: ticketPath, points: actionResults },
      rss: { idleMiB: idleRss, peakMiB: Math.max(0, ...all), steadyMiB: stats(all).p50Ms, samples: all.length },
    };
  } finally {
    clearInterval(sampler);
    server.kill('SIGTERM');
    await new Promise((r) => {
      const t = setTimeout(() => {
        server.kill('SIGKILL');
        r(undefined);
      }, 10_000);
      server.once('exit', () => {
        clearTimeout(t);
        r(undefined);
      });
    });
    fs.closeSync(log);
  }
}

// ---- in process: guarded vs unguarded mutation ------------------------------------

async function runMutation(client: Db, meta: SeedMeta, cookie: { name: string; value: string }) {
  const scope = await import('../tests/helpers/request-scope');
  const { commentOnTicketAction } = await import('../app/(console)/tickets/_actions/comment-on-ticket');
  const { getViewer } = await import('../lib/auth/viewer');
  const requestScope = () => ({
    headers: new Headers({
      origin: APP_URL,
      'sec-fetch-site': 'same-origin',
      'x-warden-peer': '127.0.0.1',
      'x-warden-correlation-id': randomUUID(),
      'user-agent': USER_AGENT,
    }),
    cookies: new scope.CookieJar({ [cookie.name]: cookie.value }),
  });
  const viewer = await scope.runInRequestScope(requestScope(), () => getViewer());
  if (!viewer || viewer.role !== 'superadmin' || !viewer.mfaEnrolled) {
    throw new Error(`the bench session is not accepted by getViewer: ${JSON.stringify(viewer)}`);
  }
  const input = { ticketId: meta.ticketId, kind: 'internal' as const, body: 'Benchmark note in process.' };
  const guarded = async () => {
    const r = await scope.runInRequestScope(requestScope(), () => commentOnTicketAction(input));
    if (!r.ok) throw new Error(`commentOnTicketAction failed: ${r.code} ${r.message}`);
  };
  // The same writes the handler makes (comment row, ticket activity time) in one interactive transaction; no guard, no lock, no audit.
  const unguarded = async () => {
    await client.$transaction(async (tx) => {
      const at = new Date();
      await tx.ticketComment.create({
        data: { ticketId: meta.ticketId, authorId: viewer.userId, kind: input.kind, body: input.body, createdAt: at },
        select: { id: true },
      });
      await tx.ticket.update({ where: { id: meta.ticketId }, data: { lastActivityAt: at } });
    });
  };
  for (let i = 0; i < 20; i++) {
    await guarded();
    await unguarded();
  }
  const g: number[] = [];
  const u: number[] = [];
  const block = 25;
  let gMs = 0;
  let uMs = 0;
  for (let done = 0; done < MUTATIONS; done += block) {
    for (const [work, times, which] of [
      [guarded, g, 'g'],
      [unguarded, u, 'u'],
    ] as const) {
      const t0 = performance.now();
      for (let i = 0; i < block; i++) {
        const s = performance.now();
        await work();
        times.push(performance.now() - s);
      }
      if (which === 'g') gMs += performance.now() - t0;
      else uMs += performance.now() - t0;
    }
  }
  const gs = stats(g);
  const us = stats(u);
  return {
    operation: 'ticket.comment (internal note)',
    method:
      'in process, sequential, interleaved blocks of 25: commentOnTicketAction through defineAction in a request scope (session cookie → getViewer, same-origin, ability, audit lock, appendAuditEvent) vs the same comment insert + ticket update in one Prisma interactive transaction',
    guarded: { ...gs, opsPerSecond: round(g.length / (gMs / 1000), 1) },
    unguarded: { ...us, opsPerSecond: round(u.length / (uMs / 1000), 1) },
    ratioP50: round(gs.p50Ms / us.p50Ms),
    ratioMean: round(gs.meanMs / us.meanMs),
  };
}

// ---- in process: audit append vs raw inserts ----------------------------------------

async function runAppends(client: Db, meta: SeedMeta) {
  const { appendAuditEvent } = await import('../lib/audit/append');
  const { computeEventHash } = await import('../lib/audit/hash');
  const { canonicalize } = await import('../lib/audit/canonical-json');
  const { AUDIT_EVENT_CSV_COLUMNS: COLUMNS } = await import('../lib/audit/csv');
  const input = (i: number) => ({
    actor: { id: meta.superadminId, role: 'superadmin', sessionId: null },
    ip: '203.0.113.7',
    userAgent: USER_AGENT,
    correlationId: randomUUID(),
    operation: 'ticket.comment' as const,
    target: { type: 'Ticket', id: meta.ticketId },
    outcome: 'success' as const,
    details: { chars: 26, kind: 'internal', n: i },
    policyVersion: 'policies@bench',
    decision: 'rule:bench',
  });
  const appendOnce = (i: number) => client.$transaction((tx) => appendAuditEvent(tx, input(i)));
  for (let i = 0; i < 20; i++) await appendOnce(i);

  const timedRun = async (writers: number, work: (i: number) => Promise<unknown>) => {
    const times: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (let i = next++; i < APPENDS; i = next++) {
          const s = performance.now();
          await work(i);
          times.push(performance.now() - s);
        }
      }),
    );
    const ms = performance.now() - t0;
    return { writers, events: APPENDS, ms: Math.round(ms), eventsPerSecond: round(APPENDS / (ms / 1000), 1), latency: stats(times) };
  };
  const appendSeq = await timedRun(1, appendOnce);
  const appendConc = await timedRun(WRITERS, appendOnce);

  // Raw: the same kind of row, chained from the current head, built before the clock starts.
  const buildRows = async () => {
    const head = await client.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true, ts: true } });
    let prev = head.hash;
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < APPENDS; i++) {
      const x = input(i);
      const event = {
        seq: head.seq + 1 + i,
        id: randomUUID(),
        ts: new Date(Math.max(Date.now(), head.ts.getTime())),
        actorId: x.actor.id,
        actorRole: x.actor.role,
        actorSessionId: null,
        ip: x.ip,
        userAgent: x.userAgent,
        correlationId: x.correlationId,
        operation: x.operation,
        targetType: x.target.type,
        targetId: x.target.id,
        outcome: x.outcome,
        reasonCode: null,
        reason: null,
        details: canonicalize(x.details),
        policyVersion: x.policyVersion,
        decision: x.decision,
      };
      const hash = computeEventHash(prev, event);
      rows.push({ ...event, prevHash: prev, hash });
      prev = hash;
    }
    return rows;
  };
  let rawSeq;
  let rawConc;
  let rawDriver: string;
  if (PROVIDER === 'sqlite') {
    rawDriver = 'better-sqlite3 (WAL, synchronous=NORMAL as the app sets it): BEGIN IMMEDIATE; INSERT; COMMIT per event';
    const raw = new Database(sqliteFile);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('busy_timeout = 10000');
    const insert = raw.prepare(
      `INSERT INTO "AuditEvent" (${COLUMNS.map((c) => `"${c}"`).join(',')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(',')})`,
    );
    const one = raw.transaction((row: Record<string, unknown>) => insert.run(row));
    const sqliteRow = (r: Record<string, unknown>) => ({ ...r, ts: (r.ts as Date).toISOString().replace('Z', '+00:00') });
    let rows = (await buildRows()).map(sqliteRow);
    rawSeq = await timedRun(1, async (i) => one.immediate(rows[i]!));
    // better-sqlite3 is synchronous and SQLite has one writer: "concurrent" raw writers are the same loop.
    rows = (await buildRows()).map(sqliteRow);
    rawConc = await timedRun(WRITERS, async (i) => one.immediate(rows[i]!));
    raw.close();
  } else {
    rawDriver = 'pg (node-postgres), one pooled connection per writer: BEGIN; INSERT; COMMIT per event';
    const pool = new pg.Pool({ connectionString: url, max: WRITERS });
    const sql = `INSERT INTO "AuditEvent" (${COLUMNS.map((c) => `"${c}"`).join(',')}) VALUES (${COLUMNS.map((c, k) =>
      c === 'ts' ? `($${k + 1}::timestamptz AT TIME ZONE 'UTC')` : `$${k + 1}`,
    ).join(',')})`;
    const insertOne = async (row: Record<string, unknown>) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query({
          name: 'bench-audit-insert',
          text: sql,
          values: COLUMNS.map((k) => (k === 'ts' ? (row.ts as Date).toISOString() : row[k])),
        });
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    };
    let rows = await buildRows();
    rawSeq = await timedRun(1, (i) => insertOne(rows[i]!));
    rows = await buildRows();
    rawConc = await timedRun(WRITERS, (i) => insertOne(rows[i]!));
    await pool.end();
  }
  // Keep the lock row's counter equal to the number of events, as the bulk seeder does.
  await client.$executeRawUnsafe(`UPDATE "AuditLock" SET "appends" = (SELECT max("seq") FROM "AuditEvent") WHERE "id" = 1`);
  return {
    appendMethod:
      'db.$transaction((tx) => appendAuditEvent(tx, event)) per event (Prisma interactive transaction, audit lock, head read, hash, insert)',
    rawMethod: rawDriver,
    append: { sequential: appendSeq, concurrent: appendConc },
    raw: { sequential: rawSeq, concurrent: rawConc },
    ratioSequential: round(appendSeq.eventsPerSecond / rawSeq.eventsPerSecond, 3),
    ratioConcurrent: round(appendConc.eventsPerSecond / rawConc.eventsPerSecond, 3),
  };
}

// ---- verify ------------------------------------------------------------------------

/** auditDashboard (the activity dashboards) over the seeded trail, as the signed-in superadmin: 3 warm-ups, then 10 timed runs per window. */
async function runDashboards(cookie: { name: string; value: string }) {
  const scope = await import('../tests/helpers/request-scope');
  const { getViewer } = await import('../lib/auth/viewer');
  const { auditDashboard } = await import('../lib/dal/audit-dashboard');
  const { AuditFilterSchema } = await import('../lib/validation/audit-filter');
  const { measure } = await import('./trail-seed');
  const requestScope = () => ({
    headers: new Headers({
      origin: APP_URL,
      'x-warden-peer': '127.0.0.1',
      'x-warden-correlation-id': randomUUID(),
      'user-agent': USER_AGENT,
    }),
    cookies: new scope.CookieJar({ [cookie.name]: cookie.value }),
  });
  const viewer = await scope.runInRequestScope(requestScope(), () => getViewer());
  if (!viewer) throw new Error('the bench session is not accepted by getViewer');
  const out = [];
  for (const window of ['24h', '7d', '30d', '90d']) {
    const filter = AuditFilterSchema.parse({ window });
    let events = 0;
    const t = await measure(
      async () => {
        events = (await scope.runInRequestScope(requestScope(), () => auditDashboard(viewer, filter))).totals.events;
      },
      { runs: 10, warmups: 3 },
    );
    out.push({ window, events, ...t });
  }
  return out;
}

async function runVerify(client: Db) {
  const { verifyChain } = await import('../lib/audit/verify');
  // raw first (also warms the page cache), then verifyChain, then raw again; the faster raw run is the limit.
  const raw1 = await rawReadAndHash(url);
  const t0 = performance.now();
  const chain = await verifyChain(client);
  const ms = performance.now() - t0;
  if (!chain.ok) throw new Error(`the chain does not verify: ${JSON.stringify(chain)}`);
  const raw2 = await rawReadAndHash(url);
  const raw = raw1.ms <= raw2.ms ? raw1 : raw2;
  const eventsPerSecond = Math.round(chain.count / (ms / 1000));
  return {
    verifyChain: { events: chain.count, ms: Math.round(ms), eventsPerSecond },
    rawReadAndHash: { events: raw.events, ms: raw.ms, eventsPerSecond: raw.eventsPerSecond, runsMs: [raw1.ms, raw2.ms] },
    ratio: round(eventsPerSecond / raw.eventsPerSecond, 3),
  };
}

// ---- versions, targets, main --------------------------------------------------------

async function versions(client: Db) {
  const pkg = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  let database: string;
  if (PROVIDER === 'sqlite') {
    const rows = await client.$queryRawUnsafe<{ v: string }[]>('SELECT sqlite_version() AS v');
    database = `SQLite ${rows[0]?.v} (better-sqlite3 ${pkg('better-sqlite3')})`;
  } else {
    const rows = await client.$queryRawUnsafe<{ v: string }[]>('SHOW server_version');
    database = `PostgreSQL ${(rows[0] as unknown as { server_version: string }).server_version} (pg ${pkg('pg')})`;
  }
  return {
    node: process.version,
    next: pkg('next'),
    prisma: pkg('@prisma/client'),
    react: pkg('react'),
    database,
    autocannon: pkg('autocannon'),
  };
}

async function main() {
  if (PROVIDER === 'postgres' && !pgBase) throw new Error('no PostgreSQL: set BENCH_PG_URL or TEST_PG_URL');
  fs.mkdirSync(OUT_DIR, { recursive: true });
  stubNextNavigation();
  await stubRequestScope();
  const { migrateDeploy, migrateReset } = await import('../lib/db/migrate');
  const { createDb } = await import('../lib/db/client');
  if (PROVIDER === 'postgres') await ensurePgDatabase();
  let meta = REUSE ? readMeta() : null;
  // A reused database gets the migrations added since it was seeded.
  if (meta) await migrateDeploy(url);
  if (!meta) {
    if (PROVIDER === 'sqlite') {
      fs.mkdirSync(path.dirname(sqliteFile), { recursive: true });
      for (const suffix of ['', '-wal', '-shm', '.meta.json']) fs.rmSync(sqliteFile + suffix, { force: true });
      await migrateDeploy(url);
    } else {
      fs.rmSync(metaFile, { force: true });
      await migrateReset(url);
    }
  }
  const handle = await createDb({ url, poolSize: WRITERS + 2 });
  (globalThis as { wardenDb?: Promise<DbHandle> }).wardenDb = Promise.resolve(handle);
  const client = handle.db;
  const reused = meta !== null;
  if (!meta) {
    console.log(`[${PROVIDER}] seeding ${USERS.toLocaleString('en')} users and ${EVENTS.toLocaleString('en')} events…`);
    meta = await seed(client);
    console.log(`[${PROVIDER}] seeded: users ${meta.usersMs} ms, events ${meta.eventsMs} ms (${meta.eventsPerSecond}/s)`);
  } else {
    console.log(`[${PROVIDER}] reusing the database seeded ${meta.seededAt}`);
  }
  const report: Record<string, unknown> = {
    benchmark: 'suite',
    smoke: SMOKE,
    date: new Date().toISOString(),
    provider: PROVIDER,
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      os: `${os.type()} ${os.release()}`,
    },
    versions: await versions(client),
    runCommand: process.env.RUN_COMMAND ?? 'npm run bench:suite',
    // The BENCH_* settings that shaped the run (sizes, reuse, build dir), then the command itself.
    command: [
      ...Object.entries(process.env)
        .filter(([k]) => k.startsWith('BENCH_') && k !== 'BENCH_PG_URL' && k !== 'BENCH_OUT_DIR')
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`),
      `npx tsx --conditions=react-server bench/suite.ts ${process.argv.slice(2).join(' ')}`.trim(),
    ].join(' '),
    dataset: { users: USERS, events: EVENTS, seededEvents: EVENTS, staffInTrail: STAFF, membersInTrail: MEMBERS_IN_TRAIL },
    seed: { reused, ...meta, url: undefined },
  };
  const save = () => {
    const out = path.join(OUT_DIR, `suite-${PROVIDER}.json`);
    fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
    return out;
  };
  console.log(`[${PROVIDER}] verify vs raw read-and-hash…`);
  report.verify = await runVerify(client);
  console.log(`  ${JSON.stringify(report.verify)}`);
  const cookie = await signIn(client, meta.superadminId);
  console.log(`[${PROVIDER}] HTTP against the production build…`);
  try {
    report.http = await runHttp(client, meta, cookie);
  } catch (error) {
    report.http = { failed: error instanceof Error ? error.message : String(error) };
    console.error(`  HTTP part failed: ${String(error)}`);
  }
  if ((report.http as { skipped?: string }).skipped) console.log(`  ${(report.http as { skipped: string }).skipped}`);
  console.log(`[${PROVIDER}] guarded vs unguarded mutation (in process)…`);
  report.mutation = await runMutation(client, meta, cookie);
  console.log(`  ${JSON.stringify(report.mutation)}`);
  console.log(`[${PROVIDER}] dashboards…`);
  report.dashboards = await runDashboards(cookie);
  console.log(`  ${JSON.stringify(report.dashboards)}`);
  console.log(`[${PROVIDER}] audit append vs raw inserts…`);
  report.append = await runAppends(client, meta);
  console.log(`  ${JSON.stringify(report.append)}`);
  report.targets = targets(report);
  const out = save();
  console.table(report.targets);
  console.log(`wrote ${out}`);
  await client.$disconnect();
}

interface Target {
  what: string;
  value: string;
  target: string;
  met: boolean | null;
}

/** Issue 12's targets (reported, not asserted) from one report. */
function targets(r: Record<string, unknown>): Target[] {
  const out: Target[] = [];
  const http = r.http as { pages?: LoadPoint[] } | undefined;
  for (const p of ['/users', '/audit']) {
    const point = http?.pages?.find((x) => x.path === p && x.clients === 8);
    out.push({
      what: `${p} p95 at 8 clients (HTTP)${r.provider === 'sqlite' ? '' : ' — target stated for SQLite'}`,
      value: point ? `${point.latency.p95Ms} ms` : 'not measured',
      target: '< 100 ms',
      met: point ? point.latency.p95Ms < 100 && point.non2xx === 0 && point.mismatches === 0 : null,
    });
  }
  const m = r.mutation as { ratioP50: number; ratioMean: number } | undefined;
  if (m)
    out.push({
      what: 'audited mutation latency ÷ unguarded (p50, in process)',
      value: `${m.ratioP50}×`,
      target: '≤ 1.5×',
      met: m.ratioP50 <= 1.5,
    });
  const v = r.verify as { verifyChain: { eventsPerSecond: number }; ratio: number } | undefined;
  if (v) {
    out.push({
      what: 'audit verify (verifyChain) events/s',
      value: v.verifyChain.eventsPerSecond.toLocaleString('en'),
      target: '≥ 50,000/s',
      met: v.verifyChain.eventsPerSecond >= 50_000,
    });
    out.push({ what: 'audit verify ÷ raw read-and-hash', value: `${v.ratio}×`, target: '≥ 0.7×', met: v.ratio >= 0.7 });
  }
  const d = (r.dashboards as { window: string; events: number; p95Ms: number }[] | undefined)?.find((x) => x.window === '90d');
  if (d) {
    out.push({
      what: `auditDashboard 90d (${d.events.toLocaleString('en')} events) p95, in process`,
      value: `${d.p95Ms} ms`,
      target: '< 300 ms',
      met: d.p95Ms < 300,
    });
  }
  const a = r.append as { ratioSequential: number; ratioConcurrent: number } | undefined;
  if (a) {
    out.push({
      what: 'audit append ÷ raw inserts (sequential)',
      value: `${a.ratioSequential}×`,
      target: '(no target; reported)',
      met: null,
    });
    out.push({
      what: `audit append ÷ raw inserts (${WRITERS} writers)`,
      value: `${a.ratioConcurrent}×`,
      target: '(no target; reported)',
      met: null,
    });
  }
  return out;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
