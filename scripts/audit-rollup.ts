/**
 * `npm run audit:rollup [-- --rebuild] [--json]`: brings the dashboards' hourly
 * rollups up to the head of the audit chain now (the server also does it every
 * 30 s), or with --rebuild drops them and recounts from the first event. The
 * rollups are derived from the chain and are never evidence; rebuilding is always
 * safe and the dashboards stay exact while it runs.
 *
 * Exit codes: 0 done, 1 failed, 2 usage error.
 * Runs with `tsx --conditions=react-server` so that server-only modules resolve.
 */
import './load-env';
import { rebuildAuditRollups, refreshAuditRollups } from '@/lib/audit/rollup';
import { createDb, type Db } from '@/lib/db/client';
import { env } from '@/lib/env';

const USAGE = `usage: npm run audit:rollup [-- --rebuild] [--json]

Counts the audit events of DATABASE_URL not yet in the dashboards' hourly rollups.
  --rebuild   drop every rollup row and recount from the first event
  --json      print the result as one JSON object
Exit codes: 0 done, 1 failed, 2 usage error.`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const unknown = argv.filter((arg) => arg !== '--json' && arg !== '--rebuild');
  if (unknown.length > 0) {
    process.stderr.write(`audit rollup: unknown argument ${JSON.stringify(unknown[0])}\n${USAGE}\n`);
    return 2;
  }
  let db: Db | undefined;
  try {
    db = (await createDb({ url: env().DATABASE_URL, poolSize: 2 })).db;
    const started = performance.now();
    const result = argv.includes('--rebuild') ? await rebuildAuditRollups(db) : await refreshAuditRollups(db);
    const ms = Math.round(performance.now() - started);
    process.stdout.write(
      argv.includes('--json')
        ? `${JSON.stringify({ ...result, ms })}\n`
        : `audit rollups cover events 1..${result.throughSeq} (${result.counted} counted now, ${ms} ms)\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`audit rollup: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await db?.$disconnect();
  }
}

process.exitCode = await main(process.argv.slice(2));
