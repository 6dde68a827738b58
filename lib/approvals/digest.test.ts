import { describe, expect, it } from 'vitest';
import { approvalDigest } from './digest';

describe('approval digest', () => {
  const input = { id: 'u1', role: 'superadmin', reason: 'On-call lead' };
  const baseline = { user: { id: 'u1', role: 'admin', status: 'active', deleted: false } };

  it('is stable under key order (RFC 8785 canonical JSON)', () => {
    const reordered = { reason: 'On-call lead', role: 'superadmin', id: 'u1' };
    expect(approvalDigest('user.role_grant_privileged', reordered, baseline)).toBe(
      approvalDigest('user.role_grant_privileged', input, baseline),
    );
    expect(approvalDigest('user.role_grant_privileged', input, baseline)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with the operation, any input field, and the baseline', () => {
    const d = approvalDigest('user.role_grant_privileged', input, baseline);
    expect(approvalDigest('user.role_change', input, baseline)).not.toBe(d);
    expect(approvalDigest('user.role_grant_privileged', { ...input, id: 'u2' }, baseline)).not.toBe(d);
    expect(approvalDigest('user.role_grant_privileged', { ...input, reason: 'On-call lead.' }, baseline)).not.toBe(d);
    expect(approvalDigest('user.role_grant_privileged', input, { user: { ...baseline.user, role: 'auditor' } })).not.toBe(d);
  });

  it('keeps fields apart (no ambiguity between operation and input)', () => {
    expect(approvalDigest('a', { b: 1 }, {})).not.toBe(approvalDigest('a\u0000', { b: 1 }, {}));
  });
});
