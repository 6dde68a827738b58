import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_OPERATIONS } from '@/lib/audit/append';
import { computeMatrix, MATRIX_PRINCIPALS, principalFor, renderMatrix, scopesFor } from './matrix';
import { OPERATIONS, type OperationDefinition } from './operations';
import { defineRulesFor } from './rules';
import { CONSOLE_ROLES } from './roles';

const committed = fs.readFileSync(path.join(__dirname, 'matrix.md'), 'utf8');
const ops = Object.values(OPERATIONS) as OperationDefinition[];

describe('T25 decision matrix', () => {
  it('T25 the committed policies/matrix.md equals the matrix recomputed from the rules (run npm run policy:matrix)', () => {
    expect(renderMatrix()).toBe(committed);
  });

  it('T25 every catalog operation has rows for every principal, and every cell is decided', () => {
    const cells = computeMatrix();
    for (const op of ops) {
      const rows = cells.filter((c) => c.op === op.id);
      expect(rows.length, op.id).toBe(scopesFor(op).length * MATRIX_PRINCIPALS.length);
      expect(committed, op.id).toContain(`### \`${op.id}\``);
    }
    expect(cells.every((c) => ['allow', 'step-up', 'approval', 'deny'].includes(c.decision))).toBe(true);
  });

  it('T25 every catalog operation is also in the audit catalogue', () => {
    for (const op of ops) expect(Object.keys(AUDIT_OPERATIONS), op.id).toContain(op.id);
  });

  it('T25 default deny: members, suspended roles, disabled users and anonymous callers get nothing but public sign-in', () => {
    const cells = computeMatrix().filter((c) => ['member', 'suspended-role', 'disabled-user', 'anonymous'].includes(c.principal));
    for (const c of cells) {
      const op = OPERATIONS[c.op] as OperationDefinition;
      expect(`${c.op} ${c.scope} ${c.principal} ${c.decision}`).toBe(
        `${c.op} ${c.scope} ${c.principal} ${op.audience === 'anonymous' ? 'allow' : 'deny'}`,
      );
    }
    for (const column of ['member', 'suspended-role', 'disabled-user'] as const) {
      expect(defineRulesFor(principalFor(column)!)).toEqual([]);
    }
  });

  it('T25 auditors never mutate anyone else; support acts only on tickets assigned to it, never on users, sessions or roles', () => {
    const cells = computeMatrix();
    for (const c of cells.filter((c) => c.principal === 'auditor' || c.principal === 'support')) {
      const op = OPERATIONS[c.op] as OperationDefinition;
      if (op.target === 'self' || op.audience === 'anonymous' || (op.readOnly && c.principal === 'auditor')) continue;
      if (c.principal === 'support' && op.ability?.[1] === 'Ticket' && / assigned to them$/.test(c.scope) && !/closed/.test(c.scope))
        continue;
      // Their own access: support may ask (two people decide) to hold admin for a while, and end their own elevation early.
      if (c.principal === 'support' && c.op === 'elevation.request' && c.scope === 'ask to hold admin for a while') {
        expect(c.decision).toBe('approval');
        continue;
      }
      if (c.op === 'elevation.end' && c.scope === 'their own active elevation') {
        expect(c.decision).toBe('allow');
        continue;
      }
      // Witnesses are the auditors' own check on the operators: register and revoke one (step-up), upload a cosignature.
      if (c.principal === 'auditor' && ['witness.register', 'witness.revoke', 'checkpoint.cosign'].includes(c.op)) {
        expect(c.decision).toBe(c.op === 'checkpoint.cosign' ? 'allow' : 'step-up');
        continue;
      }
      // An auditor's one change: signing off an open access review campaign, with a step-up.
      if (c.principal === 'auditor' && c.op === 'review.sign_off' && c.scope.startsWith('an open campaign')) {
        expect(c.decision).toBe('step-up');
        continue;
      }
      expect(`${c.op} ${c.scope} ${c.principal}: ${c.decision}`).toBe(`${c.op} ${c.scope} ${c.principal}: deny`);
    }
  });

  it('T26 support reaches a requester only through an open or pending ticket assigned to it', () => {
    const cells = computeMatrix().filter((c) => c.principal === 'support' && c.op.startsWith('ticket.') && /requester/.test(c.op));
    expect(cells.length).toBeGreaterThan(0);
    for (const c of cells) {
      const expected = /^an open ticket assigned to them$|^a pending ticket assigned to them$/.test(c.scope) ? 'allow' : 'deny';
      expect(`${c.op} ${c.scope}: ${c.decision}`).toBe(`${c.op} ${c.scope}: ${expected}`);
    }
  });

  it('T28 nobody acts on themselves, and admins never act on admins or superadmins', () => {
    const cells = computeMatrix();
    for (const c of cells.filter((c) => c.scope === 'self'))
      expect(`${c.op} ${c.principal}: ${c.decision}`).toBe(`${c.op} ${c.principal}: deny`);
    for (const c of cells.filter(
      (c) =>
        c.principal === 'admin' &&
        /^(another (admin|superadmin)|(admin|superadmin) →|.* → (admin|superadmin)$|a session of another)/.test(c.scope),
    )) {
      expect(`${c.op} ${c.scope}: ${c.decision}`).toBe(`${c.op} ${c.scope}: deny`);
    }
  });

  it('step-up operations are decided as step-up (or approval) wherever they are allowed', () => {
    for (const c of computeMatrix()) {
      const op = OPERATIONS[c.op] as OperationDefinition;
      if (c.decision === 'deny' || op.audience === 'anonymous') continue;
      expect(c.decision, `${c.op} ${c.scope} ${c.principal}`).toBe(
        op.approval === 'two-person' ? 'approval' : op.stepUp ? 'step-up' : 'allow',
      );
    }
  });

  it('house style 8: no rule grants "manage" or "all"; every rule carries an id', () => {
    for (const role of CONSOLE_ROLES) {
      for (const rule of defineRulesFor({ id: 'p', role, status: 'active', roleSuspended: false })) {
        expect([rule.action].flat()).not.toContain('manage');
        expect(rule.subject).not.toBe('all');
        expect(rule.reason).toMatch(/^[a-z]+\.[a-z_]+$/);
      }
    }
  });
});
