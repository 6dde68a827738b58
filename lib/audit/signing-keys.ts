import 'server-only';
import { consumeKeyRotationApproval } from '@/lib/dal/key-rotation';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { now } from '@/lib/clock';
import type { Db, Tx } from '@/lib/db/client';
import { env } from '@/lib/env';
import { lockAuditChain } from './append';
import { PUBLIC_KEYS_FORMAT, rawPublicKey } from './checkpoint-format';
import { recordAuditWith, type AuditSourceContext } from './record';
import {
  DEFAULT_SIGNING_KEY_FILE,
  generateKeyPair,
  loadPublicKeys,
  loadSigningKey,
  readPublicKeysIfAny,
  savePublicKeys,
  SigningKeyError,
  writePrivateKeyFile,
  type SigningKey,
} from './key-store';

/**
 * The checkpoint signing keys (docs/audit-chain-format.md, "Keys"): loading the key
 * and the public-keys file (key-store.ts, re-exported here), and the
 * `npm run audit:keys -- init | rotate` operations: first key of a fresh install,
 * and rotation with its audit event.
 */
export * from './key-store';

/** Options of {@link rotateSigningKey} and {@link initSigningKey}. */
export interface KeyCommandOptions {
  /** Where to write the new private key (never overwritten). */
  out?: string;
  publicKeysFile?: string;
  current?: SigningKey | null;
  ctx?: AuditSourceContext;
  /**
   * The executed two-person authorization (`audit.authorize_key_rotation`) this
   * rotation uses; consumed in the rotation's transaction. The command line
   * requires it; the event records it (or null) either way.
   */
  approvalId?: string;
}

/** What {@link rotateSigningKey} did. */
export interface RotationResult {
  oldKeyId: string;
  newKeyId: string;
  privateKeyFile: string;
  at: string;
}

/**
 * Rotates the signing key: writes a new private key file (0600, never overwriting),
 * then, holding the audit chain lock, closes the current key's `validUntil`, publishes
 * the new key valid from the same instant and records `audit.key_rotate`. Holding the
 * lock orders the rotation against checkpoint creation, so no checkpoint is signed
 * with the old key after its validUntil. Checkpoints made before stay verifiable with
 * the old public key, which stays published.
 */
export async function rotateSigningKey(db: Db, options: KeyCommandOptions = {}): Promise<RotationResult> {
  const file = options.publicKeysFile ?? env().WARDEN_AUDIT_PUBLIC_KEYS_FILE;
  const current = options.current === undefined ? loadSigningKey() : options.current;
  if (!current)
    throw new SigningKeyError('no audit signing key is configured (WARDEN_AUDIT_SIGNING_KEY_FILE); run `npm run audit:keys -- init` first');
  const before = loadPublicKeys(file);
  const entry = before.keys.find((k) => k.keyId === current.keyId);
  if (!entry || entry.validUntil !== null) {
    throw new SigningKeyError(
      `the configured signing key ${current.keyId} is not the open key in ${file}; configure the current key before rotating`,
    );
  }
  const fresh = generateKeyPair();
  const out =
    options.out ??
    path.join(
      path.dirname(current.source === 'WARDEN_AUDIT_SIGNING_KEY' ? DEFAULT_SIGNING_KEY_FILE : current.source),
      `signing-key-${fresh.keyId}.pem`,
    );
  writePrivateKeyFile(out, fresh.privatePem);
  const ctx = options.ctx ?? { correlationId: randomUUID(), ip: null, userAgent: 'warden-cli/audit-keys' };

  let saved = false;
  try {
    return await db.$transaction(async (tx) => {
      await lockAuditChain(tx);
      const at = await instantAfterLastCheckpoint(tx);
      const keys = loadPublicKeys(file); // re-read under the lock
      const old = keys.keys.find((k) => k.keyId === current.keyId);
      if (!old || old.validUntil !== null) throw new SigningKeyError(`key ${current.keyId} was closed concurrently; nothing rotated`);
      if (Date.parse(at) <= Date.parse(old.validFrom))
        throw new SigningKeyError(`the clock (${at}) is not after the current key's validFrom; nothing rotated`);
      old.validUntil = at;
      keys.keys.push({
        keyId: fresh.keyId,
        publicKey: rawPublicKey(fresh.publicKey).toString('base64url'),
        validFrom: at,
        validUntil: null,
      });
      const approval = options.approvalId
        ? { id: options.approvalId, ...(await consumeKeyRotationApproval(tx, options.approvalId)) }
        : null;
      await recordAuditWith(
        tx,
        {
          actor: null,
          operation: 'audit.key_rotate',
          target: { type: 'AuditSigningKey', id: fresh.keyId },
          outcome: 'success',
          details: { oldKeyId: current.keyId, newKeyId: fresh.keyId, approval },
          decision: 'cli.audit_keys_rotate',
        },
        ctx,
      );
      savePublicKeys(keys, file); // last step before commit; restored below if the commit fails
      saved = true;
      return { oldKeyId: current.keyId, newKeyId: fresh.keyId, privateKeyFile: out, at };
    });
  } catch (error) {
    if (saved) savePublicKeys(before, file);
    throw error;
  }
}

/**
 * The rotation instant: now, but strictly after the newest checkpoint's ts, so that
 * closing the old key at this instant leaves every checkpoint it signed inside its
 * [validFrom, validUntil). Waits out a clash within the same millisecond or so.
 */
async function instantAfterLastCheckpoint(tx: Tx): Promise<string> {
  const last = await tx.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' }, select: { ts: true } });
  let at = Math.floor(now().getTime());
  const lastTs = last?.ts.getTime() ?? -Infinity;
  if (lastTs >= at) {
    if (lastTs - at > 1000)
      throw new SigningKeyError(`the clock is behind the newest checkpoint (${new Date(lastTs).toISOString()}); nothing rotated`);
    await new Promise((resolve) => setTimeout(resolve, lastTs - at + 1));
    at = Math.max(Math.floor(now().getTime()), lastTs + 1);
  }
  return new Date(at).toISOString();
}

/** What {@link initSigningKey} did. */
export interface InitResult {
  keyId: string;
  /** The new private key file, when one was generated. */
  privateKeyFile: string | null;
  published: boolean;
}

/**
 * First-time setup: publishes the configured signing key, or generates one when none
 * is configured or the configured file does not exist yet (to `out`, default the
 * configured file, else var/audit/signing-key.pem), and creates the public-keys
 * file. Does nothing when the configured key is already published.
 */
export function initSigningKey(options: KeyCommandOptions = {}): InitResult {
  const file = options.publicKeysFile ?? env().WARDEN_AUDIT_PUBLIC_KEYS_FILE;
  // A configured key file that does not exist yet is where the new key goes.
  const configuredFile = options.current === undefined ? env().WARDEN_AUDIT_SIGNING_KEY_FILE : undefined;
  const missingConfigured = configuredFile !== undefined && !fs.existsSync(configuredFile);
  const current = options.current === undefined ? (missingConfigured ? null : loadSigningKey()) : options.current;
  const keys = readPublicKeysIfAny(file) ?? { format: PUBLIC_KEYS_FORMAT, keys: [] };
  const at = new Date(Math.floor(now().getTime())).toISOString();
  if (current) {
    if (keys.keys.some((k) => k.keyId === current.keyId)) return { keyId: current.keyId, privateKeyFile: null, published: false };
    if (keys.keys.some((k) => k.validUntil === null)) {
      throw new SigningKeyError(`${file} already has an open key; use \`npm run audit:keys -- rotate\` to change keys`);
    }
    keys.keys.push({ keyId: current.keyId, publicKey: current.publicKey, validFrom: at, validUntil: null });
    savePublicKeys(keys, file);
    return { keyId: current.keyId, privateKeyFile: null, published: true };
  }
  if (keys.keys.some((k) => k.validUntil === null)) {
    throw new SigningKeyError(
      `${file} already has an open key but no signing key is configured; set WARDEN_AUDIT_SIGNING_KEY_FILE to its private key`,
    );
  }
  const fresh = generateKeyPair();
  const out = options.out ?? (missingConfigured ? configuredFile : DEFAULT_SIGNING_KEY_FILE);
  writePrivateKeyFile(out, fresh.privatePem);
  keys.keys.push({ keyId: fresh.keyId, publicKey: rawPublicKey(fresh.publicKey).toString('base64url'), validFrom: at, validUntil: null });
  savePublicKeys(keys, file);
  return { keyId: fresh.keyId, privateKeyFile: out, published: true };
}
