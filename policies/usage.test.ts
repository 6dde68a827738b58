import { describe, expect, it } from 'vitest';
import { computeMatrix } from './matrix';
import { OPERATIONS, type OperationId } from './operations';
import { grantedOperations, isGranted, operationsEvidencedBy, privileges, unusedSince, evidenceEventsOf, USAGE_ROLES } from './usage';

describe('grantedOperations', () => {
  it('is exactly the operations the matrix allows the role in some scope, anonymous ones left out', () => {
    const cells = computeMatrix();
    for (const role of USAGE_ROLES) {
      const expected = [
        ...new Set(
          cells.filter((c) => c.principal === role && c.decision !== 'deny' && OPERATIONS[c.op].audience !== 'anonymous').map((c) => c.op),
        ),
      ];
      expect(
        grantedOperations(role).map((g) => g.op),
        role,
      ).toEqual(expected);
    }
  });

  it('gives members (and unknown roles) nothing', () => {
    expect(grantedOperations('member')).toEqual([]);
    expect(grantedOperations('root')).toEqual([]);
  });

  it('never lists sign-in or the public link operations', () => {
    for (const role of USAGE_ROLES) {
      const ops = grantedOperations(role).map((g) => g.op);
      for (const op of ['auth.sign_in', 'auth.second_factor', 'user.invite_accept', 'account.password_reset'])
        expect(ops).not.toContain(op);
    }
  });

  it('marks own-account housekeeping and keeps it out of the privileges', () => {
    const support = grantedOperations('support');
    const own = support.filter((g) => g.ownAccount).map((g) => g.op);
    expect(own).toEqual(expect.arrayContaining(['auth.sign_out', 'session.revoke_own', 'account.password_change', 'account.totp_enable']));
    for (const g of support) expect(g.ownAccount).toBe(OPERATIONS[g.op].target === 'self');
    expect(privileges(support).map((g) => g.op)).toContain('ticket.reveal_requester_field');
    expect(privileges(support).some((g) => g.ownAccount)).toBe(false);
  });

  it('describes each operation with its risk and demands', () => {
    const superadmin = grantedOperations('superadmin');
    const grant = superadmin.find((g) => g.op === 'user.role_grant_privileged')!;
    expect(grant).toMatchObject({ risk: 'critical', decision: 'approval', demands: { approval: true, stepUp: true } });
    expect(grant.description).toBe(OPERATIONS['user.role_grant_privileged'].description);
    const suspend = superadmin.find((g) => g.op === 'user.suspend')!;
    expect(suspend).toMatchObject({ decision: 'step-up', demands: { stepUp: true, approval: false } });
    expect(suspend.scopes.length).toBeGreaterThan(1);
  });

  it('follows the role boundaries of the policy', () => {
    expect(isGranted('admin', 'user.role_change')).toBe(true);
    expect(isGranted('admin', 'user.role_grant_privileged')).toBe(false);
    expect(isGranted('auditor', 'audit.verify')).toBe(true);
    expect(isGranted('auditor', 'user.suspend')).toBe(false);
    expect(isGranted('support', 'ticket.unlock_requester')).toBe(true);
    expect(isGranted('support', 'config.apply')).toBe(false);
  });

  it('returns copies: a caller cannot change the cached answer', () => {
    const first = grantedOperations('admin');
    first[0]!.scopes.push('tampered');
    first.pop();
    expect(grantedOperations('admin')[0]!.scopes).not.toContain('tampered');
    expect(grantedOperations('admin').length).toBe(first.length + 1);
  });
});

describe('evidence of use', () => {
  it('maps each operation to its own event id, and the few recorded under another id', () => {
    expect(evidenceEventsOf('user.suspend')).toEqual(['user.suspend']);
    expect(evidenceEventsOf('session.revoke_own')).toContain('session.revoke');
    expect(operationsEvidencedBy('session.revoke')).toEqual(['session.revoke_own', 'session.revoke_own_others']);
    expect(operationsEvidencedBy('user.suspend')).toEqual(['user.suspend']);
    expect(operationsEvidencedBy('audit.view')).toEqual([]);
    expect(operationsEvidencedBy('auth.sign_in')).toEqual([]);
  });
});

describe('unusedSince', () => {
  it('lists privileges never used or last used before the window, in catalog order', () => {
    const granted = grantedOperations('auditor');
    const since = new Date('2026-06-01T00:00:00Z');
    const last = new Map<string, Date | null>([
      ['audit.verify', new Date('2026-06-02T00:00:00Z')],
      ['audit.pii_lookup', new Date('2026-05-31T23:59:59.999Z')],
      ['auth.sign_out', null],
    ]);
    const unused = unusedSince(granted, last, since);
    expect(unused).toContain('audit.pii_lookup');
    expect(unused).not.toContain('audit.verify');
    expect(unused).not.toContain('auth.sign_out');
    const order = privileges(granted).map((g) => g.op);
    expect(unused).toEqual(order.filter((op) => unused.includes(op as OperationId)));
    // Exactly at the window start counts as used.
    expect(unusedSince(granted, new Map([['audit.verify', since]]), since)).not.toContain('audit.verify');
  });
});
