import 'server-only';
import { createPrivateKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { env } from '@/lib/env';
import {
  keyIdOf,
  keyValidAt,
  PUBLIC_KEYS_FORMAT,
  PublicKeysFileSchema,
  rawPublicKey,
  type PublicKeyEntry,
  type PublicKeysFile,
} from './checkpoint-format';

/**
 * The checkpoint signing key and the published public keys (docs/audit-chain-format.md,
 * "Keys"). The private key is Ed25519 in PKCS#8 PEM, read from
 * WARDEN_AUDIT_SIGNING_KEY_FILE or WARDEN_AUDIT_SIGNING_KEY, never from the
 * database; the public keys ("warden.public-keys.v1") live in
 * WARDEN_AUDIT_PUBLIC_KEYS_FILE. Messages never contain key material. Import it
 * through signing-keys.ts, which adds rotation and first-time setup.
 */
export { keyIdOf } from './checkpoint-format';

/** The configured signing key. */
export interface SigningKey {
  privateKey: KeyObject;
  keyId: string;
  /** base64url of the raw 32-byte public key, as published. */
  publicKey: string;
  /** Where it was read from: a file path, or "WARDEN_AUDIT_SIGNING_KEY". */
  source: string;
}

/** A configuration or key-file problem; the message says what to do. */
export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

/** Default place of a key written by `npm run audit:keys -- init`. */
export const DEFAULT_SIGNING_KEY_FILE = 'var/audit/signing-key.pem';

/**
 * Loads the Ed25519 signing key from the file (re-read on every call, so a replaced
 * file is picked up) or from the PEM text. Returns null when neither is configured.
 *
 * @throws SigningKeyError when a key is configured but unreadable or not Ed25519 PKCS#8.
 */
export function loadSigningKey(source: { file?: string; pem?: string } = {}): SigningKey | null {
  const file = source.file ?? (source.pem === undefined ? env().WARDEN_AUDIT_SIGNING_KEY_FILE : undefined);
  const pem = source.pem ?? (file === undefined ? env().WARDEN_AUDIT_SIGNING_KEY : undefined);
  if (file === undefined && pem === undefined) return null;
  const origin = file ?? 'WARDEN_AUDIT_SIGNING_KEY';
  let text: string;
  if (file !== undefined) {
    try {
      text = fs.readFileSync(/*turbopackIgnore: true*/ file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new SigningKeyError(
        `cannot read the audit signing key file ${file} (${code}); check WARDEN_AUDIT_SIGNING_KEY_FILE or run \`npm run audit:keys -- init\``,
      );
    }
  } else {
    text = pem as string;
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: text, format: 'pem' });
  } catch {
    throw new SigningKeyError(`the audit signing key in ${origin} is not a PEM private key (expected Ed25519 PKCS#8 "BEGIN PRIVATE KEY")`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(`the audit signing key in ${origin} is ${privateKey.asymmetricKeyType ?? 'unknown'}, not Ed25519`);
  }
  return { privateKey, keyId: keyIdOf(privateKey), publicKey: rawPublicKey(privateKey).toString('base64url'), source: origin };
}

/** A new Ed25519 key pair, with its id and the private key as PKCS#8 PEM. */
export function generateKeyPair(): { privateKey: KeyObject; publicKey: KeyObject; keyId: string; privatePem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), privatePem };
}

/**
 * Reads and validates a public-keys file (default WARDEN_AUDIT_PUBLIC_KEYS_FILE).
 *
 * @throws SigningKeyError when it is missing or not "warden.public-keys.v1".
 */
export function loadPublicKeys(file: string = env().WARDEN_AUDIT_PUBLIC_KEYS_FILE): PublicKeysFile {
  const keys = readPublicKeysIfAny(file);
  if (!keys) throw new SigningKeyError(`the public-keys file ${file} does not exist; run \`npm run audit:keys -- init\``);
  return keys;
}

/** Like {@link loadPublicKeys}, but null when the file does not exist. */
export function readPublicKeysIfAny(file: string = env().WARDEN_AUDIT_PUBLIC_KEYS_FILE): PublicKeysFile | null {
  let text: string;
  try {
    text = fs.readFileSync(/*turbopackIgnore: true*/ file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SigningKeyError(`cannot read the public-keys file ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SigningKeyError(`the public-keys file ${file} is not valid JSON`);
  }
  const parsed = PublicKeysFileSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(file)').join(', ');
    throw new SigningKeyError(`the public-keys file ${file} is not ${PUBLIC_KEYS_FORMAT} (${fields})`);
  }
  return parsed.data;
}

/** Writes a public-keys file atomically (temporary file, fsync, rename). */
export function savePublicKeys(data: PublicKeysFile, file: string = env().WARDEN_AUDIT_PUBLIC_KEYS_FILE): void {
  const valid = PublicKeysFileSchema.parse(data);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o644);
  try {
    fs.writeSync(fd, `${JSON.stringify(valid, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** Writes a private key file with mode 0600; refuses to overwrite an existing file. */
export function writePrivateKeyFile(file: string, privatePem: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new SigningKeyError(`${file} already exists; refusing to overwrite a key file (choose another --out)`);
    throw error;
  }
  try {
    fs.writeSync(fd, privatePem);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Checks that `key` may sign a checkpoint made at `ts`: it is published and its
 * validity period contains `ts`. Refusing here means a checkpoint is never stored
 * that a verifier would call forged (e.g. a server still holding a rotated-out key).
 *
 * @throws SigningKeyError saying what to do.
 */
export function assertKeyUsableAt(key: SigningKey, publicKeys: PublicKeysFile, ts: string, file: string): PublicKeyEntry {
  const entry = publicKeys.keys.find((k) => k.keyId === key.keyId);
  if (!entry || entry.publicKey !== key.publicKey) {
    throw new SigningKeyError(`audit signing key ${key.keyId} is not published in ${file}; run \`npm run audit:keys -- init\``);
  }
  if (!keyValidAt(entry, ts)) {
    throw new SigningKeyError(
      `audit signing key ${key.keyId} is not valid at ${ts} (valid ${entry.validFrom} to ${entry.validUntil ?? 'now'}); after a rotation point WARDEN_AUDIT_SIGNING_KEY_FILE at the new key and restart`,
    );
  }
  return entry;
}
