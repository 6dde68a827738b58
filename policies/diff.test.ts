import { describe, expect, it } from 'vitest';
import {
  addVerdict,
  describeChange,
  diffSnapshots,
  emptyReplaySummary,
  inferScope,
  isGain,
  replayEvent,
  replayIndexOf,
  snapshotOf,
  targetsNeedingLookup,
  type Decision,
  type PolicySnapshot,
  type ReplayEvent,
} from './diff';
import * as matrix from './matrix';
import { OPERATIONS } from './operations';

const current = () => snapshotOf('current', { ...matrix, OPERATIONS });

/** A copy of a snapshot with some cells changed. */
function withCells(
  base: PolicySnapshot,
  label: string,
  change: (c: PolicySnapshot['cells'][number]) => { decision: Decision; rule: string } | null,
) {
  return { ...base, label, cells: base.cells.map((c) => ({ ...c, ...(change(c) ?? {}) })) };
}

const event = (e: Partial<ReplayEvent>): ReplayEvent => ({
  seq: 1,
  ts: new Date('2026-12-01T10:00:00Z'),
  actorId: 'a1',
  actorRole: 'admin',
  operation: 'user.suspend',
  targetType: 'User',
  targetId: 'u1',
  outcome: 'success',
  reasonCode: null,
  details: JSON.stringify({ before: { role: 'support', status: 'active', deleted: false } }),
  ...e,
});

describe('describeChange and isGain', () => {
  it.each([
    ['deny', 'allow', 'now allowed', true],
    ['deny', 'step-up', 'now allowed with step-up', true],
    ['deny', 'approval', 'now allowed with approval', true],
    ['allow', 'deny', 'now denied (was allow)', false],
    ['allow', 'step-up', 'now needs step-up', false],
    ['allow', 'approval', 'now needs approval', false],
    ['step-up', 'allow', 'no longer needs step-up', true],
    ['approval', 'allow', 'no longer needs approval', true],
    ['approval', 'step-up', 'no longer needs approval (needs step-up instead)', true],
    ['step-up', 'approval', 'now needs approval (instead of step-up)', false],
  ] as const)('%s → %s: %s', (from, to, words, gain) => {
    expect(describeChange(from, to)).toBe(words);
    expect(isGain(from, to)).toBe(gain);
  });
});

describe('diffSnapshots', () => {
  it('finds nothing between a matrix and itself', () => {
    const d = diffSnapshots(current(), current());
    expect(d.identical).toBe(true);
    expect(d.principals).toEqual([]);
  });

  it('sorts gains and losses by principal, and tells rule-only changes apart', () => {
    const a = current();
    const b = withCells(a, 'b', (c) => {
      if (c.op === 'user.suspend' && c.scope === 'a support' && c.principal === 'admin') return { decision: 'deny', rule: 'x.no' };
      if (c.op === 'user.suspend' && c.scope === 'a member' && c.principal === 'auditor') return { decision: 'step-up', rule: 'x.yes' };
      if (c.op === 'user.unlock' && c.scope === 'a member' && c.principal === 'admin') return { decision: c.decision, rule: 'x.renamed' };
      return null;
    });
    const d = diffSnapshots(a, b);
    expect(d.principals.map((p) => [p.principal, p.gains.length, p.losses.length])).toEqual([
      ['admin', 0, 1],
      ['auditor', 1, 0],
    ]);
    expect(d.principals[0]!.losses[0]).toMatchObject({ op: 'user.suspend', scope: 'a support', to: 'deny', toRule: 'x.no' });
    expect(d.principals[1]!.gains[0]).toMatchObject({ from: 'deny', to: 'step-up', change: 'now allowed with step-up' });
    expect(d.ruleChanges).toEqual([expect.objectContaining({ op: 'user.unlock', principal: 'admin', toRule: 'x.renamed' })]);
  });

  it('lists added and removed operations with who they permit, and catalog changes', () => {
    const a = current();
    const dropped = 'user.unlock';
    const b: PolicySnapshot = {
      ...a,
      label: 'b',
      operations: a.operations.filter((o) => o.id !== dropped).map((o) => (o.id === 'user.suspend' ? { ...o, approval: 'two-person' } : o)),
      cells: [
        ...a.cells.filter((c) => c.op !== dropped),
        { op: 'thing.new', scope: 'public', principal: 'auditor', decision: 'allow', rule: 'auditor.new' },
      ],
    };
    b.operations.push({ id: 'thing.new', description: 'New', risk: 'low', stepUp: false, reason: 'none', approval: 'none' });
    const d = diffSnapshots(a, b);
    expect(d.addedOperations).toEqual([
      { id: 'thing.new', description: 'New', grants: [{ principal: 'auditor', scope: 'public', decision: 'allow', rule: 'auditor.new' }] },
    ]);
    expect(d.removedOperations.map((o) => o.id)).toEqual([dropped]);
    expect(d.removedOperations[0]!.lost.some((l) => l.principal === 'admin')).toBe(true);
    expect(d.catalogChanges).toEqual([{ op: 'user.suspend', field: 'approval', from: 'none', to: 'two-person' }]);
    // A removed operation's cells are not counted again as losses.
    expect(d.principals.flatMap((p) => p.losses).filter((l) => l.op === dropped)).toEqual([]);
  });
});

describe('replay', () => {
  const a = current();
  const noSupportSuspend = withCells(a, 'b', (c) =>
    c.op === 'user.suspend' && c.scope === 'a support' && c.principal === 'admin' ? { decision: 'deny', rule: 'x.no' } : null,
  );
  const index = replayIndexOf(noSupportSuspend);

  it('re-decides a success in the inferred scope', () => {
    expect(replayEvent(index, event({}))).toMatchObject({
      kind: 'changed',
      scope: 'a support',
      was: 'allowed',
      would: 'denied',
      rule: 'x.no',
    });
    const member = event({ details: JSON.stringify({ before: { role: 'member' } }) });
    expect(replayEvent(index, member)).toMatchObject({ kind: 'same', scope: 'a member' });
  });

  it('treats forbidden and not_found as denials and skips every other denial and failures', () => {
    expect(replayEvent(index, event({ outcome: 'denied', reasonCode: 'forbidden' }))).toMatchObject({ kind: 'same', was: 'denied' });
    for (const reasonCode of ['step_up_required', 'rate_limited', 'reason_required', null])
      expect(replayEvent(index, event({ outcome: 'denied', reasonCode }))).toEqual({ kind: 'skipped', why: 'not_a_policy_decision' });
    expect(replayEvent(index, event({ outcome: 'failure' }))).toEqual({ kind: 'skipped', why: 'not_a_policy_decision' });
  });

  it('skips operations outside the catalog and actors without a role column', () => {
    expect(replayEvent(index, event({ operation: 'audit.key_rotated_by_cli' }))).toEqual({ kind: 'skipped', why: 'not_in_catalog' });
    expect(replayEvent(index, event({ actorRole: null }))).toEqual({ kind: 'skipped', why: 'no_actor_role' });
    expect(replayEvent(index, event({ actorRole: 'system' }))).toEqual({ kind: 'skipped', why: 'no_actor_role' });
  });

  it('infers self, the role from the lookup, and role changes by "from → to"', () => {
    const scopes = index.scopes.get('user.suspend')!;
    expect(inferScope(event({ targetId: 'a1', details: '{}' }), scopes)?.name).toBe('self');
    expect(inferScope(event({ details: '{}' }), scopes, { roleOf: () => 'auditor' })?.name).toBe('a auditor');
    const roleChange = event({
      operation: 'user.role_change',
      details: JSON.stringify({ before: { role: 'support' }, after: { role: 'auditor' } }),
    });
    expect(inferScope(roleChange, index.scopes.get('user.role_change')!)?.name).toBe('support → auditor');
  });

  it('without a scope, reports only when every scope agrees', () => {
    // admin may suspend some users and not others: undecided.
    expect(replayEvent(index, event({ details: '{}' }))).toEqual({ kind: 'skipped', why: 'scope_undecided' });
    // auditor may suspend nobody: denied in every scope.
    expect(replayEvent(index, event({ actorRole: 'auditor', details: '{}', outcome: 'success' }))).toMatchObject({
      kind: 'changed',
      scope: null,
      would: 'denied',
    });
  });

  it('tallies verdicts and keeps at most the limit of changes', () => {
    const summary = emptyReplaySummary();
    for (let seq = 1; seq <= 3; seq++) addVerdict(summary, replayEvent(index, event({ seq })), 2);
    addVerdict(summary, replayEvent(index, event({ outcome: 'failure' })), 2);
    expect(summary).toMatchObject({ read: 4, replayed: 3, changed: 3, changesLeftOut: 1, changedByOperation: { 'user.suspend': 3 } });
    expect(summary.changes.map((c) => c.seq)).toEqual([1, 2]);
  });

  it('asks for lookups only where the details carry no role', () => {
    expect(
      targetsNeedingLookup([
        event({}),
        event({ targetId: 'u2', details: '{}' }),
        event({ targetType: 'Session', targetId: 's1', details: '{}' }),
        event({ targetId: 'a1', details: '{}' }),
        event({ targetType: 'Ticket', targetId: 't1', details: '{}' }),
      ]),
    ).toEqual({ users: ['u2'], sessions: ['s1'] });
  });
});
