import { describe, expect, it } from 'vitest';
import { explainDecision, NON_RULE_DECISIONS } from './explain';
import { DEFAULT_DENY } from './rules';

describe('explaining the rule recorded in an audit event', () => {
  it('finds a CASL rule of the actor’s role, with its conditions and the actor shown as a placeholder', () => {
    const e = explainDecision('admin.manage_lower_roles', 'admin');
    expect(e?.rule?.subject).toBe('User');
    expect(e?.rule?.actions).toContain('change_role');
    expect(e?.rule?.inverted).toBe(false);
    expect(JSON.stringify(e?.rule?.conditions)).toContain('<actor>');
    expect(JSON.stringify(e?.rule?.conditions)).toContain('member');
  });

  it('under an elevation to one operation, finds the lent role’s rule', () => {
    expect(explainDecision('admin.manage_lower_roles', 'support')?.rule).toBeNull();
    expect(explainDecision('admin.manage_lower_roles', 'support', 'admin')?.rule?.subject).toBe('User');
  });

  it('shows a refusing rule as refusing', () => {
    expect(explainDecision('hierarchy.not_self', 'superadmin')?.rule?.inverted).toBe(true);
  });

  it('does not attribute a rule to a role that does not have it', () => {
    const e = explainDecision('superadmin.manage_users', 'admin');
    expect(e?.rule).toBeNull();
  });

  it('explains decisions made outside the rules in words, and says nothing for unknown ones', () => {
    expect(explainDecision(DEFAULT_DENY, 'auditor')?.text).toBe(NON_RULE_DECISIONS[DEFAULT_DENY]);
    expect(explainDecision('authn.step_up', null)?.text).toMatch(/step-up/i);
    expect(explainDecision('made.up', 'admin')).toEqual({ id: 'made.up', rule: null, text: null });
    expect(explainDecision(null, 'admin')).toBeNull();
  });
});
