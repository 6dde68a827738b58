/**
 * `npm run bench` / `npm run bench:smoke`: every benchmark, on SQLite and on
 * PostgreSQL (when BENCH_PG_URL or TEST_PG_URL is set; otherwise PostgreSQL is
 * skipped and the output and RESULTS.md say so), then bench/RESULTS.md.
 *
 * Full (`npm run bench`, ~40–50 min on 2 cores, run it on a quiet machine):
 *   1. `next build` into .next-bench (a normal production build; BENCH_SKIP_BUILD=1 reuses an existing one)
 *   2. bench/suite.ts per provider (100,000 users, 1,000,000 events; HTTP, mutation, append, verify)
 *   3. the earlier benches: users list (per provider), audit browser + dashboards (per provider),
 *      audit-verify (SQLite) — unless BENCH_SUITE_ONLY=1
 *   4. bench/RESULTS.md regenerated from bench/results/*.json
 *   BENCH_REUSE=1 keeps the suite's databases when they were seeded at the same sizes.
 *
 * Smoke (`npm run bench:smoke`, < 3 min): the suite's code paths at 2,000 users,
 * 20,000 events and 2 s per load point, results in a temp directory (BENCH_OUT_DIR
 * to choose it) with a SUMMARY.md; bench/results and RESULTS.md are not touched.
 * It never builds: the HTTP part runs against BENCH_NEXT_DIST_DIR (an existing
 * normal production build, e.g. .next-bench) and is skipped, with a message, without it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { writeResultsMarkdown } from './results-md';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const SMOKE = process.argv.includes('--smoke');
const pgBase = process.env.BENCH_PG_URL ?? process.env.TEST_PG_URL ?? '';
const TSX = [path.join(root, 'node_modules/.bin/tsx'), '--conditions=react-server'];

function run(label: string, args: string[], env: Record<string, string> = {}): boolean {
  console.log(`\n▶ ${label}: ${args.map((a) => path.relative(root, a) || a).join(' ')}`);
  const started = Date.now();
  const r = spawnSync(args[0]!, args.slice(1), { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = r.status === 0;
  console.log(`${ok ? '✓' : '✗'} ${label} (${Math.round((Date.now() - started) / 1000)} s)`);
  return ok;
}

async function ensurePgDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: pgBase });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(pgBase);
  u.pathname = `/${name}`;
  return u.toString();
}

async function main() {
  const started = Date.now();
  const failures: string[] = [];
  const providers: ('sqlite' | 'postgres')[] = pgBase ? ['sqlite', 'postgres'] : ['sqlite'];
  if (!pgBase) {
    console.log('\n!! PostgreSQL SKIPPED: set BENCH_PG_URL (or TEST_PG_URL) to a PostgreSQL URL whose role may create databases.\n');
  }
  let outDir = path.join(root, 'bench/results');
  let dist = process.env.BENCH_NEXT_DIST_DIR ?? '';
  if (SMOKE) {
    outDir = process.env.BENCH_OUT_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'warden-bench-smoke-'));
    fs.mkdirSync(outDir, { recursive: true });
    if (!dist) console.log('\n!! No BENCH_NEXT_DIST_DIR: the smoke run skips the HTTP part (it never builds).\n');
  } else {
    dist ||= '.next-bench';
    if (process.env.BENCH_SKIP_BUILD !== '1') {
      if (!run('production build', ['npx', 'next', 'build'], { NEXT_DIST_DIR: dist, NEXT_TELEMETRY_DISABLED: '1' })) {
        throw new Error('the production build failed');
      }
    }
  }
  const common = { BENCH_OUT_DIR: outDir, BENCH_NEXT_DIST_DIR: dist, RUN_COMMAND: SMOKE ? 'npm run bench:smoke' : 'npm run bench' };
  for (const provider of providers) {
    const args = [...TSX, path.join(root, 'bench/suite.ts'), `--provider=${provider}`, ...(SMOKE ? ['--smoke'] : [])];
    if (!run(`suite (${provider})`, args, common)) failures.push(`suite (${provider})`);
  }
  if (!SMOKE && process.env.BENCH_SUITE_ONLY !== '1') {
    const dalPg = pgBase ? await ensurePgDatabase('warden_bench_dal') : '';
    const earlier: [string, string, Record<string, string>][] = [
      ['users list (sqlite)', 'bench/users-list.ts', {}],
      ['audit browser + dashboards (sqlite)', 'bench/audit-browser.ts', {}],
      ['audit-verify (sqlite)', 'bench/audit-verify.ts', {}],
      ...(dalPg
        ? ([
            ['users list (postgres)', 'bench/users-list.ts', { BENCH_DATABASE_URL: dalPg }],
            ['audit browser + dashboards (postgres)', 'bench/audit-browser.ts', { BENCH_DATABASE_URL: dalPg }],
          ] as [string, string, Record<string, string>][])
        : []),
    ];
    for (const [label, file, env] of earlier) {
      if (!run(label, [...TSX, path.join(root, file)], env)) failures.push(label);
    }
  }
  const md = SMOKE ? path.join(outDir, 'SUMMARY.md') : path.join(root, 'bench/RESULTS.md');
  writeResultsMarkdown(outDir, md);
  console.log(`\nwrote ${md}${SMOKE ? ` (results in ${outDir})` : ''}; ${Math.round((Date.now() - started) / 1000)} s in all`);
  if (!pgBase) console.log('PostgreSQL was SKIPPED (no BENCH_PG_URL / TEST_PG_URL).');
  if (failures.length) {
    console.error(`failed: ${failures.join(', ')}`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
