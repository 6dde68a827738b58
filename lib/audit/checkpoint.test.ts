import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CHECKPOINT_FORMAT,
  checkpointDigest,
  checkpointDigestInput,
  keyIdOf,
  keyValidAt,
  rawPublicKey,
  signCheckpoint,
  storedCheckpointFromRow,
  verifyCheckpointSignature,
  type Checkpoint,
  type PublicKeysFile,
} from './checkpoint-format';

/*
 * Golden vectors for warden.checkpoint.v1 (docs/audit-chain-format.md "Checkpoints"),
 * computed independently of this code: the key is RFC 8032 section 7.1 TEST 1; keyId,
 * JCS bytes and digests come from Python's hashlib + json.dumps(sort_keys=True,
 * separators=(',', ':')); the signatures from both `openssl pkeyutl -sign -rawin` and
 * Python `cryptography` (Ed25519 is deterministic, so they must match exactly).
 */
const RFC8032_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC8032_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const PRIVATE_KEY = createPrivateKey({
  key: Buffer.from(`302e020100300506032b657004220420${RFC8032_SEED}`, 'hex'),
  format: 'der',
  type: 'pkcs8',
});
const KEY_ID = '21fe31dfa154a261';

const FIRST: Checkpoint = {
  format: CHECKPOINT_FORMAT,
  seq: 5000,
  headHash: '0a250756e5b7f00cb30a511d0e29674da3c651bed059aa81bcb5472f7af17bd7',
  ts: '2026-11-27T23:00:00.000Z',
  keyId: KEY_ID,
  prev: null,
};
const FIRST_INPUT =
  'warden.checkpoint.v1\u0000{"format":"warden.checkpoint.v1","headHash":"0a250756e5b7f00cb30a511d0e29674da3c651bed059aa81bcb5472f7af17bd7","keyId":"21fe31dfa154a261","prev":null,"seq":5000,"ts":"2026-11-27T23:00:00.000Z"}';
const FIRST_DIGEST = 'e2f66c70abf70dc2aa80c7bdf9b711052c8a64504c90d1dae3695e8bb29e771a';
const FIRST_SIGNATURE = '6vnyPEHUC4fcCXTHTMNTehZFxUXR47V9ox4o_Ruy-t6fWYC_kx3SEtoJ7IltQK1fBPTv9BiDEUjwKv2FrdHuBA';
const SECOND: Checkpoint = { ...FIRST, seq: 6000, headHash: 'f'.repeat(64), ts: '2026-11-27T23:15:00.000Z', prev: FIRST_DIGEST };
const SECOND_DIGEST = '5a99f0eec6d61627e3ae6b83784d611e10df91fb297ea7bc1c3f301bb6b5fcaf';
const SECOND_SIGNATURE = 'p-SBwUilWJG-6rAVwAreVvG6KF_jTumuMk-8Eplq-m6ws6OscJ6H_fcH3d-3FJGdqwmOVs20fJXNdoJAZBAPBQ';

const KEYS: PublicKeysFile = {
  format: 'warden.public-keys.v1',
  keys: [
    {
      keyId: KEY_ID,
      publicKey: Buffer.from(RFC8032_PUBLIC, 'hex').toString('base64url'),
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: null,
    },
  ],
};

describe('checkpoint golden vectors (warden.checkpoint.v1)', () => {
  it('derives the key id from the raw public key', () => {
    expect(rawPublicKey(PRIVATE_KEY).toString('hex')).toBe(RFC8032_PUBLIC);
    expect(keyIdOf(PRIVATE_KEY)).toBe(KEY_ID);
  });

  it('hashes and signs exactly the specified bytes', () => {
    expect(checkpointDigestInput(FIRST)).toEqual(Buffer.from(FIRST_INPUT, 'utf8'));
    expect(checkpointDigest(FIRST)).toBe(FIRST_DIGEST);
    expect(signCheckpoint(FIRST, PRIVATE_KEY)).toEqual({ ...FIRST, digest: FIRST_DIGEST, signature: FIRST_SIGNATURE });
    expect(signCheckpoint(SECOND, PRIVATE_KEY)).toEqual({ ...SECOND, digest: SECOND_DIGEST, signature: SECOND_SIGNATURE });
  });

  it('ignores member order and the digest/signature members of a stored checkpoint', () => {
    const reordered = { prev: null, ts: FIRST.ts, seq: 5000, keyId: KEY_ID, headHash: FIRST.headHash, format: CHECKPOINT_FORMAT } as const;
    expect(checkpointDigest(reordered)).toBe(FIRST_DIGEST);
    expect(checkpointDigest({ ...FIRST, digest: 'x'.repeat(64), signature: 'y' })).toBe(FIRST_DIGEST);
  });

  it('verifies the golden checkpoints with the published key', () => {
    for (const stored of [
      { ...FIRST, digest: FIRST_DIGEST, signature: FIRST_SIGNATURE },
      { ...SECOND, digest: SECOND_DIGEST, signature: SECOND_SIGNATURE },
    ]) {
      expect(verifyCheckpointSignature(stored, KEYS)).toEqual({ ok: true, key: KEYS.keys[0] });
      expect(verifyCheckpointSignature(stored, KEYS.keys).ok).toBe(true);
    }
  });

  it('restores a stored checkpoint from its database row', () => {
    const row = {
      seq: 5000,
      headHash: FIRST.headHash,
      ts: new Date(FIRST.ts),
      keyId: KEY_ID,
      prev: null,
      digest: FIRST_DIGEST,
      signature: FIRST_SIGNATURE,
    };
    expect(verifyCheckpointSignature(storedCheckpointFromRow(row), KEYS).ok).toBe(true);
  });
});

describe('verifyCheckpointSignature', () => {
  const good = signCheckpoint(FIRST, PRIVATE_KEY);

  it.each([
    ['seq', { seq: 5001 }],
    ['headHash', { headHash: 'e'.repeat(64) }],
    ['ts', { ts: '2026-11-27T23:00:00.001Z' }],
    ['prev', { prev: 'a'.repeat(64) }],
  ])('refuses a checkpoint whose %s was changed', (_field, change) => {
    const tampered = { ...good, ...change };
    expect(verifyCheckpointSignature(tampered, KEYS)).toMatchObject({ ok: false, problem: 'digest_mismatch' });
    // …and one whose digest was recomputed too: the signature no longer verifies.
    expect(verifyCheckpointSignature({ ...tampered, digest: checkpointDigest(tampered) }, KEYS)).toMatchObject({
      ok: false,
      problem: 'bad_signature',
    });
  });

  it('refuses a signature by another key that claims the published key id', () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    const forged = signCheckpoint({ ...FIRST, keyId: keyIdOf(other) }, other);
    expect(
      verifyCheckpointSignature({ ...forged, keyId: KEY_ID, digest: checkpointDigest({ ...forged, keyId: KEY_ID }) }, KEYS),
    ).toMatchObject({
      ok: false,
      problem: 'bad_signature',
    });
    expect(verifyCheckpointSignature(forged, KEYS)).toMatchObject({ ok: false, problem: 'unknown_key' });
  });

  it('refuses a published entry whose key id does not match its public key', () => {
    const otherPublic = rawPublicKey(generateKeyPairSync('ed25519').publicKey).toString('base64url');
    const keys = [{ ...KEYS.keys[0]!, publicKey: otherPublic }];
    expect(verifyCheckpointSignature(good, keys)).toMatchObject({ ok: false, problem: 'bad_signature' });
  });

  it('accepts a key only within [validFrom, validUntil)', () => {
    const entry = { ...KEYS.keys[0]!, validFrom: FIRST.ts, validUntil: '2026-11-27T23:00:00.001Z' };
    expect(keyValidAt(entry, FIRST.ts)).toBe(true);
    expect(keyValidAt(entry, '2026-11-27T22:59:59.999Z')).toBe(false);
    expect(keyValidAt(entry, '2026-11-27T23:00:00.001Z')).toBe(false);
    expect(verifyCheckpointSignature(good, [entry]).ok).toBe(true);
    expect(verifyCheckpointSignature(good, [{ ...entry, validUntil: FIRST.ts }])).toMatchObject({ ok: false, problem: 'key_not_valid' });
    expect(verifyCheckpointSignature(good, [{ ...entry, validFrom: '2026-11-28T00:00:00.000Z', validUntil: null }])).toMatchObject({
      ok: false,
      problem: 'key_not_valid',
    });
  });

  it.each([
    ['a missing member', { ...good, prev: undefined }],
    ['an extra member', { ...good, note: 'x' }],
    ['another format', { ...good, format: 'warden.checkpoint.v2' }],
    ['a ts without milliseconds', { ...good, ts: '2026-11-27T23:00:00Z' }],
    ['an uppercase hash', { ...good, headHash: good.headHash.toUpperCase() }],
    ['not an object', 'checkpoint'],
  ])('reports %s as malformed', (_name, value) => {
    expect(verifyCheckpointSignature(value, KEYS)).toMatchObject({ ok: false, problem: 'malformed' });
  });

  it('refuses to sign with a key whose id the checkpoint does not name', () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(() => signCheckpoint(FIRST, other)).toThrow(/keyId/);
  });
});
