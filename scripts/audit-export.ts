/**
 * `npm run audit:export -- --from <seq|ISO time> --to <seq|ISO time> --out <dir>`:
 * writes an offline-verifiable export bundle (docs/audit-chain-format.md, "Export
 * bundle") of the audit trail in DATABASE_URL and records `audit.export` with the
 * range. The auditor verifies it with `node warden-verify.mjs <dir> --keys <file>`.
 *
 * Exit codes: 0 written, 1 nothing to export or the export failed, 2 usage error.
 */
import './load-env';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AuditExportError, exportAuditBundle, exportAuditRecord, type ExportBundleResult, type RangeEnd } from '@/lib/audit/export';
import { recordAuditWith } from '@/lib/audit/record';
import { dbHandle, type Db } from '@/lib/db';

const USAGE = `usage: npm run audit:export -- --from <seq|ISO time> --to <seq|ISO time> --out <dir>

Writes events --from..--to (inclusive) with their checkpoints, the public keys,
a manifest and the standalone verifier into <dir> (new or empty).
  --from, --to  an event seq (e.g. 1) or a UTC time (e.g. 2026-11-01T00:00:00Z):
                a time means the first event at or after --from, the last at or before --to
Exit codes: 0 written, 1 export failed, 2 usage error.`;

/** A seq (positive integer) or an ISO 8601 date/time; null when neither. */
function parseRangeEnd(value: string | undefined): RangeEnd | null {
  if (value === undefined) return null;
  if (/^\d+$/.test(value)) {
    const seq = Number(value);
    return Number.isSafeInteger(seq) && seq >= 1 ? seq : null;
  }
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Records audit.export with the range in its own transaction. */
async function recordExport(db: Db, result: ExportBundleResult) {
  await db.$transaction((tx) =>
    recordAuditWith(
      tx,
      {
        actor: null,
        ...exportAuditRecord(result),
        decision: 'cli.audit_export',
      },
      { correlationId: randomUUID(), ip: null, userAgent: 'warden-cli/audit-export' },
    ),
  );
}

async function main(): Promise<number> {
  let values: { from?: string; to?: string; out?: string };
  try {
    ({ values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } } }));
  } catch (error) {
    console.error(`audit export: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const from = parseRangeEnd(values.from);
  const to = parseRangeEnd(values.to);
  if (from === null || to === null || !values.out) {
    console.error(`audit export: --from and --to must each be a seq or an ISO time, and --out a directory\n${USAGE}`);
    return 2;
  }
  const db = (await dbHandle()).db;
  try {
    const result = await exportAuditBundle(db, { from, to, outDir: values.out });
    // Fail closed (T42): an export that could not be recorded is not handed out.
    await recordExport(db, result).catch((error: unknown) => {
      for (const name of fs.readdirSync(result.dir)) fs.rmSync(path.join(result.dir, name), { force: true });
      throw error;
    });
    console.log(
      `audit export written to ${result.dir}: seq ${result.fromSeq} to ${result.toSeq}, ${result.count} events, ${result.checkpoints} checkpoints, head hash ${result.headHash}\n` +
        `manifest.json SHA-256 ${result.manifestSha256} (send it to the auditor through another channel)\n` +
        `verify with: node ${result.dir}/warden-verify.mjs ${result.dir} --keys <the public-keys file the auditor received separately>`,
    );
    return 0;
  } catch (error) {
    const message =
      error instanceof AuditExportError
        ? error.message
        : `unexpected error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    console.error(`audit export: ${message}`);
    return 1;
  } finally {
    await db.$disconnect();
  }
}

process.exitCode = await main();
