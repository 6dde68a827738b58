import { GENESIS_HASH, type AuditEventFields } from './hash';

/**
 * Golden vectors of the audit event hash, shared by hash.test.ts (the TypeScript
 * implementation) and standalone-verifier.test.ts (tools/warden-verify.mjs).
 */
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

/*
 * The vectors. The expected hashes were computed ONCE, independently of this
 * TypeScript code, by a python3 one-off using hashlib.sha256 over
 *   b"warden.audit.v1" + b"\x00" + prev.encode() + b"\x00" +
 *   json.dumps(event, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode("utf-8")
 * (the script is reproduced in docs/audit-chain-format.md). That json.dumps form
 * equals RFC 8785 for these events because they use only integers, and member
 * names within the Basic Multilingual Plane, where code point order and UTF-16
 * code unit order agree. The three events form a chain: each prevHash is the
 * previous vector's hash.
 */
export const HASH_VECTORS: { event: AuditEventFields; prevHash: string; hash: string }[] = [
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
    prevHash: GENESIS_HASH,
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
    prevHash: '0a250756e5b7f00cb30a511d0e29674da3c651bed059aa81bcb5472f7af17bd7',
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
    prevHash: 'e6bf887156f976ab0d57b7832dd672cac2e9c142838777f609a42680667d7ab2',
    hash: '5494b40b8525382e94c76d2ab02f79aab3f8389f7327cc76bab37424b138f58f',
  },
];
