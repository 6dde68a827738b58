/**
 * Signed checkpoints, format "warden.checkpoint.v1" (docs/audit-chain-format.md,
 * "Checkpoints"). A checkpoint says "at time `ts`, event `seq` had hash `headHash`":
 *
 *   digest    = lowercase_hex( SHA-256( utf8("warden.checkpoint.v1") ‖ 0x00 ‖ utf8(JCS(checkpoint)) ) )
 *   signature = base64url( Ed25519-sign(privateKey, same bytes) )
 *
 * (SHA-256: FIPS 180-4; JCS: RFC 8785; Ed25519: RFC 8032.) Published keys use the
 * format "warden.public-keys.v1"; a key's id is the first 16 hex digits of SHA-256
 * of its raw 32-byte public key.
 *
 * Pure and free of server-only imports (like hash.ts), so that verifiers and
 * tests can use it without the application.
 */
import { createPublicKey, hash, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalize } from './canonical-json';

/** Domain separation tag and format version of checkpoints. */
export const CHECKPOINT_FORMAT = 'warden.checkpoint.v1';

/** Format tag of the published public-keys file. */
export const PUBLIC_KEYS_FORMAT = 'warden.public-keys.v1';

const HEX64 = /^[0-9a-f]{64}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** ISO 8601 UTC with milliseconds, exactly as Date#toISOString prints it. */
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const isoMs = z
  .string()
  .regex(ISO_MS, { error: 'must be ISO 8601 UTC with milliseconds' })
  .refine((s) => !Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s, { error: 'not a valid time' });

/** The signed object. Every member is present (`prev` is null for the first checkpoint). */
export const CheckpointSchema = z.strictObject({
  format: z.literal(CHECKPOINT_FORMAT),
  seq: z.number().int().min(1),
  headHash: z.string().regex(HEX64),
  ts: isoMs,
  keyId: z.string().regex(KEY_ID),
  prev: z.string().regex(HEX64).nullable(),
});

/** A checkpoint as signed: see {@link CheckpointSchema}. */
export type Checkpoint = z.infer<typeof CheckpointSchema>;

/** A stored checkpoint (a database row, a line of checkpoints.jsonl): the checkpoint plus digest and signature. */
export const StoredCheckpointSchema = z.strictObject({
  ...CheckpointSchema.shape,
  digest: z.string().regex(HEX64),
  signature: z.string().regex(BASE64URL),
});

/** See {@link StoredCheckpointSchema}. `ts` is the ISO string that was signed. */
export type StoredCheckpoint = z.infer<typeof StoredCheckpointSchema>;

/** One published public key. `validUntil` null: still in use. */
export const PublicKeyEntrySchema = z.strictObject({
  keyId: z.string().regex(KEY_ID),
  publicKey: z.string().regex(BASE64URL),
  validFrom: isoMs,
  validUntil: isoMs.nullable(),
});

/** See {@link PublicKeyEntrySchema}. */
export type PublicKeyEntry = z.infer<typeof PublicKeyEntrySchema>;

/** The published public-keys file ("warden.public-keys.v1"). */
export const PublicKeysFileSchema = z.strictObject({
  format: z.literal(PUBLIC_KEYS_FORMAT),
  keys: z.array(PublicKeyEntrySchema),
});

/** See {@link PublicKeysFileSchema}. */
export type PublicKeysFile = z.infer<typeof PublicKeysFileSchema>;

/** The database row shape of a checkpoint (`AuditCheckpoint`); `ts` is a Date there. */
export interface CheckpointRow {
  seq: number;
  headHash: string;
  ts: Date;
  keyId: string;
  prev: string | null;
  digest: string;
  signature: string;
}

const SEPARATOR = Buffer.from([0]);
const DOMAIN_PREFIX = Buffer.concat([Buffer.from(CHECKPOINT_FORMAT, 'utf8'), SEPARATOR]);

/**
 * The exact bytes that are hashed and signed: the domain tag, 0x00 and the RFC 8785
 * text of the six checkpoint members (digest and signature, if `checkpoint` is a
 * stored one, are not part of it).
 */
export function checkpointDigestInput(checkpoint: Checkpoint | StoredCheckpoint): Buffer {
  const { format, seq, headHash, ts, keyId, prev } = checkpoint;
  return Buffer.concat([DOMAIN_PREFIX, Buffer.from(canonicalize({ format, seq, headHash, ts, keyId, prev }), 'utf8')]);
}

/** Lowercase hex SHA-256 of {@link checkpointDigestInput}. */
export function checkpointDigest(checkpoint: Checkpoint | StoredCheckpoint): string {
  return hash('sha256', checkpointDigestInput(checkpoint), 'hex');
}

/** The raw 32-byte Ed25519 public key of a public or private key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('audit signing keys must be Ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('Ed25519 key has no public part');
  return Buffer.from(jwk.x, 'base64url');
}

/** The key id: the first 16 hex digits of SHA-256 of the raw 32-byte public key. Accepts a private key too. */
export function keyIdOf(publicKey: KeyObject): string {
  return hash('sha256', rawPublicKey(publicKey), 'hex').slice(0, 16);
}

/** A public key from its published form (base64url of the raw 32 bytes). */
export function publicKeyFromRaw(base64url: string): KeyObject {
  const raw = Buffer.from(base64url, 'base64url');
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/**
 * Signs a checkpoint: returns it with its digest and signature. The checkpoint's
 * `keyId` must be the id of `privateKey`, so a signature can never name the wrong key.
 */
export function signCheckpoint(checkpoint: Checkpoint, privateKey: KeyObject): StoredCheckpoint {
  const parsed = CheckpointSchema.parse(checkpoint);
  if (privateKey.type !== 'private') throw new Error('signCheckpoint needs a private key');
  if (keyIdOf(privateKey) !== parsed.keyId) throw new Error('checkpoint keyId is not the id of the signing key');
  const input = checkpointDigestInput(parsed);
  return {
    ...parsed,
    digest: hash('sha256', input, 'hex'),
    signature: sign(null, input, privateKey).toString('base64url'),
  };
}

/** Why {@link verifyCheckpointSignature} refused a checkpoint. All of them mean "forged_checkpoint" to a verifier. */
export type CheckpointSignatureProblem =
  | 'malformed' // not a well-formed stored checkpoint
  | 'digest_mismatch' // digest is not the digest of the checkpoint's members
  | 'unknown_key' // no published (or pinned) key has this keyId
  | 'key_not_valid' // the key's validity period does not contain ts
  | 'bad_signature'; // the Ed25519 signature does not verify

/** Result of {@link verifyCheckpointSignature}. */
export type CheckpointSignatureResult =
  { ok: true; key: PublicKeyEntry } | { ok: false; problem: CheckpointSignatureProblem; detail: string };

/** True when `ts` lies in the key's validity period [validFrom, validUntil). */
export function keyValidAt(key: PublicKeyEntry, ts: string): boolean {
  const t = Date.parse(ts);
  if (t < Date.parse(key.validFrom)) return false;
  return key.validUntil === null || t < Date.parse(key.validUntil);
}

/**
 * Checks one stored checkpoint on its own: well-formed, digest matches its members,
 * signed by a key listed in `publicKeys` (use the auditor's pinned file) whose
 * validity period [validFrom, validUntil) contains its `ts`, and the signature
 * verifies. It does not check `prev` links or `headHash` against events.
 */
export function verifyCheckpointSignature(
  stored: unknown,
  publicKeys: PublicKeysFile | readonly PublicKeyEntry[],
): CheckpointSignatureResult {
  const parsed = StoredCheckpointSchema.safeParse(stored);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(checkpoint)').join(', ');
    return { ok: false, problem: 'malformed', detail: `malformed checkpoint (${fields})` };
  }
  const checkpoint = parsed.data;
  const input = checkpointDigestInput(checkpoint);
  if (hash('sha256', input, 'hex') !== checkpoint.digest) {
    return { ok: false, problem: 'digest_mismatch', detail: `checkpoint seq ${checkpoint.seq}: digest does not match its contents` };
  }
  const keys = Array.isArray(publicKeys) ? publicKeys : (publicKeys as PublicKeysFile).keys;
  const key = keys.find((k) => k.keyId === checkpoint.keyId);
  if (!key)
    return {
      ok: false,
      problem: 'unknown_key',
      detail: `checkpoint seq ${checkpoint.seq}: key ${checkpoint.keyId} is not a known public key`,
    };
  if (!keyValidAt(key, checkpoint.ts)) {
    return {
      ok: false,
      problem: 'key_not_valid',
      detail: `checkpoint seq ${checkpoint.seq}: key ${key.keyId} was not valid at ${checkpoint.ts} (valid ${key.validFrom} to ${key.validUntil ?? 'now'})`,
    };
  }
  let good = false;
  try {
    const publicKey = publicKeyFromRaw(key.publicKey);
    good = keyIdOf(publicKey) === key.keyId && verify(null, input, publicKey, Buffer.from(checkpoint.signature, 'base64url'));
  } catch {
    good = false;
  }
  if (!good)
    return {
      ok: false,
      problem: 'bad_signature',
      detail: `checkpoint seq ${checkpoint.seq}: signature does not verify with key ${key.keyId}`,
    };
  return { ok: true, key };
}

/** A stored checkpoint from its database row (`ts` back to the ISO string that was signed). */
export function storedCheckpointFromRow(row: CheckpointRow): StoredCheckpoint {
  return {
    format: CHECKPOINT_FORMAT,
    seq: row.seq,
    headHash: row.headHash,
    ts: row.ts.toISOString(),
    keyId: row.keyId,
    prev: row.prev,
    digest: row.digest,
    signature: row.signature,
  };
}
