import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonical-json';
import { AUDIT_HASH_DOMAIN, canonicalAuditEvent, computeEventHash, eventHashInput, fastCanonicalEventJson, GENESIS_HASH } from './hash';
import { HASH_VECTORS } from './hash-vectors';

const VECTORS = HASH_VECTORS;

// Non-null assertion is fine in a fixture: the array literal above has three entries.
const first = VECTORS[0]!;

describe('audit event hash (warden.audit.v1)', () => {
  it('uses the documented domain tag and genesis value', () => {
    expect(AUDIT_HASH_DOMAIN).toBe('warden.audit.v1');
    expect(GENESIS_HASH).toBe('0000000000000000000000000000000000000000000000000000000000000000');
  });

  it.each(VECTORS.map((v) => [v.event.seq, v] as const))('matches golden vector seq %i', (_seq, vector) => {
    expect(computeEventHash(vector.prevHash, vector.event)).toBe(vector.hash);
  });

  it('chains the golden vectors (each prevHash is the previous hash)', () => {
    let prev = GENESIS_HASH;
    for (const vector of VECTORS) {
      expect(vector.prevHash).toBe(prev);
      prev = computeEventHash(prev, vector.event);
    }
  });

  it('hashes domain ‖ 0x00 ‖ prevHash ‖ 0x00 ‖ canonical event, with nulls present and ts in ISO form', () => {
    const input = eventHashInput(first.prevHash, first.event).toString('utf8');
    expect(input).toBe(
      `warden.audit.v1\u0000${GENESIS_HASH}\u0000` +
        '{"actorId":null,"actorRole":null,"actorSessionId":null,"correlationId":"seed-run-0001","decision":null,' +
        '"details":{},"id":"3f0e2a8c-1b7d-4c6e-9a51-0d2f4b6c8e01","ip":null,"operation":"system.seed",' +
        '"outcome":"success","policyVersion":"policies@0000000","reason":null,"reasonCode":null,"seq":1,' +
        '"targetId":null,"targetType":null,"ts":"2025-01-15T09:30:00.000Z","userAgent":null}',
    );
    expect(createHash('sha256').update(input, 'utf8').digest('hex')).toBe(first.hash);
  });

  it('hashes details by content, not by its stored spelling', () => {
    const respelled = { ...first.event, details: '{ }' };
    expect(computeEventHash(first.prevHash, respelled)).toBe(first.hash);
  });

  it.each([
    ['seq', { seq: 2 }],
    ['ts by one millisecond', { ts: new Date('2025-01-15T09:30:00.001Z') }],
    ['a null becoming an empty string', { reason: '' }],
    ['details', { details: '{"a":1}' }],
    ['outcome', { outcome: 'failure' }],
  ])('changes when %s changes', (_name, change) => {
    expect(computeEventHash(first.prevHash, { ...first.event, ...change })).not.toBe(first.hash);
  });

  it('changes when prevHash changes', () => {
    expect(computeEventHash('f'.repeat(64), first.event)).not.toBe(first.hash);
  });

  it.each(['', 'F'.repeat(64), '0'.repeat(63), `${'0'.repeat(63)}g`])('rejects malformed prevHash %j', (prev) => {
    expect(() => computeEventHash(prev, first.event)).toThrow(/prevHash/);
  });

  it.each(['[]', 'null', '"x"', '{bad json'])('rejects details that are not a JSON object: %s', (details) => {
    expect(() => computeEventHash(GENESIS_HASH, { ...first.event, details })).toThrow();
  });

  it('rejects an invalid date', () => {
    expect(() => canonicalAuditEvent({ ...first.event, ts: new Date(Number.NaN) })).toThrow(/ts/);
  });
});

describe('fastCanonicalEventJson (the verifier’s single pass)', () => {
  const base = HASH_VECTORS[0]!.event;
  const odd = [
    'plain',
    'quote " and backslash \\ and slash /',
    'controls \u0000 \u0001 \b \t \n \f \r \u001f and DEL \u007f',
    'bidi \u202e override, zero width \u200b, NBSP \u00a0',
    'emoji 👩🏽‍💻 and CJK 漢字 and combining é',
    'line separator \u2028 and paragraph separator \u2029',
    'a literal backslash-u: \\ud800 (not a surrogate)',
  ];

  it('writes exactly what canonicalize(canonicalAuditEvent(row)) writes, for odd strings and nulls', () => {
    for (const text of odd) {
      for (const nulls of [false, true]) {
        const event = {
          ...base,
          seq: 987_654_321,
          actorId: nulls ? null : text,
          actorRole: nulls ? null : 'admin',
          ip: nulls ? null : '2001:db8::1',
          userAgent: text,
          reason: nulls ? null : text,
          reasonCode: nulls ? null : text,
          targetId: nulls ? null : text,
          targetType: nulls ? null : 'User',
          decision: nulls ? null : 'rule',
          details: canonicalize({ b: [1, 2.5, -0, 'x'], a: { text, n: null, t: true } }),
        };
        const general = canonicalize(canonicalAuditEvent(event));
        const fast = fastCanonicalEventJson(event, canonicalize(JSON.parse(event.details)));
        if (fast !== null) expect(fast).toBe(general);
        else expect(text).toContain('\\ud800');
      }
    }
  });

  it('declines (so the general path decides) for a lone surrogate, an invalid ts or an unsafe seq', () => {
    const details = canonicalize(JSON.parse(base.details));
    expect(fastCanonicalEventJson({ ...base, reason: 'lone \ud800 high' }, details)).toBeNull();
    expect(() => canonicalize(canonicalAuditEvent({ ...base, reason: 'lone \ud800 high' }))).toThrow(/surrogate|Unicode/i);
    expect(fastCanonicalEventJson({ ...base, userAgent: 'lone \udc00 low' }, details)).toBeNull();
    expect(fastCanonicalEventJson({ ...base, ts: new Date(Number.NaN) }, details)).toBeNull();
    expect(fastCanonicalEventJson({ ...base, seq: 2 ** 60 }, details)).toBeNull();
  });
});
