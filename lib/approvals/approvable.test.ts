import { describe, expect, it } from 'vitest';
import { OPERATIONS, type OperationDefinition } from '@/policies/operations';
import { APPROVABLE } from './approvable';

describe('two-person operations', () => {
  const twoPerson = (Object.values(OPERATIONS) as OperationDefinition[]).filter((o) => o.approval === 'two-person');

  it('every two-person operation of the catalog can be requested, approved and executed, and nothing else', () => {
    expect(Object.keys(APPROVABLE).sort()).toEqual(twoPerson.map((o) => o.id).sort());
  });

  it('each names what its approver must be allowed, demands a step-up and a reason', () => {
    for (const op of twoPerson) {
      expect(op.approverAbility, op.id).toBeDefined();
      expect(op.stepUp, op.id).toBe(true);
      expect(op.reason, op.id).toBe('required');
    }
  });
});
