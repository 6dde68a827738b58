/**
 * `npm run audit:verify [-- --json]`: re-verifies the audit hash chain in the
 * database named by DATABASE_URL (default file:./var/warden.db; `.env` is loaded
 * first when present) and prints one line.
 *
 * Exit codes, for cron jobs and monitoring: 0 intact, 1 broken, 2 usage or
 * connection error (nothing could be concluded about the chain).
 *
 * Runs with `tsx --conditions=react-server` so that the server-only modules it
 * shares with the app resolve.
 */
import fs from 'node:fs';
import { verifyChain, type VerifyChainResult } from '@/lib/audit';
import { createDb, type Db } from '@/lib/db/client';
import { providerOf, sqliteFilePath } from '@/lib/db/url';
import { env } from '@/lib/env';

const USAGE = `usage: npm run audit:verify [-- --json]

Verifies the audit chain in DATABASE_URL (default file:./var/warden.db).
  --json   print the result as one JSON object
Exit codes: 0 intact, 1 broken, 2 usage or connection error.`;

const EXIT_INTACT = 0;
const EXIT_BROKEN = 1;
const EXIT_ERROR = 2;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_INTACT;
  }
  const unknown = argv.filter((arg) => arg !== '--json');
  if (unknown.length > 0) {
    process.stderr.write(`audit verify: unknown argument ${JSON.stringify(unknown[0])}\n${USAGE}\n`);
    return EXIT_ERROR;
  }
  const asJson = argv.includes('--json');

  let db: Db | undefined;
  try {
    if (fs.existsSync('.env')) process.loadEnvFile('.env');
    const url = env().DATABASE_URL;
    if (providerOf(url) === 'sqlite') {
      const file = sqliteFilePath(url);
      // createDb would create an empty database file; a missing one is an error here.
      if (file !== ':memory:' && !fs.existsSync(file)) throw new Error(`database file not found: ${file}`);
    }
    db = (await createDb({ url, poolSize: 2 })).db;
    const result = await verifyChain(db);
    report(result, asJson);
    return result.ok ? EXIT_INTACT : EXIT_BROKEN;
  } catch (error) {
    const message = describeError(error);
    if (asJson) process.stdout.write(`${JSON.stringify({ ok: null, error: message })}\n`);
    process.stderr.write(`audit verify: could not verify the audit chain: ${message}\n`);
    return EXIT_ERROR;
  } finally {
    await db?.$disconnect().catch(() => undefined);
  }
}

function report(result: VerifyChainResult, asJson: boolean): void {
  if (asJson) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else if (result.ok) {
    process.stdout.write(`audit chain intact: ${result.count} events, head seq ${result.headSeq}, hash ${result.headHash}\n`);
  } else {
    process.stdout.write(`audit chain BROKEN at seq ${result.firstBadSeq}: ${result.problem} — ${result.detail}\n`);
  }
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
