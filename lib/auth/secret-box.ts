import 'server-only';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { authSecret, env } from '@/lib/env';

/**
 * Authenticated encryption for application secrets at rest (TOTP seeds):
 * AES-256-GCM (NIST SP 800-38D) with a 96-bit random IV and a 128-bit tag,
 * bound by additional authenticated data (AAD) to the row that owns the secret
 * (callers pass the user id), so a ciphertext copied to another row does not open
 * (ASVS V11.3.3, V13.3.1; SECURITY.md T08).
 *
 * Sealed format: `v1:<keyId>:<iv>:<ciphertext>:<tag>`, each binary part base64url
 * without padding (RFC 4648 §5). The key id names the key that sealed the value,
 * so old keys stay readable after a rotation while new values use the current key.
 *
 * Errors never carry plaintext, key material or the sealed value.
 */

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const B64URL_PATTERN = /^[A-Za-z0-9_-]*$/;
/** HKDF info for the development key derived from AUTH_SECRET (RFC 5869). */
const DERIVED_KEY_INFO = 'warden.secret-box.v1';
/** Id of the key derived from AUTH_SECRET when WARDEN_ENCRYPTION_KEYS is unset. */
export const DERIVED_KEY_ID = 'k0';

/** Why a sealed value could not be opened. */
export type SecretBoxErrorCode = 'malformed' | 'unknown_key' | 'auth_failed';

/**
 * Thrown by {@link openSecret} and {@link SecretBox.open}. The message names the
 * failure class only; it never includes the sealed value, the AAD or any key.
 */
export class SecretBoxError extends Error {
  readonly code: SecretBoxErrorCode;

  constructor(code: SecretBoxErrorCode) {
    super(`secret box: ${code}`);
    this.name = 'SecretBoxError';
    this.code = code;
  }
}

/** A configuration problem with the encryption keys. Names the variable or key id, never key material. */
export class SecretBoxConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxConfigError';
  }
}

/** Encrypts and decrypts with a fixed key ring. */
export interface SecretBox {
  /** The id of the key new values are sealed with. */
  readonly currentKeyId: string;
  /** Seals `plaintext` with the current key; `aad` must be the same string when opening. */
  seal(plaintext: string, aad: string): string;
  /** Opens a sealed value with the key it names. Throws {@link SecretBoxError}; never returns unauthenticated data. */
  open(sealed: string, aad: string): string;
}

/** A key ring: key id → 32-byte AES-256 key. */
export type SecretBoxKeys = ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>;

/**
 * Builds a box from explicit keys (tests, key rotation tooling). `currentKeyId`
 * defaults to the first key. Every key must be 32 bytes and every id must match
 * `[A-Za-z0-9_-]{1,32}`.
 */
export function createSecretBox(keys: SecretBoxKeys, currentKeyId?: string): SecretBox {
  const ring = new Map<string, Buffer>();
  const entries = keys instanceof Map ? [...keys.entries()] : Object.entries(keys);
  for (const [id, key] of entries) {
    if (!KEY_ID_PATTERN.test(id)) throw new SecretBoxConfigError('secret box: a key id must match [A-Za-z0-9_-]{1,32}');
    if (key.byteLength !== KEY_BYTES) throw new SecretBoxConfigError(`secret box: key "${id}" must be ${KEY_BYTES} bytes`);
    // A private copy: later changes to the caller's buffer do not change the ring.
    ring.set(id, Buffer.from(key));
  }
  const firstId = ring.keys().next().value;
  if (firstId === undefined) throw new SecretBoxConfigError('secret box: at least one key is required');
  const current = currentKeyId ?? firstId;
  const currentKey = ring.get(current);
  if (!currentKey) throw new SecretBoxConfigError(`secret box: the current key id "${current}" is not in the key ring`);

  return {
    currentKeyId: current,
    seal(plaintext, aad) {
      if (aad.length === 0) throw new TypeError('secret box: aad must not be empty');
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, current, b64url(iv), b64url(ciphertext), b64url(tag)].join(':');
    },
    open(sealed, aad) {
      const parts = parseSealed(sealed);
      const key = ring.get(parts.keyId);
      if (!key) throw new SecretBoxError('unknown_key');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, parts.iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(aad, 'utf8'));
        decipher.setAuthTag(parts.tag);
        const plaintext = Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
        return plaintext.toString('utf8');
      } catch {
        // OpenSSL's message ("unable to authenticate data") adds nothing; the class is what matters.
        throw new SecretBoxError('auth_failed');
      }
    },
  };
}

/** The parts of a sealed value, decoded and length-checked. */
export interface SealedParts {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * Parses `v1:<keyId>:<iv>:<ciphertext>:<tag>`. Rejects (with `malformed`) any other
 * version, a bad key id, non-canonical base64url, an IV that is not 12 bytes and a
 * tag that is not 16 bytes (a truncated tag would weaken GCM's integrity, SP 800-38D §5.2.1.2).
 */
export function parseSealed(sealed: string): SealedParts {
  const parts = sealed.split(':');
  if (parts.length !== 5) throw new SecretBoxError('malformed');
  const [version, keyId, iv, ciphertext, tag] = parts as [string, string, string, string, string];
  if (version !== VERSION || !KEY_ID_PATTERN.test(keyId)) throw new SecretBoxError('malformed');
  const ivBytes = fromB64url(iv);
  const ciphertextBytes = fromB64url(ciphertext);
  const tagBytes = fromB64url(tag);
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw new SecretBoxError('malformed');
  return { keyId, iv: ivBytes, ciphertext: ciphertextBytes, tag: tagBytes };
}

/**
 * Parses WARDEN_ENCRYPTION_KEYS: `keyId:base64url(32 bytes)`, comma-separated
 * (whitespace around entries is ignored). Ids must be unique. Errors name the
 * position or id of the bad entry, never its key.
 */
export function parseEncryptionKeys(spec: string): Map<string, Buffer> {
  const ring = new Map<string, Buffer>();
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new SecretBoxConfigError('WARDEN_ENCRYPTION_KEYS lists no keys');
  entries.forEach((entry, index) => {
    const separator = entry.indexOf(':');
    const id = separator === -1 ? '' : entry.slice(0, separator);
    const encoded = separator === -1 ? '' : entry.slice(separator + 1);
    if (!KEY_ID_PATTERN.test(id)) {
      throw new SecretBoxConfigError(`WARDEN_ENCRYPTION_KEYS entry ${index + 1}: expected "keyId:base64url(32 bytes)"`);
    }
    if (ring.has(id)) throw new SecretBoxConfigError(`WARDEN_ENCRYPTION_KEYS: key id "${id}" is listed twice`);
    let key: Buffer;
    try {
      key = fromB64url(encoded.replace(/=+$/, ''));
    } catch {
      throw new SecretBoxConfigError(`WARDEN_ENCRYPTION_KEYS: key "${id}" is not base64url`);
    }
    if (key.length !== KEY_BYTES) throw new SecretBoxConfigError(`WARDEN_ENCRYPTION_KEYS: key "${id}" must decode to ${KEY_BYTES} bytes`);
    ring.set(id, key);
  });
  return ring;
}

/**
 * The development key: HKDF-SHA-256 (RFC 5869) of `secret` with info
 * "warden.secret-box.v1" and an empty salt. Used only when WARDEN_ENCRYPTION_KEYS
 * is unset, so development and tests work without extra configuration.
 */
export function deriveDevelopmentKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), DERIVED_KEY_INFO, KEY_BYTES));
}

let configured: SecretBox | undefined;

/**
 * The box configured from the environment: WARDEN_ENCRYPTION_KEYS with
 * WARDEN_ENCRYPTION_KEY_ID as the current key (default: the first listed), or,
 * when no keys are configured, key "k0" derived from AUTH_SECRET. Built once.
 */
export function configuredSecretBox(): SecretBox {
  if (configured) return configured;
  const { WARDEN_ENCRYPTION_KEYS: spec, WARDEN_ENCRYPTION_KEY_ID: currentId } = env();
  if (spec !== undefined && spec.trim() !== '') {
    const ring = parseEncryptionKeys(spec);
    if (currentId !== undefined && !ring.has(currentId)) {
      throw new SecretBoxConfigError(`WARDEN_ENCRYPTION_KEY_ID "${currentId}" is not listed in WARDEN_ENCRYPTION_KEYS`);
    }
    configured = createSecretBox(ring, currentId);
  } else {
    if (currentId !== undefined && currentId !== DERIVED_KEY_ID) {
      throw new SecretBoxConfigError('WARDEN_ENCRYPTION_KEY_ID is set but WARDEN_ENCRYPTION_KEYS is not');
    }
    configured = createSecretBox(new Map([[DERIVED_KEY_ID, deriveDevelopmentKey(authSecret())]]));
  }
  return configured;
}

/**
 * Seals a secret with the configured current key (AES-256-GCM, AAD = `aad`,
 * normally the owning user's id). ASVS V11.3.3.
 */
export function sealSecret(plaintext: string, aad: string): string {
  return configuredSecretBox().seal(plaintext, aad);
}

/**
 * Opens a value from {@link sealSecret} with the key it names. Throws
 * {@link SecretBoxError} (`malformed`, `unknown_key` or `auth_failed`); a wrong
 * AAD, a wrong key or any tampering is `auth_failed`. ASVS V11.3.3, V13.3.1.
 */
export function openSecret(sealed: string, aad: string): string {
  return configuredSecretBox().open(sealed, aad);
}

function b64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** Strict base64url: Node's decoder skips invalid characters, so check the alphabet and the round trip. */
function fromB64url(text: string): Buffer {
  if (!B64URL_PATTERN.test(text)) throw new SecretBoxError('malformed');
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw new SecretBoxError('malformed');
  return bytes;
}
