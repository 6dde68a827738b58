/**
 * `npm run audit:verify [-- --external <dir>] [--keys <file>] [--json]`: replays the
 * audit hash chain in the database named by DATABASE_URL (default
 * file:./var/warden.db; `.env` is loaded first when present), then checks every
 * checkpoint — in the database and in the external log — against the events and
 * the trusted public keys, and names the first problem with its attack class
 * (docs/audit-chain-format.md, "What the verifier checks").
 *
 * Exit codes, for cron jobs and monitoring: 0 intact, 1 tampering found, 2 usage
 * or connection error (nothing could be concluded about the trail).
 *
 * Runs with `tsx --conditions=react-server` so that the server-only modules it
 * shares with the app resolve.
 */
import fs from 'node:fs';
import { lastExternalCheckpoint } from '@/lib/audit/external-log';
import { readPublicKeysIfAny } from '@/lib/audit/signing-keys';
import type { IntegrityReport } from '@/lib/audit/verify-checkpoints';
import { verifyAuditIntegrity } from '@/lib/audit/verify-sources';
import { createDb, type Db } from '@/lib/db/client';
import { providerOf, sqliteFilePath } from '@/lib/db/url';
import { env } from '@/lib/env';

const USAGE = `usage: npm run audit:verify [-- --external <dir>] [--keys <file>] [--json]

Verifies the audit trail in DATABASE_URL (default file:./var/warden.db): the hash
chain, and every checkpoint in the database and in the external log.
  --external <dir>  the external checkpoint log directory (default
                    WARDEN_AUDIT_CHECKPOINT_DIR when it exists); "none" to skip it
  --keys <file>     the pinned public-keys file you received out of band (default
                    the published WARDEN_AUDIT_PUBLIC_KEYS_FILE: not pinned)
  --json            print the report as one JSON object
Exit codes: 0 intact, 1 tampering found, 2 usage or connection error.`;

const EXIT_INTACT = 0;
const EXIT_BROKEN = 1;
const EXIT_ERROR = 2;

class UsageError extends Error {}

interface Options {
  json: boolean;
  external: string | undefined;
  keys: string | undefined;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { json: false, external: undefined, keys: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') options.json = true;
    else if (arg === '--external' || arg === '--keys') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      options[arg === '--external' ? 'external' : 'keys'] = value;
    } else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  return options;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_INTACT;
  }
  let options: Options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`audit verify: ${(error as Error).message}\n${USAGE}\n`);
    return EXIT_ERROR;
  }

  let db: Db | undefined;
  try {
    if (fs.existsSync('.env')) process.loadEnvFile('.env');
    const config = env();
    const url = config.DATABASE_URL;
    if (providerOf(url) === 'sqlite') {
      const file = sqliteFilePath(url);
      // createDb would create an empty database file; a missing one is an error here.
      if (file !== ':memory:' && !fs.existsSync(file)) throw new Error(`database file not found: ${file}`);
    }
    const externalDir = resolveExternalDir(options.external, config.WARDEN_AUDIT_CHECKPOINT_DIR);
    const keysFile = options.keys ?? config.WARDEN_AUDIT_PUBLIC_KEYS_FILE;
    const keys = readPublicKeysIfAny(keysFile);
    if (options.keys !== undefined && keys === null) throw new Error(`pinned public-keys file not found: ${options.keys}`);

    db = (await createDb({ url, poolSize: 2 })).db;
    // Checked first: without keys every checkpoint would look forged, which is a setup error, not tampering.
    if (
      keys === null &&
      ((await db.auditCheckpoint.count()) > 0 || (externalDir !== null && lastExternalCheckpoint(externalDir) !== null))
    ) {
      throw new Error(
        `there are checkpoints but no public keys to check them (${keysFile} does not exist); pass --keys <pinned public-keys.json>`,
      );
    }
    const report = await verifyAuditIntegrity(db, { externalDir, publicKeys: keys?.keys ?? [] });
    if (options.keys === undefined)
      report.notes.push(`public keys read from ${keysFile}, not pinned: pass --keys <file> you received out of band`);
    if (externalDir !== null) report.notes.push(`external checkpoint log: ${externalDir}`);
    process.stdout.write(options.json ? `${JSON.stringify(toJson(report))}\n` : toText(report));
    return report.ok ? EXIT_INTACT : EXIT_BROKEN;
  } catch (error) {
    const message = describeError(error);
    if (options.json) process.stdout.write(`${JSON.stringify({ ok: null, error: message })}\n`);
    process.stderr.write(`audit verify: could not verify the audit trail: ${message}\n`);
    return EXIT_ERROR;
  } finally {
    await db?.$disconnect().catch(() => undefined);
  }
}

/** --external wins ("none" skips); else the configured directory, if it exists. */
function resolveExternalDir(option: string | undefined, configured: string): string | null {
  if (option === 'none') return null;
  if (option !== undefined) {
    if (!fs.existsSync(option)) throw new Error(`external checkpoint directory not found: ${option}`);
    return option;
  }
  return fs.existsSync(configured) ? configured : null;
}

function toJson(report: IntegrityReport) {
  const chain = report.chain;
  const head = chain.ok ? { headSeq: chain.headSeq, headHash: chain.headHash } : {};
  const first = report.findings[0];
  const failure = first
    ? { attackClass: first.attackClass, firstBadSeq: first.firstBadSeq, problem: first.problem, detail: first.detail }
    : {};
  return {
    ok: report.ok,
    count: chain.count,
    ...head,
    ...failure,
    checkpoints: report.checkpoints,
    findings: report.findings,
    notes: report.notes,
  };
}

function toText(report: IntegrityReport): string {
  const lines: string[] = [];
  const { chain, checkpoints } = report;
  const first = report.findings[0];
  if (first) {
    lines.push(`audit trail BROKEN at seq ${first.firstBadSeq}: ${first.attackClass} (${first.problem}) — ${first.detail}`);
    for (const more of report.findings.slice(1, 10))
      lines.push(`  also: ${more.attackClass} at seq ${more.firstBadSeq} (${more.problem}) — ${more.detail}`);
    if (report.findings.length > 10) lines.push(`  … and ${report.findings.length - 10} more`);
  } else if (chain.ok) {
    lines.push(`audit chain intact: ${chain.count} events, head seq ${chain.headSeq}, hash ${chain.headHash}`);
    const newest = checkpoints.newest;
    lines.push(
      newest
        ? `checkpoints verified: ${checkpoints.verified} (database ${checkpoints.database}, external ${checkpoints.external ?? 'not consulted'}), key ids ${checkpoints.keyIds.join(', ')}; newest covers seq ${newest.seq}, signed ${newest.ts} by ${newest.keyId}`
        : `checkpoints verified: 0 (database ${checkpoints.database}, external ${checkpoints.external ?? 'not consulted'})`,
    );
  }
  for (const note of report.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}

/** First line of the error message, credentials in URLs masked; never a stack trace. */
function describeError(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const firstLine = raw.split('\n').find((line) => line.trim() !== '') ?? 'unknown error';
  return firstLine
    .replace(/\/\/[^/@\s]*@/g, '//***@')
    .trim()
    .slice(0, 500);
}

process.exitCode = await main(process.argv.slice(2));
