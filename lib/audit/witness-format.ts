/**
 * Witness cosignatures, format "warden.cosignature.v1" (docs/audit-chain-format.md,
 * "Witness cosignatures"). An auditor-held witness key (Ed25519, generated on the
 * auditor's machine by tools/warden-witness.mjs; the private key never reaches the
 * server) signs "I saw checkpoint `seq` with digest `digest` at `ts`":
 *
 *   message   = utf8("warden.witness.v1") ‖ 0x00 ‖ utf8(digest) ‖ 0x00 ‖ utf8(decimal seq) ‖ 0x00 ‖ utf8(ts)
 *   signature = base64url( Ed25519-sign(witnessPrivateKey, message) )
 *
 * `digest` is the checkpoint's digest (64 lowercase hex), `seq` its seq in decimal
 * without leading zeros, `ts` the witness's own clock as ISO 8601 UTC with
 * milliseconds. A witness key's id is the first 16 hex digits of SHA-256 of its raw
 * 32-byte public key (as checkpoint keys). tools/warden-witness.mjs and
 * tools/warden-verify.mjs compute the same bytes without importing this file.
 *
 * Pure and free of server-only imports, like checkpoint-format.ts.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

export const COSIGNATURE_FORMAT = 'warden.cosignature.v1';
/** Domain separation tag of the signed message. */
export const WITNESS_DOMAIN = 'warden.witness.v1';

const HEX64 = /^[0-9a-f]{64}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const isoMs = z
  .string()
  .regex(ISO_MS, { error: 'must be ISO 8601 UTC with milliseconds' })
  .refine((s) => !Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s, { error: 'not a valid time' });

/** A cosignature as the witness tool writes it and the server accepts it. */
export const CosignatureSchema = z.strictObject({
  format: z.literal(COSIGNATURE_FORMAT),
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  digest: z.string().regex(HEX64, { error: 'must be a checkpoint digest: 64 lowercase hex digits' }),
  witnessKeyId: z.string().regex(KEY_ID, { error: 'must be a witness key id: 16 lowercase hex digits' }),
  ts: isoMs,
  signature: z.string().regex(BASE64URL, { error: 'must be base64url' }).max(200),
});

/** See {@link CosignatureSchema}. */
export type Cosignature = z.infer<typeof CosignatureSchema>;

/** The exact bytes a witness signs. */
export function cosignatureMessage(c: Pick<Cosignature, 'digest' | 'seq' | 'ts'>): Buffer {
  return Buffer.from(`${WITNESS_DOMAIN}\u0000${c.digest}\u0000${String(c.seq)}\u0000${c.ts}`, 'utf8');
}

/** The key id of a raw 32-byte Ed25519 public key: first 16 hex digits of its SHA-256. */
export function witnessKeyIdOf(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

/** Why a pasted public key is not a witness key, or the key with its id. Accepts base64url (or base64) of the raw 32 bytes. */
export function parseWitnessPublicKey(text: string): { ok: true; publicKey: string; keyId: string } | { ok: false; message: string } {
  const trimmed = text.trim().replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (!BASE64URL.test(trimmed)) return { ok: false, message: 'Paste the public key the witness tool printed (base64url, 43 characters).' };
  const raw = Buffer.from(trimmed, 'base64url');
  if (raw.length !== 32 || raw.toString('base64url') !== trimmed)
    return { ok: false, message: 'That is not a 32-byte Ed25519 public key (43 base64url characters).' };
  try {
    publicKeyObject(trimmed);
  } catch {
    return { ok: false, message: 'That is not a valid Ed25519 public key.' };
  }
  return { ok: true, publicKey: trimmed, keyId: witnessKeyIdOf(raw) };
}

/** A KeyObject of a raw base64url Ed25519 public key. */
export function publicKeyObject(publicKey: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
}

/** Whether `c.signature` is a valid Ed25519 signature by `publicKey` (base64url raw) over the cosignature message. */
export function verifyCosignature(c: Cosignature, publicKey: string): boolean {
  try {
    const raw = Buffer.from(publicKey, 'base64url');
    if (raw.length !== 32 || witnessKeyIdOf(raw) !== c.witnessKeyId) return false;
    const signature = Buffer.from(c.signature, 'base64url');
    if (signature.length !== 64) return false;
    return verify(null, cosignatureMessage(c), publicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
}

/** A stored cosignature row as a cosignatures.jsonl object (the format the witness produced). */
export function cosignatureFromRow(row: {
  checkpointSeq: number;
  digest: string;
  witnessKeyId: string;
  ts: Date;
  signature: string;
}): Cosignature {
  return {
    format: COSIGNATURE_FORMAT,
    seq: row.checkpointSeq,
    digest: row.digest,
    witnessKeyId: row.witnessKeyId,
    ts: row.ts.toISOString(),
    signature: row.signature,
  };
}
