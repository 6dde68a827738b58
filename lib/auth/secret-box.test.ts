import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createSecretBox,
  deriveDevelopmentKey,
  openSecret,
  parseEncryptionKeys,
  parseSealed,
  sealSecret,
  SecretBoxConfigError,
  SecretBoxError,
  type SecretBoxErrorCode,
} from './secret-box';

const SEED = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const key = () => randomBytes(32);

function expectBoxError(fn: () => unknown, code: SecretBoxErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(SecretBoxError);
  expect((thrown as SecretBoxError).code).toBe(code);
  // The error names the failure class only: no seed, no sealed value.
  expect((thrown as Error).message).not.toContain(SEED);
}

/** Flips the lowest bit of byte `index` of one base64url part (1 iv, 2 ciphertext, 3 tag after "v1"). */
function flipByte(sealed: string, part: 2 | 3 | 4, index = 0): string {
  const parts = sealed.split(':');
  const bytes = Buffer.from(parts[part] ?? '', 'base64url');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join(':');
}

describe('secret box (AES-256-GCM, ASVS V11.3.3 / V13.3.1)', () => {
  it('round-trips and produces v1:keyId:iv:ct:tag with a 12-byte IV and a 16-byte tag', () => {
    const box = createSecretBox({ k1: key() });
    const sealed = box.seal(SEED, 'usr_a');
    expect(sealed).toMatch(/^v1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toContain(SEED);
    expect(box.open(sealed, 'usr_a')).toBe(SEED);
    const parts = parseSealed(sealed);
    expect(parts.iv).toHaveLength(12);
    expect(parts.tag).toHaveLength(16);
  });

  it('uses a fresh IV for every seal', () => {
    const box = createSecretBox({ k1: key() });
    const ivs = new Set(Array.from({ length: 50 }, () => box.seal(SEED, 'usr_a').split(':')[2]));
    expect(ivs.size).toBe(50);
  });

  it('round-trips Unicode and the empty string', () => {
    const box = createSecretBox({ k1: key() });
    for (const text of ['', 'prüfung ✓ 🔐']) expect(box.open(box.seal(text, 'usr_a'), 'usr_a')).toBe(text);
  });

  it.each([
    ['iv', 2],
    ['ciphertext', 3],
    ['tag', 4],
  ] as const)('T08 a flipped byte of the %s is auth_failed', (_name, part) => {
    const box = createSecretBox({ k1: key() });
    const sealed = box.seal(SEED, 'usr_a');
    expectBoxError(() => box.open(flipByte(sealed, part), 'usr_a'), 'auth_failed');
  });

  it('T08 a value sealed for one user does not open for another (AAD = user id)', () => {
    const box = createSecretBox({ k1: key() });
    const forA = box.seal(SEED, 'usr_a');
    const forB = box.seal(SEED, 'usr_b');
    expectBoxError(() => box.open(forA, 'usr_b'), 'auth_failed');
    expectBoxError(() => box.open(forB, 'usr_a'), 'auth_failed');
  });

  it('T08 a box with a different key under the same id is auth_failed', () => {
    const sealed = createSecretBox({ k1: key() }).seal(SEED, 'usr_a');
    expectBoxError(() => createSecretBox({ k1: key() }).open(sealed, 'usr_a'), 'auth_failed');
  });

  it('an unknown key id is unknown_key', () => {
    const sealed = createSecretBox({ k1: key() }).seal(SEED, 'usr_a');
    expectBoxError(() => createSecretBox({ k2: key() }).open(sealed, 'usr_a'), 'unknown_key');
  });

  it('rotation: old key ids stay readable, new values use the current key', () => {
    const k1 = key();
    const before = createSecretBox({ k1 });
    const old = before.seal(SEED, 'usr_a');
    const after = createSecretBox({ k1, k2: key() }, 'k2');
    expect(after.currentKeyId).toBe('k2');
    expect(after.open(old, 'usr_a')).toBe(SEED);
    const fresh = after.seal(SEED, 'usr_a');
    expect(fresh.startsWith('v1:k2:')).toBe(true);
    expect(after.open(fresh, 'usr_a')).toBe(SEED);
    expectBoxError(() => before.open(fresh, 'usr_a'), 'unknown_key');
  });

  it.each([
    ['empty', ''],
    ['plaintext seed', SEED],
    ['wrong version', 'v2:k1:AAAAAAAAAAAAAAAA:AAAA:AAAAAAAAAAAAAAAAAAAAAA'],
    ['too few parts', 'v1:k1:AAAAAAAAAAAAAAAA:AAAA'],
    ['too many parts', 'v1:k1:AAAAAAAAAAAAAAAA:AAAA:AAAAAAAAAAAAAAAAAAAAAA:x'],
    ['bad key id', 'v1:k 1:AAAAAAAAAAAAAAAA:AAAA:AAAAAAAAAAAAAAAAAAAAAA'],
    ['standard base64 characters', 'v1:k1:AAAAAAAAAAAAAA+/:AAAA:AAAAAAAAAAAAAAAAAAAAAA'],
    ['padding', 'v1:k1:AAAAAAAAAAAAAAAA:AA==:AAAAAAAAAAAAAAAAAAAAAA'],
    ['short IV', 'v1:k1:AAAAAAAAAAAA:AAAA:AAAAAAAAAAAAAAAAAAAAAA'],
    ['truncated tag', 'v1:k1:AAAAAAAAAAAAAAAA:AAAA:AAAAAAAAAAAAAAAAAAAA'],
    ['non-canonical base64url', 'v1:k1:AAAAAAAAAAAAAAAA:AB:AAAAAAAAAAAAAAAAAAAAAA'],
  ])('malformed: %s', (_name, sealed) => {
    const box = createSecretBox({ k1: key() });
    expectBoxError(() => box.open(sealed, 'usr_a'), 'malformed');
  });

  it('refuses an empty AAD when sealing', () => {
    expect(() => createSecretBox({ k1: key() }).seal(SEED, '')).toThrow(TypeError);
  });

  it('refuses bad key rings', () => {
    expect(() => createSecretBox({})).toThrow(SecretBoxConfigError);
    expect(() => createSecretBox({ k1: randomBytes(16) })).toThrow(SecretBoxConfigError);
    expect(() => createSecretBox({ 'k:1': key() })).toThrow(SecretBoxConfigError);
    expect(() => createSecretBox({ k1: key() }, 'k2')).toThrow(SecretBoxConfigError);
  });

  it('module-level functions use the configured box (k0 derived from AUTH_SECRET when no keys are set)', () => {
    const sealed = sealSecret(SEED, 'usr_a');
    expect(sealed.startsWith('v1:k0:')).toBe(true);
    expect(openSecret(sealed, 'usr_a')).toBe(SEED);
    expectBoxError(() => openSecret(sealed, 'usr_b'), 'auth_failed');
  });
});

describe('parseEncryptionKeys (WARDEN_ENCRYPTION_KEYS)', () => {
  const k1 = key();
  const k2 = key();

  it('parses ids and 32-byte base64url keys, ignoring whitespace and padding', () => {
    const ring = parseEncryptionKeys(` k1:${k1.toString('base64url')} , k2:${k2.toString('base64url')}= `);
    expect([...ring.keys()]).toEqual(['k1', 'k2']);
    expect(ring.get('k1')?.equals(k1)).toBe(true);
    expect(ring.get('k2')?.equals(k2)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['no separator', k1.toString('base64url')],
    ['bad id', `k 1:${k1.toString('base64url')}`],
    ['duplicate id', `k1:${k1.toString('base64url')},k1:${k2.toString('base64url')}`],
    ['16-byte key', `k1:${randomBytes(16).toString('base64url')}`],
    ['not base64url', `k1:${'*'.repeat(43)}`],
  ])('refuses %s without echoing key material', (_name, spec) => {
    let thrown: unknown;
    try {
      parseEncryptionKeys(spec);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SecretBoxConfigError);
    expect((thrown as Error).message).not.toContain(k1.toString('base64url'));
    expect((thrown as Error).message).not.toContain(k2.toString('base64url'));
  });
});

describe('deriveDevelopmentKey (HKDF-SHA-256, RFC 5869)', () => {
  it('is deterministic, 32 bytes, and depends on the secret', () => {
    const a = deriveDevelopmentKey('x'.repeat(32));
    expect(a).toHaveLength(32);
    expect(deriveDevelopmentKey('x'.repeat(32)).equals(a)).toBe(true);
    expect(deriveDevelopmentKey('y'.repeat(32)).equals(a)).toBe(false);
  });
});
