/**
 * `npm run audit:checkpoint [-- --json]`: makes a signed checkpoint of the audit
 * chain now (docs/audit-chain-format.md, "Checkpoints"), stores it in the database
 * and appends it to the external log, and prints it. When the head has not moved
 * since the last checkpoint nothing is made (the external log is still brought up
 * to date).
 *
 * Exit codes: 0 made (or nothing new), 1 could not make one, 2 usage error.
 * Runs with `tsx --conditions=react-server` so that server-only modules resolve.
 */
import './load-env';
import { createCheckpoint, syncExternalLog } from '@/lib/audit/checkpoint';
import { createDb, type Db } from '@/lib/db/client';
import { env } from '@/lib/env';

const USAGE = `usage: npm run audit:checkpoint [-- --json]

Makes a signed checkpoint of the audit chain in DATABASE_URL, signed with
WARDEN_AUDIT_SIGNING_KEY_FILE, appended to WARDEN_AUDIT_CHECKPOINT_DIR/checkpoints.jsonl.
  --json   print the result as one JSON object
Exit codes: 0 made (or nothing new), 1 failed, 2 usage error.`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const unknown = argv.filter((arg) => arg !== '--json');
  if (unknown.length > 0) {
    process.stderr.write(`audit checkpoint: unknown argument ${JSON.stringify(unknown[0])}\n${USAGE}\n`);
    return 2;
  }
  const asJson = argv.includes('--json');
  let db: Db | undefined;
  try {
    db = (await createDb({ url: env().DATABASE_URL, poolSize: 2 })).db;
    const checkpoint = await createCheckpoint(db);
    if (checkpoint) {
      process.stdout.write(
        asJson
          ? `${JSON.stringify({ ok: true, checkpoint })}\n`
          : `checkpoint made: seq ${checkpoint.seq}, head ${checkpoint.headHash}, key ${checkpoint.keyId}, digest ${checkpoint.digest}\n`,
      );
      return 0;
    }
    const appended = await syncExternalLog(db);
    const last = await db.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    const what = last ? `the last checkpoint (seq ${last.seq}) covers the head` : 'the audit trail is empty';
    process.stdout.write(
      asJson
        ? `${JSON.stringify({ ok: true, checkpoint: null, appendedToExternalLog: appended })}\n`
        : `no new checkpoint: ${what}${appended ? `; ${appended} appended to the external log` : ''}\n`,
    );
    return 0;
  } catch (error) {
    const message = describeError(error);
    if (asJson) process.stdout.write(`${JSON.stringify({ ok: false, error: message })}\n`);
    process.stderr.write(`audit checkpoint: ${message}\n`);
    return 1;
  } finally {
    await db?.$disconnect().catch(() => undefined);
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
