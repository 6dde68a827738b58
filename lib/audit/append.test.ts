import { describe, expect, it } from 'vitest';
import type { Tx } from '@/lib/db/client';
import { AUDIT_LIMITS, AUDIT_OPERATIONS, appendAuditEvent, AuditAppendError, AuditEventInputSchema, type AuditEventInput } from './append';

const valid: AuditEventInput = {
  actor: { id: 'usr_1', role: 'admin', sessionId: 'ses_1' },
  ip: '203.0.113.9',
  userAgent: 'Mozilla/5.0',
  correlationId: 'req-1',
  operation: 'session.revoke',
  target: { type: 'Session', id: 'ses_2' },
  outcome: 'success',
  reasonCode: 'revoked_by_admin',
  reason: 'Ticket #12: lost laptop',
  details: { sessions: 1, before: { revokedAt: null } },
  policyVersion: 'policies@abc123',
  decision: 'rule:admin.session.revoke',
};

function parse(input: unknown) {
  return AuditEventInputSchema.safeParse(input);
}

describe('AuditEventInputSchema', () => {
  it('accepts a full event and stores details as canonical JSON text', () => {
    const result = parse(valid);
    expect(result.success).toBe(true);
    expect(result.data?.details).toBe('{"before":{"revokedAt":null},"sessions":1}');
  });

  it('accepts a minimal system event and fills optional fields with null and details with {}', () => {
    const result = parse({
      actor: null,
      correlationId: 'seed-1',
      operation: 'system.seed',
      target: null,
      outcome: 'success',
      policyVersion: 'policies@abc123',
    });
    expect(result.success).toBe(true);
    expect(result.data).toMatchObject({
      actor: null,
      ip: null,
      userAgent: null,
      reasonCode: null,
      reason: null,
      decision: null,
      details: '{}',
    });
  });

  it('requires actor and target to be stated (null when there is none)', () => {
    const noActor: Record<string, unknown> = { ...valid };
    delete noActor.actor;
    const noTarget: Record<string, unknown> = { ...valid };
    delete noTarget.target;
    expect(parse(noActor).success).toBe(false);
    expect(parse(noTarget).success).toBe(false);
  });

  it('lists the catalogue of operations and rejects unknown ones', () => {
    expect(Object.keys(AUDIT_OPERATIONS)).toEqual(
      expect.arrayContaining(['auth.sign_in', 'auth.sign_out', 'session.revoke', 'system.seed', 'user.create']),
    );
    for (const id of Object.keys(AUDIT_OPERATIONS)) expect(id).toMatch(/^[a-z]+(\.[a-z_]+)+$/);
    expect(parse({ ...valid, operation: 'user.explode' }).success).toBe(false);
  });

  it.each(['success', 'denied', 'failure'])('accepts outcome %s', (outcome) => {
    expect(parse({ ...valid, outcome }).success).toBe(true);
  });

  it.each([
    ['an unknown top-level key', { ...valid, hash: 'f'.repeat(64) }],
    ['an unknown actor key', { ...valid, actor: { id: 'u', role: 'admin', sessionId: null, isRoot: true } }],
    ['an unknown target key', { ...valid, target: { type: 'User', id: 'u', extra: 1 } }],
    ['an unknown outcome', { ...valid, outcome: 'partial' }],
    ['an empty correlation id', { ...valid, correlationId: '' }],
    ['an IP that is not an IP', { ...valid, ip: 'unknown' }],
    ['a reason longer than 2000', { ...valid, reason: 'r'.repeat(AUDIT_LIMITS.reasonChars + 1) }],
    ['an empty reason', { ...valid, reason: '' }],
    ['a reason with a lone surrogate', { ...valid, reason: 'ok\uD800' }],
    ['a free-text reasonCode', { ...valid, reasonCode: 'Because I said so' }],
    ['a missing policyVersion', { ...valid, policyVersion: undefined }],
    ['details as an array', { ...valid, details: [1, 2] }],
    ['details as a string', { ...valid, details: '{"a":1}' }],
    ['details as a Date', { ...valid, details: new Date() }],
    ['details with a Date inside', { ...valid, details: { at: new Date() } }],
    ['details with undefined', { ...valid, details: { a: undefined } }],
    ['details with NaN', { ...valid, details: { n: Number.NaN } }],
    ['details with a bigint', { ...valid, details: { n: 1n } }],
    ['details with a function', { ...valid, details: { f: () => 1 } }],
    ['details with a class instance', { ...valid, details: { m: new Map() } }],
    ['details with a password', { ...valid, details: { password: 'hunter2' } }],
    ['details with a nested token', { ...valid, details: { session: { tokenHash: 'abc' } } }],
    ['details with an api_key', { ...valid, details: { api_key: 'k' } }],
    ['details with a TOTP secret', { ...valid, details: { totpSecret: 'JBSWY3DP' } }],
  ])('rejects %s', (_name, input) => {
    expect(parse(input).success).toBe(false);
  });

  it('allows non-secret values under credential-sounding names (flags, counts)', () => {
    expect(parse({ ...valid, details: { passwordChanged: true, tokenCount: 2, otp: null } }).success).toBe(true);
  });

  it('rejects details over 16 KiB of canonical JSON but accepts exactly the limit', () => {
    const overhead = '{"x":""}'.length;
    const atLimit = { x: 'a'.repeat(AUDIT_LIMITS.detailsBytes - overhead) };
    expect(parse({ ...valid, details: atLimit }).success).toBe(true);
    const overLimit = { x: 'a'.repeat(AUDIT_LIMITS.detailsBytes - overhead + 1) };
    expect(parse({ ...valid, details: overLimit }).success).toBe(false);
  });

  it('counts the details limit in UTF-8 bytes, not characters', () => {
    const overhead = '{"x":""}'.length;
    const multiByte = { x: 'é'.repeat(AUDIT_LIMITS.detailsBytes - overhead) };
    expect(parse({ ...valid, details: multiByte }).success).toBe(false);
  });

  it('rejects details nested deeper than the limit', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < AUDIT_LIMITS.detailsDepth; i++) deep = { d: deep };
    expect(parse({ ...valid, details: deep }).success).toBe(false);
  });

  it('truncates the user agent to 512 code units without splitting a surrogate pair', () => {
    const long = parse({ ...valid, userAgent: 'U'.repeat(2000) });
    expect(long.data?.userAgent).toHaveLength(AUDIT_LIMITS.userAgentChars);
    const emojiAtCut = parse({ ...valid, userAgent: `${'U'.repeat(511)}😀tail` });
    expect(emojiAtCut.data?.userAgent).toBe('U'.repeat(511));
  });

  it('repairs lone surrogates in the user agent and maps an empty one to null', () => {
    expect(parse({ ...valid, userAgent: 'bad\uD800agent' }).data?.userAgent).toBe('bad\uFFFDagent');
    expect(parse({ ...valid, userAgent: '' }).data?.userAgent).toBeNull();
  });

  it('does not echo rejected values in its messages', () => {
    const result = parse({ ...valid, details: { password: 'hunter2-secret' }, reason: 'x'.repeat(3000) });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).not.toContain('hunter2');
  });
});

describe('appendAuditEvent input handling', () => {
  // A transaction that fails the test if it is used: invalid input must be
  // refused before the first statement reaches the database.
  const untouchable = new Proxy(
    {},
    {
      get() {
        throw new Error('the database was touched');
      },
    },
  ) as Tx;

  it('throws AuditAppendError(invalid_input) before any database statement', async () => {
    const attempt = appendAuditEvent(untouchable, { ...valid, operation: 'nope' as 'auth.sign_in' });
    await expect(attempt).rejects.toBeInstanceOf(AuditAppendError);
    await expect(attempt).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(attempt).rejects.toThrow(/operation/);
  });

  it('names the bad fields without their values', async () => {
    const attempt = appendAuditEvent(untouchable, { ...valid, details: { secret: 'hunter2' } });
    await expect(attempt).rejects.toThrow(/details/);
    await expect(attempt).rejects.not.toThrow(/hunter2/);
  });
});
