import 'server-only';
import { now } from '@/lib/clock';
import type { Db } from '@/lib/db/client';
import { env } from '@/lib/env';
import { lockAuditChain } from './append';
import { CHECKPOINT_FORMAT, signCheckpoint, storedCheckpointFromRow, type StoredCheckpoint } from './checkpoint-format';
import { appendExternalCheckpoints, externalLogPath, lastExternalCheckpoint } from './external-log';
import { assertKeyUsableAt, loadPublicKeys, loadSigningKey, type SigningKey } from './key-store';

/**
 * Creating signed checkpoints of the audit chain (docs/audit-chain-format.md,
 * "Checkpoints"). A checkpoint is stored in the AuditCheckpoint table (append-only)
 * and, after that commit, appended to the external log. The pure format (digest,
 * signature, verification) is in checkpoint-format.ts and re-exported here.
 */
export {
  CHECKPOINT_FORMAT,
  checkpointDigest,
  checkpointDigestInput,
  keyValidAt,
  signCheckpoint,
  storedCheckpointFromRow,
  verifyCheckpointSignature,
  type Checkpoint,
  type CheckpointRow,
  type CheckpointSignatureProblem,
  type CheckpointSignatureResult,
  type PublicKeyEntry,
  type PublicKeysFile,
  type StoredCheckpoint,
} from './checkpoint-format';

/** Why a checkpoint could not be made. */
export type CheckpointErrorCode = 'no_signing_key' | 'key_not_usable' | 'head_behind_checkpoint' | 'head_mismatch' | 'external_log_failed';

/** Thrown by {@link createCheckpoint}; the message says what to do and holds no key material. */
export class CheckpointError extends Error {
  readonly code: CheckpointErrorCode;
  /** For external_log_failed: the checkpoint that is in the database but not (yet) in the log. */
  readonly checkpoint: StoredCheckpoint | undefined;

  constructor(code: CheckpointErrorCode, message: string, checkpoint?: StoredCheckpoint) {
    super(message);
    this.name = 'CheckpointError';
    this.code = code;
    this.checkpoint = checkpoint;
  }
}

/** Options of {@link createCheckpoint}; defaults come from the environment. */
export interface CheckpointOptions {
  /** The checkpoint's time; default lib/clock now(). */
  now?: Date;
  /** Default: {@link loadSigningKey}(). */
  signingKey?: SigningKey | null;
  /** Default WARDEN_AUDIT_PUBLIC_KEYS_FILE. */
  publicKeysFile?: string;
  /** External log directory; default WARDEN_AUDIT_CHECKPOINT_DIR. */
  dir?: string;
}

const CHECKPOINT_SELECT = { seq: true, headHash: true, ts: true, keyId: true, prev: true, digest: true, signature: true } as const;

/**
 * Makes a checkpoint of the current head, or returns null when the head is the one
 * the last checkpoint covers (one checkpoint per distinct head). Holding the audit
 * chain lock it reads the head and the last checkpoint, checks that the signing key
 * is published and valid now, signs and inserts. After the commit it brings the
 * external log up to date ({@link syncExternalLog}).
 *
 * @throws CheckpointError with no signing key (never an unsigned checkpoint), a key
 *   that is not published or not valid now, a head behind the last checkpoint or an
 *   event whose hash differs from what the last checkpoint signed (run
 *   `npm run audit:verify`), or when the external append failed after the row was
 *   committed (the next run appends it).
 */
export async function createCheckpoint(db: Db, options: CheckpointOptions = {}): Promise<StoredCheckpoint | null> {
  let key: SigningKey | null;
  try {
    key = options.signingKey === undefined ? loadSigningKey() : options.signingKey;
  } catch (error) {
    throw new CheckpointError('key_not_usable', (error as Error).message);
  }
  if (!key) {
    throw new CheckpointError(
      'no_signing_key',
      'no audit signing key is configured: set WARDEN_AUDIT_SIGNING_KEY_FILE (create one with `npm run audit:keys -- init`); refusing to make an unsigned checkpoint',
    );
  }
  const publicKeysFile = options.publicKeysFile ?? env().WARDEN_AUDIT_PUBLIC_KEYS_FILE;
  const dir = options.dir ?? env().WARDEN_AUDIT_CHECKPOINT_DIR;

  const created = await db.$transaction(async (tx) => {
    await lockAuditChain(tx);
    const head = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
    if (!head) return null;
    const last = await tx.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, headHash: true, digest: true } });
    if (last && head.seq < last.seq) {
      throw new CheckpointError(
        'head_behind_checkpoint',
        `the audit head (seq ${head.seq}) is behind the last checkpoint (seq ${last.seq}); run \`npm run audit:verify\``,
      );
    }
    if (last) {
      // Never sign on top of a chain that no longer matches the last signed head (an
      // edited or recomputed chain): the checkpoint would vouch for the tampering.
      const covered = head.seq === last.seq ? head : await tx.auditEvent.findUnique({ where: { seq: last.seq }, select: { hash: true } });
      if (covered?.hash !== last.headHash) {
        throw new CheckpointError(
          'head_mismatch',
          `event ${last.seq} no longer has the hash its checkpoint signed; refusing to sign; run \`npm run audit:verify\``,
        );
      }
      if (head.seq === last.seq) return null;
    }
    const ts = new Date(Math.floor((options.now ?? now()).getTime())).toISOString();
    try {
      assertKeyUsableAt(key, loadPublicKeys(publicKeysFile), ts, publicKeysFile);
    } catch (error) {
      throw new CheckpointError('key_not_usable', (error as Error).message);
    }
    const stored = signCheckpoint(
      { format: CHECKPOINT_FORMAT, seq: head.seq, headHash: head.hash, ts, keyId: key.keyId, prev: last?.digest ?? null },
      key.privateKey,
    );
    await tx.auditCheckpoint.create({
      data: {
        seq: stored.seq,
        headHash: stored.headHash,
        ts: new Date(stored.ts),
        keyId: stored.keyId,
        prev: stored.prev,
        digest: stored.digest,
        signature: stored.signature,
      },
      select: { seq: true },
    });
    return stored;
  });
  if (!created) return null;

  try {
    await syncExternalLog(db, dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
    throw new CheckpointError(
      'external_log_failed',
      `checkpoint seq ${created.seq} is stored in the database but could not be appended to ${externalLogPath(dir)} (${code}); the next checkpoint run appends it`,
      created,
    );
  }
  return created;
}

/**
 * Appends to the external log every database checkpoint newer than the log's last
 * line, in seq order; returns how many. Runs under the audit chain lock so that
 * several instances never append the same checkpoint twice. This is how a
 * checkpoint committed just before a crash or a failed append reaches the log.
 */
export async function syncExternalLog(db: Db, dir: string = env().WARDEN_AUDIT_CHECKPOINT_DIR): Promise<number> {
  return db.$transaction(async (tx) => {
    await lockAuditChain(tx);
    let after = lastExternalCheckpoint(dir)?.seq ?? 0;
    let appended = 0;
    for (;;) {
      const rows = await tx.auditCheckpoint.findMany({
        where: { seq: { gt: after } },
        orderBy: { seq: 'asc' },
        take: 500,
        select: CHECKPOINT_SELECT,
      });
      if (rows.length === 0) return appended;
      appendExternalCheckpoints(dir, rows.map(storedCheckpointFromRow));
      appended += rows.length;
      after = rows[rows.length - 1]!.seq;
    }
  });
}

/** Options of {@link maybeCheckpoint}. */
export interface MaybeCheckpointOptions extends CheckpointOptions {
  /** Events since the last checkpoint that make one due; default WARDEN_AUDIT_CHECKPOINT_EVERY. */
  every?: number;
  /** Minutes since the last checkpoint (with new events) that make one due; default WARDEN_AUDIT_CHECKPOINT_MINUTES. */
  minutes?: number;
}

/**
 * Makes a checkpoint when one is due: at least `every` events since the last
 * checkpoint, or new events and at least `minutes` since it (since the first event
 * when there is no checkpoint yet). Otherwise only brings the external log up to
 * date when it is behind. Returns the new checkpoint or null.
 */
export async function maybeCheckpoint(db: Db, options: MaybeCheckpointOptions = {}): Promise<StoredCheckpoint | null> {
  const every = options.every ?? env().WARDEN_AUDIT_CHECKPOINT_EVERY;
  const minutes = options.minutes ?? env().WARDEN_AUDIT_CHECKPOINT_MINUTES;
  const dir = options.dir ?? env().WARDEN_AUDIT_CHECKPOINT_DIR;
  const head = await db.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
  if (!head) return null;
  const last = await db.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, ts: true } });
  if (last && head.seq <= last.seq) {
    if ((lastExternalCheckpoint(dir)?.seq ?? 0) < last.seq) await syncExternalLog(db, dir);
    return null;
  }
  const since = last?.ts ?? (await db.auditEvent.findFirst({ orderBy: { seq: 'asc' }, select: { ts: true } }))?.ts;
  const at = (options.now ?? now()).getTime();
  const dueByCount = head.seq - (last?.seq ?? 0) >= every;
  const dueByTime = since !== undefined && at - since.getTime() >= minutes * 60_000;
  if (!dueByCount && !dueByTime) return null;
  return createCheckpoint(db, { ...options, dir });
}
