import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_FORMAT, signCheckpoint, verifyCheckpointSignature } from './checkpoint-format';
import {
  assertKeyUsableAt,
  generateKeyPair,
  initSigningKey,
  keyIdOf,
  loadPublicKeys,
  loadSigningKey,
  readPublicKeysIfAny,
  savePublicKeys,
  SigningKeyError,
  writePrivateKeyFile,
} from './signing-keys';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-keys-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('signing keys', () => {
  it('writes a new private key with mode 0600 and loads it from the file or the PEM text', () => {
    const pair = generateKeyPair();
    const file = path.join(dir, 'sub', 'key.pem');
    writePrivateKeyFile(file, pair.privatePem);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const fromFile = loadSigningKey({ file });
    expect(fromFile).toMatchObject({ keyId: pair.keyId, source: file });
    expect(keyIdOf(pair.publicKey)).toBe(pair.keyId);
    expect(loadSigningKey({ pem: pair.privatePem })).toMatchObject({ keyId: pair.keyId, source: 'WARDEN_AUDIT_SIGNING_KEY' });
  });

  it('refuses to overwrite a key file', () => {
    const file = path.join(dir, 'key.pem');
    fs.writeFileSync(file, 'existing');
    expect(() => writePrivateKeyFile(file, generateKeyPair().privatePem)).toThrow(/refusing to overwrite/);
    expect(fs.readFileSync(file, 'utf8')).toBe('existing');
  });

  it('names the problem, never the key, when a key is unreadable or not Ed25519', () => {
    expect(() => loadSigningKey({ file: path.join(dir, 'missing.pem') })).toThrow(/cannot read the audit signing key file .*ENOENT/);
    expect(() => loadSigningKey({ pem: 'not a key' })).toThrow(SigningKeyError);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect(() => loadSigningKey({ pem: rsa })).toThrow(/rsa, not Ed25519/);
    try {
      loadSigningKey({ pem: rsa });
    } catch (error) {
      expect((error as Error).message).not.toContain('PRIVATE KEY-----\n');
    }
  });

  it('init creates the first key and the public-keys file, then is a no-op for that key', () => {
    const publicKeysFile = path.join(dir, 'public-keys.json');
    const out = path.join(dir, 'signing-key.pem');
    const result = initSigningKey({ current: null, out, publicKeysFile });
    expect(result).toMatchObject({ privateKeyFile: out, published: true });
    const key = loadSigningKey({ file: out })!;
    expect(key.keyId).toBe(result.keyId);
    const published = loadPublicKeys(publicKeysFile);
    expect(published).toMatchObject({
      format: 'warden.public-keys.v1',
      keys: [{ keyId: key.keyId, publicKey: key.publicKey, validUntil: null }],
    });
    expect(initSigningKey({ current: key, publicKeysFile })).toEqual({ keyId: key.keyId, privateKeyFile: null, published: false });
    // A second, different key is refused while one is open: that is what rotate is for.
    expect(() => initSigningKey({ current: null, out: path.join(dir, 'other.pem'), publicKeysFile })).toThrow(/already has an open key/);
    expect(() => initSigningKey({ current: loadSigningKey({ pem: generateKeyPair().privatePem }), publicKeysFile })).toThrow(/rotate/);
  });

  it('init publishes a configured key that is not yet published', () => {
    const publicKeysFile = path.join(dir, 'public-keys.json');
    const key = loadSigningKey({ pem: generateKeyPair().privatePem })!;
    expect(initSigningKey({ current: key, publicKeysFile })).toEqual({ keyId: key.keyId, privateKeyFile: null, published: true });
    expect(loadPublicKeys(publicKeysFile).keys.map((k) => k.keyId)).toEqual([key.keyId]);
  });

  it('reads and validates public-keys files', () => {
    const file = path.join(dir, 'public-keys.json');
    expect(readPublicKeysIfAny(file)).toBeNull();
    expect(() => loadPublicKeys(file)).toThrow(/does not exist; run `npm run audit:keys -- init`/);
    fs.writeFileSync(file, '{"format":"warden.public-keys.v1","keys":[{"keyId":"nothex"}]}');
    expect(() => loadPublicKeys(file)).toThrow(/is not warden.public-keys.v1/);
    fs.writeFileSync(file, '{');
    expect(() => loadPublicKeys(file)).toThrow(/not valid JSON/);
    savePublicKeys({ format: 'warden.public-keys.v1', keys: [] }, file);
    expect(loadPublicKeys(file)).toEqual({ format: 'warden.public-keys.v1', keys: [] });
    expect(fs.readdirSync(dir)).toEqual(['public-keys.json']); // no temporary file left behind
  });

  it('lets a key sign only while published and valid', () => {
    const key = loadSigningKey({ pem: generateKeyPair().privatePem })!;
    const entry = {
      keyId: key.keyId,
      publicKey: key.publicKey,
      validFrom: '2026-01-01T00:00:00.000Z',
      validUntil: '2026-06-01T00:00:00.000Z',
    };
    const keys = { format: 'warden.public-keys.v1' as const, keys: [entry] };
    expect(assertKeyUsableAt(key, keys, '2026-03-01T00:00:00.000Z', 'pk.json')).toEqual(entry);
    expect(() => assertKeyUsableAt(key, keys, '2026-06-01T00:00:00.000Z', 'pk.json')).toThrow(/not valid at .*restart/);
    expect(() => assertKeyUsableAt(key, { ...keys, keys: [] }, '2026-03-01T00:00:00.000Z', 'pk.json')).toThrow(/not published/);
    const stored = signCheckpoint(
      { format: CHECKPOINT_FORMAT, seq: 1, headHash: 'a'.repeat(64), ts: '2026-03-01T00:00:00.000Z', keyId: key.keyId, prev: null },
      key.privateKey,
    );
    expect(verifyCheckpointSignature(stored, keys).ok).toBe(true);
  });
});
