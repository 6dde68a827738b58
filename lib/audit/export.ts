import 'server-only';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { now } from '@/lib/clock';
import type { Db } from '@/lib/db/client';
import { canonicalize, type JsonObject } from './canonical-json';
import { PUBLIC_KEYS_FORMAT, storedCheckpointFromRow, type PublicKeysFile } from './checkpoint-format';
import { readPublicKeysIfAny } from './signing-keys';
import type { AuditRecord } from './record';
import { credentialsFileFor } from './export-credentials';
import { cosignatureFromRow } from './witness-format';
import type { AuditEventRow } from './verify';

/**
 * Writes an offline-verifiable export bundle, format "warden.bundle.v1"
 * (docs/audit-chain-format.md, "Export bundle"): events.jsonl, checkpoints.jsonl,
 * public-keys.json, anchor.json, manifest.json and the standalone verifier
 * warden-verify.mjs. Every JSON Lines line is the RFC 8785 canonical JSON of its
 * object, so an export of the same range is byte-identical each time and the
 * verifier can refuse any line that was re-spelled. JSON escapes every control
 * character, so a field can never break a line into two records (SECURITY.md T37).
 */

export const BUNDLE_FORMAT = 'warden.bundle.v1';

/** The bundle's files whose SHA-256 the manifest lists (the verifier is listed separately). */
export const BUNDLE_FILES = ['events.jsonl', 'checkpoints.jsonl', 'public-keys.json', 'anchor.json'] as const;

/**
 * Witness files (docs/audit-chain-format.md, "Witness cosignatures"), added to
 * warden.bundle.v1 compatibly: the manifest lists them under `files` like the others,
 * and a verifier that does not know them ignores them.
 */
export const WITNESS_BUNDLE_FILES = ['witness-keys.json', 'cosignatures.jsonl'] as const;
export const WITNESS_KEYS_FORMAT = 'warden.witness-keys.v1';

/** A range end: an event seq, or a time (the first event at or after `from`, the last at or before `to`). */
export type RangeEnd = number | Date;

/** Options of {@link exportAuditBundle}. */
export interface ExportBundleOptions {
  from: RangeEnd;
  to: RangeEnd;
  /** The bundle directory; created, and must be empty if it exists. */
  outDir: string;
  /** The published public keys (default WARDEN_AUDIT_PUBLIC_KEYS_FILE). */
  publicKeysFile?: string;
  /** Rows per query (keyset pagination on seq). Default 1000. */
  pageSize?: number;
}

/** What was written. */
export interface ExportBundleResult {
  dir: string;
  fromSeq: number;
  toSeq: number;
  count: number;
  checkpoints: number;
  headHash: string;
  /** SHA-256 of manifest.json, for the operator to send to the auditor through another channel. */
  manifestSha256: string;
}

/** The export cannot be made; the message says why and what to do. */
export class AuditExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditExportError';
  }
}

/**
 * The standalone verifier shipped in the repository. The app and the CLIs run from
 * the repository root (server.mjs, npm scripts), so it is resolved from there.
 */
export function standaloneVerifierPath(): string {
  return path.join(process.cwd(), 'tools', 'warden-verify.mjs');
}

/**
 * Resolves the range to seqs: a seq is taken as is (`to` is capped at the head), a
 * time becomes the first event at or after `from` / the last at or before `to`.
 *
 * @throws AuditExportError when the range holds no event.
 */
export async function resolveExportRange(db: Db, from: RangeEnd, to: RangeEnd): Promise<{ fromSeq: number; toSeq: number }> {
  const head = await db.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
  if (!head) throw new AuditExportError('the audit trail is empty; there is nothing to export');
  const fromSeq =
    typeof from === 'number'
      ? from
      : (await db.auditEvent.findFirst({ where: { ts: { gte: from } }, orderBy: { seq: 'asc' }, select: { seq: true } }))?.seq;
  const toSeq =
    typeof to === 'number'
      ? Math.min(to, head.seq)
      : (await db.auditEvent.findFirst({ where: { ts: { lte: to } }, orderBy: { seq: 'desc' }, select: { seq: true } }))?.seq;
  if (fromSeq === undefined || toSeq === undefined || fromSeq < 1 || fromSeq > toSeq) {
    throw new AuditExportError(`no audit events in the range (the trail holds seq 1 to ${head.seq}); check --from and --to`);
  }
  return { fromSeq, toSeq };
}

/** One events.jsonl line: every column, `ts` as ISO string, `details` as an object. */
export function eventLine(row: AuditEventRow): string {
  const details = JSON.parse(row.details) as JsonObject;
  return canonicalize({
    seq: row.seq,
    id: row.id,
    ts: row.ts.toISOString(),
    actorId: row.actorId,
    actorRole: row.actorRole,
    actorSessionId: row.actorSessionId,
    ip: row.ip,
    userAgent: row.userAgent,
    correlationId: row.correlationId,
    operation: row.operation,
    targetType: row.targetType,
    targetId: row.targetId,
    outcome: row.outcome,
    reasonCode: row.reasonCode,
    reason: row.reason,
    details,
    policyVersion: row.policyVersion,
    decision: row.decision,
    prevHash: row.prevHash,
    hash: row.hash,
  });
}

function prepareDir(dir: string): void {
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw new AuditExportError(`${dir} exists and is not a directory; choose another --out`);
    if (fs.readdirSync(dir).length > 0) throw new AuditExportError(`${dir} is not empty; choose a new directory for --out`);
  }
  fs.mkdirSync(dir, { recursive: true });
}

/** Writes a file (exclusive create) and returns its SHA-256 and size. */
function writeFile(dir: string, name: string, text: string | Buffer): { sha256: string; bytes: number } {
  const data = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  fs.writeFileSync(path.join(dir, name), data, { flag: 'wx' });
  return { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
}

/** Streams events fromSeq..toSeq into events.jsonl in keyset pages; constant memory. */
async function writeEvents(db: Db, dir: string, fromSeq: number, toSeq: number, pageSize: number) {
  const file = path.join(dir, 'events.jsonl');
  const fd = fs.openSync(file, 'wx');
  const digest = createHash('sha256');
  let bytes = 0;
  let count = 0;
  let expected = fromSeq;
  let headHash = '';
  try {
    for (let after = fromSeq - 1; after < toSeq;) {
      const rows = await db.auditEvent.findMany({ where: { seq: { gt: after, lte: toSeq } }, orderBy: { seq: 'asc' }, take: pageSize });
      if (rows.length === 0) break;
      let chunk = '';
      for (const row of rows) {
        // Exported as stored: a gap is the verifier's to report, but the operator should know now.
        if (row.seq !== expected)
          throw new AuditExportError(`event ${expected} is missing from the database; run \`npm run audit:verify\``);
        chunk += `${eventLine(row)}\n`;
        expected += 1;
        headHash = row.hash;
      }
      const data = Buffer.from(chunk, 'utf8');
      fs.writeSync(fd, data);
      digest.update(data);
      bytes += data.length;
      count += rows.length;
      after = rows[rows.length - 1]!.seq;
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (expected !== toSeq + 1)
    throw new AuditExportError(`events ${expected} to ${toSeq} are missing from the database; run \`npm run audit:verify\``);
  return { count, headHash, file: { sha256: digest.digest('hex'), bytes } };
}

/**
 * Exports events `from`..`to` with everything needed to verify them offline: the
 * anchor (the event just before the range), every checkpoint with seq <= the last
 * exported event (the checkpoint chain from its start), the published public keys
 * and a manifest with the SHA-256 of each file. Removes the directory's contents
 * again if anything fails, so a half-written bundle is never left behind.
 *
 * @throws AuditExportError (nothing to export, directory not empty, no public keys for the checkpoints).
 */
export async function exportAuditBundle(db: Db, options: ExportBundleOptions): Promise<ExportBundleResult> {
  const { fromSeq, toSeq } = await resolveExportRange(db, options.from, options.to);
  const dir = path.resolve(options.outDir);
  prepareDir(dir);
  try {
    return await writeBundle(db, dir, fromSeq, toSeq, options);
  } catch (error) {
    for (const name of fs.readdirSync(dir)) fs.rmSync(path.join(dir, name), { force: true });
    throw error;
  }
}

async function writeBundle(db: Db, dir: string, fromSeq: number, toSeq: number, options: ExportBundleOptions): Promise<ExportBundleResult> {
  const pageSize = options.pageSize ?? 1000;
  const events = await writeEvents(db, dir, fromSeq, toSeq, pageSize);

  const anchorRow = fromSeq > 1 ? await db.auditEvent.findUnique({ where: { seq: fromSeq - 1 }, select: { seq: true, hash: true } }) : null;
  if (fromSeq > 1 && !anchorRow) throw new AuditExportError(`event ${fromSeq - 1} (the anchor) is missing; run \`npm run audit:verify\``);
  const anchor = anchorRow ? { seq: anchorRow.seq, hash: anchorRow.hash } : null;

  const rows = await db.auditCheckpoint.findMany({ where: { seq: { lte: toSeq } }, orderBy: { seq: 'asc' } });
  const checkpointsText = rows.map((row) => `${canonicalize(storedCheckpointFromRow(row))}\n`).join('');

  const published = readPublicKeysIfAny(options.publicKeysFile);
  if (!published && rows.length > 0) {
    throw new AuditExportError(
      'the public-keys file does not exist, so the checkpoints could not be verified; check WARDEN_AUDIT_PUBLIC_KEYS_FILE',
    );
  }
  const keys: PublicKeysFile = published ?? { format: PUBLIC_KEYS_FORMAT, keys: [] };

  const cosignatureRows = await db.checkpointCosignature.findMany({
    where: { checkpointSeq: { lte: toSeq } },
    orderBy: [{ checkpointSeq: 'asc' }, { witnessKeyId: 'asc' }],
  });
  const cosignaturesText = cosignatureRows.map((row) => `${canonicalize(cosignatureFromRow(row))}\n`).join('');
  const witnessKeyRows = await db.witnessKey.findMany({ orderBy: [{ registeredAt: 'asc' }, { id: 'asc' }] });
  const witnessKeys = {
    format: WITNESS_KEYS_FORMAT,
    keys: witnessKeyRows.map((k) => ({
      keyId: k.id,
      publicKey: k.publicKey,
      name: k.name,
      registeredAt: k.registeredAt.toISOString(),
      registeredById: k.registeredById,
      revokedAt: k.revokedAt?.toISOString() ?? null,
      revokedById: k.revokedById,
    })),
  };

  const credentials = await credentialsFileFor(db, fromSeq, toSeq);
  const files = {
    'events.jsonl': events.file,
    'checkpoints.jsonl': writeFile(dir, 'checkpoints.jsonl', checkpointsText),
    'public-keys.json': writeFile(dir, 'public-keys.json', `${JSON.stringify(keys, null, 2)}\n`),
    'anchor.json': writeFile(dir, 'anchor.json', `${canonicalize(anchor)}\n`),
    'witness-keys.json': writeFile(dir, 'witness-keys.json', `${JSON.stringify(witnessKeys, null, 2)}\n`),
    'cosignatures.jsonl': writeFile(dir, 'cosignatures.jsonl', cosignaturesText),
    // Signed intents (issue 13): the public key of every passkey whose signature an event in the range carries.
    'credentials.json': writeFile(dir, 'credentials.json', `${JSON.stringify(credentials, null, 2)}\n`),
  };
  const verifier = writeFile(dir, 'warden-verify.mjs', fs.readFileSync(standaloneVerifierPath()));
  const manifest = {
    format: BUNDLE_FORMAT,
    exportedAt: now().toISOString(),
    range: { fromSeq, toSeq },
    anchor,
    headHash: events.headHash,
    counts: {
      events: events.count,
      checkpoints: rows.length,
      publicKeys: keys.keys.length,
      witnessKeys: witnessKeys.keys.length,
      cosignatures: cosignatureRows.length,
      credentials: credentials.credentials.length,
    },
    files,
    verifier: { file: 'warden-verify.mjs', sha256: verifier.sha256 },
  };
  const manifestFile = writeFile(dir, 'manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  return {
    dir,
    fromSeq,
    toSeq,
    count: events.count,
    checkpoints: rows.length,
    headHash: events.headHash,
    manifestSha256: manifestFile.sha256,
  };
}

/**
 * The audit event of an export, the same from the CLI and the console: the range,
 * the counts and the manifest hash, so the trail names exactly what left the system.
 */
export function exportAuditRecord(result: ExportBundleResult): Omit<AuditRecord, 'actor' | 'decision'> {
  return {
    operation: 'audit.export',
    target: { type: 'AuditExport', id: result.manifestSha256.slice(0, 16) },
    outcome: 'success',
    details: {
      fromSeq: result.fromSeq,
      toSeq: result.toSeq,
      events: result.count,
      checkpoints: result.checkpoints,
      headHash: result.headHash,
      manifestSha256: result.manifestSha256,
    },
  };
}
