/**
 * Benchmark: the Users list at 100,000 users (issue: "stays fast at 100k users").
 * Seeds a fresh SQLite database (or the PostgreSQL database in BENCH_DATABASE_URL)
 * with 100k users, then times listUsers — the real DAL function, with its
 * accessibleBy WHERE, count and page query — for the filters, sorts and pages an
 * operator uses. Writes bench/results/users-list.json and prints a table.
 *
 *   npm run bench:users            (SQLite in var/bench/users.db)
 *   BENCH_DATABASE_URL=postgresql://… npm run bench:users
 *   npm run bench:users -- --baseline   (drops the list indexes first, to measure what they buy)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const url = process.env.BENCH_DATABASE_URL ?? `file:${path.join(root, 'var/bench/users.db')}`;
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const BASELINE = process.argv.includes('--baseline');
const LIST_INDEXES = [
  'User_role_status_deletedAt_idx',
  'User_deletedAt_createdAt_idx',
  'User_deletedAt_lastActiveAt_idx',
  'User_deletedAt_name_idx',
  'User_deletedAt_email_idx',
  'User_deletedAt_role_idx',
];
process.env.DATABASE_URL = url;
process.env.AUTH_SECRET ??= 'bench-secret-bench-secret-bench-secret-0000';
process.env.LOG_LEVEL = 'silent';

async function main() {
  const { migrateDeploy, migrateReset } = await import('../lib/db/migrate');
  if (url.startsWith('file:')) {
    fs.mkdirSync(path.dirname(url.slice(5)), { recursive: true });
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(url.slice(5) + suffix, { force: true });
    await migrateDeploy(url);
  } else {
    await migrateReset(url);
  }
  const { db } = await import('../lib/db');
  const { listUsers } = await import('../lib/dal/users');
  const { UserListQuerySchema } = await import('../lib/validation/lists');
  const client = await db();

  const roles = ['member', 'member', 'member', 'member', 'support', 'auditor', 'admin'];
  const statuses = ['active', 'active', 'active', 'suspended', 'disabled'];
  const started = Date.now();
  const now = Date.now();
  for (let i = 0; i < USERS; i += 5000) {
    await client.user.createMany({
      data: Array.from({ length: Math.min(5000, USERS - i) }, (_, k) => {
        const n = i + k;
        return {
          email: `user${n.toString().padStart(6, '0')}@bench.warden.test`,
          name: `Bench User ${n}`,
          role: roles[n % roles.length]!,
          status: statuses[n % statuses.length]!,
          lastActiveAt: n % 9 === 0 ? null : new Date(now - (n % 90) * 86_400_000 - (n % 1440) * 60_000),
          createdAt: new Date(now - n * 60_000),
        };
      }),
    });
  }
  if (BASELINE) {
    // The indexes added for the list (migration user_list_indexes), dropped to measure without them.
    for (const name of LIST_INDEXES) await client.$executeRawUnsafe(`DROP INDEX IF EXISTS "${name}"`);
    await client.$executeRawUnsafe('CREATE INDEX IF NOT EXISTS "User_role_status_idx" ON "User"("role", "status")');
  }
  await client.$executeRawUnsafe(url.startsWith('file:') ? 'ANALYZE' : 'ANALYZE "User"');
  const admin = await client.user.create({ data: { email: 'bench-admin@bench.warden.test', name: 'Bench Admin', role: 'admin' } });
  const seedMs = Date.now() - started;
  const viewer = {
    userId: admin.id,
    role: 'admin' as const,
    email: admin.email,
    name: admin.name,
    sessionId: 's',
    authTime: new Date(),
    amr: 'pwd+otp',
    mfaEnrolled: true,
  };

  const lastPage = Math.ceil((USERS + 1) / 25);
  const cases: Record<string, Record<string, string>> = {
    'default (newest first), page 1': {},
    'default, last page': { page: String(lastPage) },
    'filter role=support status=active': { role: 'support', status: 'active' },
    'filter active in 7 days, sort by last active': { active: '7d', sort: 'lastActive', dir: 'desc' },
    'filter never active': { active: 'never' },
    'sort by name, page 100': { sort: 'name', dir: 'asc', page: '100' },
    'sort by email desc': { sort: 'email', dir: 'desc' },
    'search "user04242"': { q: 'user04242' },
    'search "Bench User 9999"': { q: 'Bench User 9999' },
  };
  const results = [];
  for (const [name, params] of Object.entries(cases)) {
    const query = UserListQuerySchema.parse(params);
    await listUsers(viewer, query); // warm-up
    const times: number[] = [];
    let total = 0;
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      const page = await listUsers(viewer, query);
      times.push(performance.now() - t0);
      total = page.total;
    }
    times.sort((a, b) => a - b);
    const pick = (q: number) => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2));
    results.push({ case: name, total, medianMs: pick(0.5), p95Ms: pick(0.95) });
  }
  const report = {
    benchmark: 'users-list',
    date: new Date().toISOString(),
    provider: url.startsWith('file:') ? 'sqlite' : 'postgres',
    variant: BASELINE ? 'baseline (without the list indexes)' : 'with the list indexes',
    users: USERS,
    runsPerCase: RUNS,
    seedMs,
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    results,
  };
  fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
  const out = path.join(root, `bench/results/users-list-${report.provider}${BASELINE ? '-baseline' : ''}.json`);
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.table(results);
  console.log(`wrote ${path.relative(root, out)}`);
  await client.$disconnect();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
