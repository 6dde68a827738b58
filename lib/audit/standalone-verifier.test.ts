import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonical-json';
import { CHECKPOINT_FORMAT, checkpointDigestInput } from './checkpoint-format';
import { canonicalAuditEvent, computeEventHash, GENESIS_HASH, type AuditEventFields } from './hash';
import { HASH_VECTORS } from './hash-vectors';

/**
 * tools/warden-verify.mjs re-implements RFC 8785 and the event hash so that it can
 * run without Warden; these tests pin it to lib/audit on the golden vectors of
 * hash.test.ts (the same three events and hashes, computed independently in Python).
 */
interface ToolApi {
  eventHash(prevHash: string, event: Record<string, unknown>): string;
  canonicalize(value: unknown): string;
  checkpointDigestInput(checkpoint: Record<string, unknown>): Buffer;
  GENESIS_HASH: string;
}
const toolUrl = pathToFileURL(path.resolve(import.meta.dirname, '../../tools/warden-verify.mjs')).href;
const tool = (await import(toolUrl)) as ToolApi;

const VECTORS = HASH_VECTORS;

/** An event as events.jsonl holds it: details an object, ts the ISO string. */
const bundleForm = (event: AuditEventFields) => ({ ...canonicalAuditEvent(event) });

describe('tools/warden-verify.mjs hashing equals lib/audit', () => {
  it('chains the golden vectors to the same hashes as lib/audit/hash.ts', () => {
    expect(tool.GENESIS_HASH).toBe(GENESIS_HASH);
    let prev = GENESIS_HASH;
    for (const vector of VECTORS) {
      const hash = tool.eventHash(prev, bundleForm(vector.event));
      expect(hash).toBe(vector.hash);
      expect(hash).toBe(computeEventHash(prev, vector.event));
      prev = hash;
    }
  });

  it('ignores prevHash and hash members of the line when hashing', () => {
    const line = { ...bundleForm(VECTORS[0]!.event), prevHash: GENESIS_HASH, hash: 'x' };
    expect(tool.eventHash(GENESIS_HASH, line)).toBe(VECTORS[0]!.hash);
  });

  it.each([
    [
      'nested objects, unicode names and escapes',
      { b: [1, { z: null, ä: true }], a: 'line\nbreak\u0001"q"\\', '\u20ac': 1, '\ud83d\ude00': 2 },
    ],
    ['numbers as ECMAScript prints them', { n: [0, -0, 1e21, 1e-7, 0.1, 123456789012345680000, -5.5] }],
    ['empty containers', { a: {}, b: [], c: '' }],
  ])('canonicalizes %s as lib/audit/canonical-json.ts', (_name, value) => {
    expect(tool.canonicalize(value)).toBe(canonicalize(value));
  });

  it('refuses lone surrogates as lib/audit does', () => {
    expect(() => tool.canonicalize({ a: '\ud800' })).toThrow();
    expect(() => canonicalize({ a: '\ud800' })).toThrow();
  });

  it('has the checkpoint digest input of lib/audit/checkpoint-format.ts', () => {
    const checkpoint = {
      format: CHECKPOINT_FORMAT as typeof CHECKPOINT_FORMAT,
      seq: 5,
      headHash: 'a'.repeat(64),
      ts: '2026-11-27T23:00:00.000Z',
      keyId: '0123456789abcdef',
      prev: null,
    };
    expect(tool.checkpointDigestInput({ ...checkpoint, digest: 'd', signature: 's' })).toEqual(checkpointDigestInput(checkpoint));
  });
});
