import 'server-only';
import fs from 'node:fs';
import type { Db } from '@/lib/db/client';
import { storedCheckpointFromRow, type PublicKeyEntry } from './checkpoint-format';
import { readExternalCheckpoints } from './external-log';
import { readAuditEventPages } from './verify';
import { verifyIntegrity, type CheckpointInput, type IntegrityReport } from './verify-checkpoints';

/**
 * Loads what {@link verifyIntegrity} compares — the database's events, checkpoints
 * and append counter, and the external checkpoint log — for `npm run audit:verify`
 * (docs/audit-chain-format.md, "What the verifier checks").
 */

/**
 * Reads the external log (`<dir>/checkpoints.jsonl`) in file order. A line that is
 * not a stored checkpoint is passed on with its error (the verifier names it),
 * never skipped. A directory without the file is an empty log.
 *
 * @throws if `dir` is not a readable directory.
 */
export async function readExternalCheckpointLog(dir: string): Promise<CheckpointInput[]> {
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  const out: CheckpointInput[] = [];
  for await (const entry of readExternalCheckpoints(dir)) {
    out.push(
      'checkpoint' in entry
        ? { checkpoint: entry.checkpoint, position: entry.line }
        : { checkpoint: null, position: entry.line, error: entry.error },
    );
  }
  return out;
}

/** The AuditCheckpoint rows as stored checkpoints, oldest first (by seq, which is their key). */
export async function loadDatabaseCheckpoints(db: Pick<Db, 'auditCheckpoint'>): Promise<CheckpointInput[]> {
  const rows = await db.auditCheckpoint.findMany({ orderBy: { seq: 'asc' } });
  return rows.map((row, i) => ({ checkpoint: storedCheckpointFromRow(row), position: i + 1 }));
}

/** Options of {@link verifyAuditIntegrity}. */
export interface VerifyAuditIntegrityOptions {
  /** The external checkpoint directory; null to verify the database alone. */
  externalDir: string | null;
  /** The trusted public keys (pinned file, or the published one). */
  publicKeys: readonly PublicKeyEntry[];
  pageSize?: number;
}

/**
 * Verifies the audit trail in `db` against its checkpoints and the external log.
 *
 * @throws on database or file errors (nothing could be concluded).
 */
export async function verifyAuditIntegrity(db: Db, options: VerifyAuditIntegrityOptions): Promise<IntegrityReport> {
  // Read order matters on a live system: a checkpoint row commits before its log line
  // is appended, and events before their checkpoint, so reading the log, then the
  // checkpoint rows, then the events never sees a line without its row or a
  // checkpoint without its event. Reading the other way round could.
  const externalCheckpoints = options.externalDir === null ? null : await readExternalCheckpointLog(options.externalDir);
  const databaseCheckpoints = await loadDatabaseCheckpoints(db);
  const lock = await db.auditLock.findUnique({ where: { id: 1 } });
  return verifyIntegrity({
    events: readAuditEventPages(db, { pageSize: options.pageSize }),
    databaseCheckpoints,
    externalCheckpoints,
    publicKeys: options.publicKeys,
    appendCount: lock?.appends ?? null,
  });
}
