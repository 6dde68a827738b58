import { describe, expect, it } from 'vitest';
import { allOperations, areaLabel, areaOf, explainCell, filterOperations, indexCells, paginate, roleSummary, roleView } from './explorer';
import { MATRIX_PRINCIPALS, scopesFor } from './matrix';

const cells = indexCells();
const ops = allOperations();

describe('filterOperations', () => {
  it('keeps everything without filters, in catalog order', () => {
    expect(filterOperations(ops, cells, { principal: 'all', q: '' }).map((o) => o.id)).toEqual(ops.map((o) => o.id));
  });

  it('matches the id or the description, case-insensitively', () => {
    const byId = filterOperations(ops, cells, { principal: 'all', q: 'USER.SUSPEND' });
    expect(byId.map((o) => o.id)).toContain('user.suspend');
    const byDescription = filterOperations(ops, cells, { principal: 'all', q: 'authenticator' });
    expect(byDescription.length).toBeGreaterThan(0);
    for (const o of byDescription) expect(`${o.id} ${o.description}`.toLowerCase()).toContain('authenticator');
  });

  it('filters by risk and by decision in one column', () => {
    for (const o of filterOperations(ops, cells, { principal: 'all', q: '', risk: 'critical' })) expect(o.risk).toBe('critical');
    const auditorAllowed = filterOperations(ops, cells, { principal: 'auditor', q: '', decision: 'allow' });
    expect(auditorAllowed.length).toBeGreaterThan(0);
    for (const o of auditorAllowed)
      expect(scopesFor(o).some((s) => cells.get(`${o.id}|${s.name}|auditor`)?.decision === 'allow')).toBe(true);
    // Nobody but the public operations is allowed to anonymous.
    expect(
      filterOperations(ops, cells, { principal: 'anonymous', q: '', decision: 'allow' }).every((o) => o.audience === 'anonymous'),
    ).toBe(true);
  });
});

describe('roleView', () => {
  it('groups every operation by area with its scopes, and the best decision', () => {
    const areas = roleView('admin', ops, cells);
    expect(areas.flatMap((a) => a.operations.map((o) => o.op.id)).sort()).toEqual(ops.map((o) => o.id).sort());
    for (const a of areas) for (const o of a.operations) expect(areaOf(o.op.id)).toBe(a.area);
    const suspend = areas.find((a) => a.area === 'user')!.operations.find((o) => o.op.id === 'user.suspend')!;
    expect(suspend.scopes.map((s) => s.scope)).toEqual(scopesFor(suspend.op).map((s) => s.name));
    expect(suspend.scopes.find((s) => s.scope === 'another admin')).toMatchObject({ decision: 'deny' });
    expect(suspend.scopes.find((s) => s.scope === 'a member')?.rule).toBe('admin.manage_lower_roles');
    expect(suspend.best).not.toBe('deny');
  });

  it('a member and an anonymous caller may do nothing but sign in', () => {
    for (const p of ['member', 'anonymous'] as const) {
      const counts = roleSummary(roleView(p, ops, cells));
      expect(counts['step-up'] + counts.approval).toBe(0);
      expect(counts.allow).toBe(ops.filter((o) => o.audience === 'anonymous').length);
    }
  });

  it('labels areas, known or not', () => {
    expect(areaLabel('user')).toBe('User accounts');
    expect(areaLabel('some_new_area')).toBe('Some new area');
  });
});

describe('explainCell', () => {
  it('names the rule, what it says and what the catalog demands', () => {
    const cell = explainCell('user.suspend', 'a member', 'admin', MATRIX_PRINCIPALS)!;
    expect(cell.rule).toBe('admin.manage_lower_roles');
    expect(cell.explanation?.rule?.actions).toContain('suspend');
    expect(cell.summary).toMatch(/^Allowed by rule admin.manage_lower_roles/);
    expect(cell.demands.stepUp).toBe(cell.op.stepUp);
    expect(cell.row.map((r) => r.principal)).toEqual([...MATRIX_PRINCIPALS]);
  });

  it('explains refusals: default deny, refusing rules, inactive callers', () => {
    expect(explainCell('user.suspend', 'another admin', 'admin', MATRIX_PRINCIPALS)!.summary).toMatch(/deny by default/);
    const self = explainCell('user.suspend', 'self', 'superadmin', MATRIX_PRINCIPALS)!;
    expect(self.rule).toBe('hierarchy.not_self');
    expect(self.summary).toBe('Denied by the refusing rule hierarchy.not_self.');
    expect(explainCell('user.suspend', 'a member', 'disabled-user', MATRIX_PRINCIPALS)!.summary).toMatch(/disabled/);
    expect(explainCell('user.suspend', 'a member', 'suspended-role', MATRIX_PRINCIPALS)!.summary).toMatch(/role is suspended/);
  });

  it('returns null for an unknown operation or scope', () => {
    expect(explainCell('nope.nope', 'self', 'admin', MATRIX_PRINCIPALS)).toBeNull();
    expect(explainCell('user.suspend', 'the moon', 'admin', MATRIX_PRINCIPALS)).toBeNull();
  });
});

describe('paginate', () => {
  it('clamps the page', () => {
    expect(paginate([1, 2, 3, 4, 5], 2, 2)).toEqual({ items: [3, 4], page: 2, pages: 3, total: 5 });
    expect(paginate([1, 2, 3], 9, 2)).toEqual({ items: [3], page: 2, pages: 2, total: 3 });
    expect(paginate([], 1, 2)).toEqual({ items: [], page: 1, pages: 1, total: 0 });
  });
});
