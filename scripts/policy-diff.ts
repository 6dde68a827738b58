/**
 * `npm run policy:diff -- <fromRev> <toRev> [--days N | --no-replay] [--json] [--repo <path>]`
 *
 * Compares the decision matrix of two git revisions of policies/ (toRev may be
 * WORKTREE: the files on disk) and lists who gains or loses what, added and
 * removed operations, catalog changes and rule ids that changed. Then it replays
 * the audit decisions of the last N days (default 30) from DATABASE_URL under the
 * new revision and lists the events whose decision would change.
 *
 * Each revision's policies/ is written to its own folder under var/policy-diff/
 * of this checkout (so `@casl/*` resolve from its node_modules) and imported from
 * there: two paths, two module instances. The folders are removed afterwards.
 * The comparison itself is policies/diff.ts (pure).
 *
 * Exit codes: 0 done (whatever changed), 1 could not finish (database, import),
 * 2 bad arguments or an unknown revision.
 *
 * Runs with `tsx --conditions=react-server` so that the server-only modules it
 * shares with the app resolve.
 */
import './load-env';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { createDb, type Db } from '@/lib/db/client';
import { providerOf, sqliteFilePath } from '@/lib/db/url';
import { env } from '@/lib/env';
import {
  addVerdict,
  diffSnapshots,
  emptyReplaySummary,
  formatReplayChange,
  replayEvent,
  replayIndexOf,
  snapshotOf,
  targetsNeedingLookup,
  type PolicyDiff,
  type PolicyModules,
  type PolicySnapshot,
  type ReplayEvent,
  type ReplaySummary,
} from '@/policies/diff';

const USAGE = `usage: npm run policy:diff -- <fromRev> <toRev> [--days N | --no-replay] [--json] [--repo <path>]

Compares the decision matrix of policies/ at two git revisions (toRev may be
WORKTREE, the files on disk) and lists who gains or loses what. Then replays the
audit decisions of the last N days in DATABASE_URL under the new revision and
lists the events whose decision would change.
  --days N      replay window in days (default 30, at most 3650)
  --no-replay   compare the matrices only (no database needed)
  --json        print one JSON object
  --repo <path> the git repository (default: this checkout)
Exit codes: 0 done, 1 could not finish, 2 bad arguments or unknown revision.`;

export const WORKTREE = 'WORKTREE';
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const BATCH = 5000;

/** This checkout: where node_modules is, so the materialised policies resolve their imports. */
const APP_ROOT = fileURLToPath(new URL('..', import.meta.url));

export class UsageError extends Error {}

const Revision = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w./~^@{}:-]+$/, { error: 'a revision is a commit, branch, tag or expression such as HEAD~1' })
  .refine((v) => !v.startsWith('-'), { error: 'a revision cannot start with "-"' });

export const PolicyDiffArgsSchema = z.strictObject({
  from: Revision,
  to: Revision,
  days: z.coerce.number().int().min(1).max(3650).default(30),
  replay: z.boolean().default(true),
  json: z.boolean().default(false),
  repo: z.string().min(1).default(APP_ROOT),
});
export type PolicyDiffOptions = z.output<typeof PolicyDiffArgsSchema>;

/** argv → options; throws UsageError with a message naming the problem. */
export function parsePolicyDiffArgs(argv: string[]): PolicyDiffOptions {
  const positional: string[] = [];
  const raw: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') raw.json = true;
    else if (arg === '--no-replay') raw.replay = false;
    else if (arg === '--days' || arg === '--repo') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      raw[arg.slice(2)] = value;
    } else if (arg.startsWith('--days=') || arg.startsWith('--repo=')) {
      const [key, value] = [arg.slice(2, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)];
      raw[key] = value;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    else positional.push(arg);
  }
  if (positional.length !== 2) throw new UsageError(`expected two revisions (<fromRev> <toRev>), got ${positional.length}`);
  if (raw.replay === false && raw.days !== undefined) throw new UsageError('--days and --no-replay exclude each other');
  const parsed = PolicyDiffArgsSchema.safeParse({ ...raw, from: positional[0], to: positional[1] });
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; '));
  }
  if (parsed.data.from === WORKTREE) throw new UsageError('only <toRev> may be WORKTREE');
  return { ...parsed.data, repo: path.resolve(parsed.data.repo) };
}

// ---------------------------------------------------------------------------
// Revisions
// ---------------------------------------------------------------------------

function git(repo: string, args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The full commit id of a revision; UsageError when git does not know it. */
export function resolveRevision(repo: string, rev: string): string {
  if (rev === WORKTREE) return WORKTREE;
  try {
    return git(repo, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).trim();
  } catch {
    throw new UsageError(`unknown revision ${JSON.stringify(rev)} in ${repo}`);
  }
}

/** Writes policies/ as it is at `commit` (or on disk) into `dir`/policies. */
function materialise(repo: string, commit: string, dir: string): void {
  const target = path.join(dir, 'policies');
  fs.mkdirSync(target, { recursive: true });
  if (commit === WORKTREE) {
    const source = path.join(repo, 'policies');
    if (!fs.existsSync(source)) throw new UsageError(`${repo} has no policies/ folder`);
    fs.cpSync(source, target, { recursive: true });
    return;
  }
  const files = git(repo, ['ls-tree', '-r', '--name-only', commit, '--', 'policies/'])
    .split('\n')
    .filter((f) => f.startsWith('policies/'));
  if (files.length === 0) throw new UsageError(`revision ${commit.slice(0, 12)} has no policies/ folder`);
  for (const file of files) {
    const out = path.join(dir, file);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, execFileSync('git', ['-C', repo, 'show', `${commit}:${file}`], { maxBuffer: 64 * 1024 * 1024 }));
  }
}

/** Imports a materialised policies/ (its own module instances) and computes its matrix. */
async function loadSnapshot(label: string, dir: string): Promise<PolicySnapshot> {
  const matrixFile = path.join(dir, 'policies', 'matrix.ts');
  const operationsFile = path.join(dir, 'policies', 'operations.ts');
  if (!fs.existsSync(matrixFile) || !fs.existsSync(operationsFile))
    throw new UsageError(`revision ${label} has no policies/matrix.ts or policies/operations.ts`);
  const matrix = (await import(/* @vite-ignore */ pathToFileURL(matrixFile).href)) as Partial<PolicyModules>;
  const operations = (await import(/* @vite-ignore */ pathToFileURL(operationsFile).href)) as Partial<PolicyModules>;
  if (typeof matrix.computeMatrix !== 'function' || !matrix.MATRIX_PRINCIPALS || !operations.OPERATIONS)
    throw new Error(`revision ${label}: policies/matrix.ts does not export computeMatrix and MATRIX_PRINCIPALS`);
  return snapshotOf(label, {
    OPERATIONS: operations.OPERATIONS,
    MATRIX_PRINCIPALS: matrix.MATRIX_PRINCIPALS,
    computeMatrix: matrix.computeMatrix,
    scopesFor: matrix.scopesFor,
  });
}

/** Both revisions' matrices, each from its own temporary copy of policies/ (removed before returning). */
export async function loadRevisions(repo: string, from: string, to: string): Promise<{ from: PolicySnapshot; to: PolicySnapshot }> {
  if (!fs.existsSync(repo)) throw new UsageError(`--repo ${repo} does not exist`);
  const fromCommit = resolveRevision(repo, from);
  const toCommit = resolveRevision(repo, to);
  const root = path.join(APP_ROOT, 'var', 'policy-diff', randomBytes(8).toString('hex'));
  try {
    const label = (rev: string, commit: string) => (commit === WORKTREE ? WORKTREE : `${rev} (${commit.slice(0, 12)})`);
    materialise(repo, fromCommit, path.join(root, 'from'));
    materialise(repo, toCommit, path.join(root, 'to'));
    return {
      from: await loadSnapshot(label(from, fromCommit), path.join(root, 'from')),
      to: await loadSnapshot(label(to, toCommit), path.join(root, 'to')),
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// Replay
// ---------------------------------------------------------------------------

export interface ReplayReport extends ReplaySummary {
  days: number;
  since: Date;
  /** Email of each actor named in `changes`. */
  actors: Record<string, string>;
}

/** Replays the trail of the last `days` days under `snapshot`, in batches of 5000 by seq. */
export async function replayTrail(db: Db, snapshot: PolicySnapshot, days: number, now: Date = new Date()): Promise<ReplayReport> {
  const since = new Date(now.getTime() - days * 86_400_000);
  const index = replayIndexOf(snapshot);
  const operations = Object.keys(snapshot.scopes);
  const summary = emptyReplaySummary();
  // ts never decreases along the chain, so the window starts at one seq.
  const first = await db.auditEvent.findFirst({ where: { ts: { gte: since } }, orderBy: { seq: 'asc' }, select: { seq: true } });
  let after = (first?.seq ?? Number.MAX_SAFE_INTEGER) - 1;
  for (;;) {
    const rows: ReplayEvent[] = await db.auditEvent.findMany({
      where: { seq: { gt: after }, operation: { in: operations }, actorRole: { not: null } },
      orderBy: { seq: 'asc' },
      take: BATCH,
      select: {
        seq: true,
        ts: true,
        actorId: true,
        actorRole: true,
        operation: true,
        targetType: true,
        targetId: true,
        outcome: true,
        reasonCode: true,
        details: true,
      },
    });
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.seq;
    const need = targetsNeedingLookup(rows);
    const roles = new Map<string, string>();
    if (need.users.length > 0) {
      for (const u of await db.user.findMany({ where: { id: { in: need.users } }, select: { id: true, role: true } }))
        roles.set(`User:${u.id}`, u.role);
    }
    if (need.sessions.length > 0) {
      for (const s of await db.session.findMany({
        where: { id: { in: need.sessions } },
        select: { id: true, user: { select: { role: true } } },
      }))
        roles.set(`Session:${s.id}`, s.user.role);
    }
    const lookup = { roleOf: (type: string, id: string) => roles.get(`${type}:${id}`) };
    for (const row of rows) addVerdict(summary, replayEvent(index, row, lookup));
    if (rows.length < BATCH) break;
  }
  const actorIds = [...new Set(summary.changes.map((c) => c.actorId).filter((id): id is string => !!id))];
  const actors: Record<string, string> = {};
  for (let i = 0; i < actorIds.length; i += 500) {
    for (const u of await db.user.findMany({ where: { id: { in: actorIds.slice(i, i + 500) } }, select: { id: true, email: true } }))
      actors[u.id] = u.email;
  }
  return { ...summary, days, since, actors };
}

// ---------------------------------------------------------------------------
// The command
// ---------------------------------------------------------------------------

export interface PolicyDiffReport {
  from: string;
  to: string;
  diff: PolicyDiff;
  replay: ReplayReport | null;
}

/** What the CLI does, minus printing: the diff and, unless `replay` is false, the replay against `db`. */
export async function runPolicyDiff(options: PolicyDiffOptions, deps: { db?: Db; now?: Date } = {}): Promise<PolicyDiffReport> {
  const snapshots = await loadRevisions(options.repo, options.from, options.to);
  const diff = diffSnapshots(snapshots.from, snapshots.to);
  let replay: ReplayReport | null = null;
  if (options.replay) {
    let db = deps.db;
    let owned = false;
    if (!db) {
      const url = env().DATABASE_URL;
      if (providerOf(url) === 'sqlite') {
        const file = sqliteFilePath(url);
        // createDb would create an empty database file; a missing one is an error here.
        if (file !== ':memory:' && !fs.existsSync(file)) throw new Error(`database file not found: ${file} (or pass --no-replay)`);
      }
      db = (await createDb({ url, poolSize: 2 })).db;
      owned = true;
    }
    try {
      replay = await replayTrail(db, snapshots.to, options.days, deps.now);
    } finally {
      if (owned) await db.$disconnect().catch(() => undefined);
    }
  }
  return { from: snapshots.from.label, to: snapshots.to.label, diff, replay };
}

export function reportToJson(report: PolicyDiffReport) {
  return {
    ...report.diff,
    replay: report.replay && {
      ...report.replay,
      since: report.replay.since.toISOString(),
      changes: report.replay.changes.map((c) => ({
        ...c,
        ts: c.ts.toISOString(),
        actorEmail: report.replay!.actors[c.actorId ?? ''] ?? null,
      })),
      actors: undefined,
    },
  };
}

export function reportToText(report: PolicyDiffReport): string {
  const { diff, replay } = report;
  const out: string[] = [`policy diff ${report.from} → ${report.to}`];
  if (diff.identical) out.push('', 'The decision matrix is the same in both revisions.');
  for (const p of diff.principals) {
    for (const [word, list] of [
      ['gains', p.gains],
      ['loses', p.losses],
    ] as const) {
      if (list.length === 0) continue;
      out.push('', `${p.principal} ${word}:`);
      for (const c of list) out.push(`  ${c.op} on ${c.scope}: ${c.change} (rule ${c.fromRule} → ${c.toRule})`);
    }
  }
  if (diff.addedOperations.length > 0) {
    out.push('', 'Added operations:');
    for (const o of diff.addedOperations) {
      out.push(`  ${o.id} — ${o.description}`);
      const who = [...new Set(o.grants.map((g) => `${g.principal} (${g.decision})`))];
      out.push(`    permitted to: ${who.length > 0 ? who.join(', ') : 'nobody'}`);
    }
  }
  if (diff.removedOperations.length > 0) {
    out.push('', 'Removed operations:');
    for (const o of diff.removedOperations) {
      const who = [...new Set(o.lost.map((g) => `${g.principal} (${g.decision})`))];
      out.push(`  ${o.id} — ${o.description}; was permitted to: ${who.length > 0 ? who.join(', ') : 'nobody'}`);
    }
  }
  if (diff.catalogChanges.length > 0) {
    out.push('', 'Catalog changes:');
    for (const c of diff.catalogChanges) out.push(`  ${c.op}: ${c.field} ${c.from} → ${c.to}`);
  }
  if (diff.ruleChanges.length > 0) {
    out.push('', 'Rule ids that changed (same decision):');
    for (const r of diff.ruleChanges) out.push(`  ${r.op} on ${r.scope}, ${r.principal}: ${r.fromRule} → ${r.toRule} (${r.decision})`);
  }
  if (replay) {
    out.push(
      '',
      `Replay of the last ${replay.days} days (since ${replay.since.toISOString()}) under ${report.to}:`,
      `  ${replay.read} events read, ${replay.replayed} replayed, ${replay.unchanged} unchanged, ${replay.changed} would change`,
      `  skipped: ${replay.skipped.not_a_policy_decision} not a policy decision (failures, step-up, reason, rate limits…), ` +
        `${replay.skipped.scope_undecided} scope not inferable and the scopes disagree, ${replay.skipped.no_actor_role} without a role column`,
    );
    if (replay.changed > 0) {
      out.push('', 'Changes per operation:');
      for (const [op, n] of Object.entries(replay.changedByOperation).sort((a, b) => b[1] - a[1])) out.push(`  ${op}: ${n}`);
      out.push('', 'Decisions that would change:');
      for (const c of replay.changes) out.push(`  ${formatReplayChange(c, replay.actors[c.actorId ?? ''])}`);
      if (replay.changesLeftOut > 0) out.push(`  … and ${replay.changesLeftOut} more (counted above)`);
    }
  }
  return `${out.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  let options: PolicyDiffOptions;
  try {
    options = parsePolicyDiffArgs(argv);
  } catch (error) {
    process.stderr.write(`policy diff: ${(error as Error).message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  try {
    const report = await runPolicyDiff(options);
    process.stdout.write(options.json ? `${JSON.stringify(reportToJson(report))}\n` : reportToText(report));
    return EXIT_OK;
  } catch (error) {
    process.stderr.write(`policy diff: ${describeError(error)}\n`);
    return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILED;
  }
}

/** One line, credentials in URLs masked; for Prisma errors the line that says what went wrong. */
function describeError(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = (lines[0]?.startsWith('Invalid `') ? lines[lines.length - 1] : lines[0]) ?? 'unknown error';
  return line.replace(/\/\/[^/@\s]*@/g, '//***@').slice(0, 500);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
