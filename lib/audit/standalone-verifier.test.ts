import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonical-json';
import { CHECKPOINT_FORMAT, checkpointDigestInput } from './checkpoint-format';
import { canonicalAuditEvent, computeEventHash, GENESIS_HASH, type AuditEventFields } from './hash';

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

const NULLS = {
  actorId: null,
  actorRole: null,
  actorSessionId: null,
  ip: null,
  userAgent: null,
  targetType: null,
  targetId: null,
  reasonCode: null,
  reason: null,
  decision: null,
} as const;

const VECTORS: { event: AuditEventFields; hash: string }[] = [
  {
    event: {
      ...NULLS,
      seq: 1,
      id: '3f0e2a8c-1b7d-4c6e-9a51-0d2f4b6c8e01',
      ts: new Date('2025-01-15T09:30:00.000Z'),
      correlationId: 'seed-run-0001',
      operation: 'system.seed',
      outcome: 'success',
      details: '{}',
      policyVersion: 'policies@0000000',
    },
    hash: '0a250756e5b7f00cb30a511d0e29674da3c651bed059aa81bcb5472f7af17bd7',
  },
  {
    event: {
      ...NULLS,
      seq: 2,
      id: 'a9c4d2e1-5f3b-4a7c-8d6e-1b2c3d4e5f60',
      ts: new Date('2025-01-15T09:31:07.042Z'),
      actorId: 'usr_01HZX3K',
      actorRole: 'admin',
      actorSessionId: 'ses_9f8e7d',
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0',
      correlationId: 'req-7c1f',
      operation: 'auth.sign_in',
      outcome: 'success',
      reasonCode: 'password_and_totp',
      details: '{"attempt":1,"nested":{"a":[1,2,{"k":"v"}],"b":{"z":null,"ä":true}},"session":{"amr":["pwd","otp"],"id":"ses_9f8e7d"}}',
      policyVersion: 'policies@1a2b3c4',
      decision: 'rule:authn.password_mfa',
    },
    hash: 'e6bf887156f976ab0d57b7832dd672cac2e9c142838777f609a42680667d7ab2',
  },
  {
    event: {
      ...NULLS,
      seq: 3,
      id: 'c0ffee00-1234-4abc-8def-000000000003',
      ts: new Date('2025-02-28T23:59:59.999Z'),
      actorId: 'usr_support_1',
      actorRole: 'support',
      ip: '2001:db8::42',
      correlationId: 'req-Ω-3',
      operation: 'session.revoke',
      targetType: 'Session',
      targetId: 'ses_abc',
      outcome: 'denied',
      reasonCode: 'not_permitted',
      reason: 'Zugriff für Prüfung — Ticket #42 🔒\nzweite Zeile\tmit Tab',
      details: '{"blast":{"sessions":3},"é":["accent",null],"Ω":"omega"}',
      policyVersion: 'policies@1a2b3c4',
      decision: 'rule:deny-default',
    },
    hash: '5494b40b8525382e94c76d2ab02f79aab3f8389f7327cc76bab37424b138f58f',
  },
];

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
