import { describe, expect, it } from 'vitest';
import {
  deriveRecoveryCodeKey,
  hashRecoveryCode,
  newRecoveryCode,
  normalizeRecoveryCode,
  RECOVERY_CODE_ALPHABET,
  RECOVERY_CODE_BITS,
} from './recovery-codes';

describe('recovery codes: format', () => {
  it('uses a 32-symbol alphabet without look-alikes', () => {
    expect(RECOVERY_CODE_ALPHABET).toHaveLength(32);
    expect(new Set(RECOVERY_CODE_ALPHABET).size).toBe(32);
    for (const ambiguous of ['i', 'l', 'o', 'u']) expect(RECOVERY_CODE_ALPHABET).not.toContain(ambiguous);
  });

  it('carries at least 60 bits per code', () => {
    expect(RECOVERY_CODE_BITS).toBeGreaterThanOrEqual(60);
  });

  it('issues xxxx-xxxx-xxxx codes from the alphabet, all different', () => {
    const codes = Array.from({ length: 500 }, newRecoveryCode);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('uses every symbol of the alphabet (no bias towards a subset)', () => {
    const seen = new Set(Array.from({ length: 500 }, newRecoveryCode).join('').replace(/-/g, ''));
    expect(seen.size).toBe(32);
  });
});

describe('recovery codes: normalization', () => {
  it.each([
    ['abcd-efgh-jkmn', 'abcdefghjkmn'],
    ['ABCD-EFGH-JKMN', 'abcdefghjkmn'],
    ['abcdefghjkmn', 'abcdefghjkmn'],
    [' abcd efgh jkmn ', 'abcdefghjkmn'],
    ['abcd\t-efgh-\njkmn', 'abcdefghjkmn'],
    ['0o00-1iL1-2345', '000011112345'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeRecoveryCode(input)).toBe(expected);
  });

  it.each([
    ['too short', 'abcd-efgh-jkm'],
    ['too long', 'abcd-efgh-jkmnp'],
    ['u is never issued', 'abcd-efgh-jkmu'],
    ['symbols', 'abcd-efgh-jk*n'],
    ['empty', ''],
    ['huge input', 'a'.repeat(10_000)],
    ['non-ASCII letters', 'äbcd-efgh-jkmn'],
  ])('refuses %s', (_name, input) => {
    expect(normalizeRecoveryCode(input)).toBeNull();
  });

  it('a code as issued normalizes to itself without dashes', () => {
    const code = newRecoveryCode();
    expect(normalizeRecoveryCode(code)).toBe(code.replace(/-/g, ''));
    expect(normalizeRecoveryCode(code.toUpperCase())).toBe(code.replace(/-/g, ''));
  });
});

describe('recovery codes: keyed hash (HMAC-SHA-256, RFC 2104; HKDF RFC 5869)', () => {
  const key = deriveRecoveryCodeKey('s'.repeat(32));

  it('is hex SHA-256-sized, deterministic, and keyed', () => {
    const hash = hashRecoveryCode('abcdefghjkmn', key);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecoveryCode('abcdefghjkmn', key)).toBe(hash);
    expect(hashRecoveryCode('abcdefghjkmn', deriveRecoveryCodeKey('t'.repeat(32)))).not.toBe(hash);
    expect(hashRecoveryCode('abcdefghjkmp', key)).not.toBe(hash);
  });

  it('derives a 32-byte key', () => {
    expect(key).toHaveLength(32);
  });
});
