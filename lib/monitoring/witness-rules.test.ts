import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '@/lib/config/keys';
import { evaluateRules, RULES, WITNESS_OVERDUE_MINUTES, type MonitorEvent, type RuleContext } from './rules';

/** audit.witness_overdue and audit.witness_fork (docs/runbooks/alert-audit-witness-*.md). */
const T0 = Date.UTC(2026, 11, 3, 12, 0, 0);
const MIN = 60_000;

function ctx(over: Partial<RuleContext> = {}): RuleContext {
  return {
    thresholds: DEFAULT_THRESHOLDS,
    workingHours: { timeZone: 'UTC', roles: {} },
    now: new Date(T0),
    signInHistory: async () => ({ any: true, ip: true, agent: true }),
    checkpoint: { lastTs: null, oldestUncoveredTs: null },
    ...over,
  };
}

const rule = async (id: string, events: MonitorEvent[], c: RuleContext) => (await evaluateRules(events, 0, c)).filter((x) => x.rule === id);

describe('audit.witness_overdue', () => {
  const overdue = (waitingSince: Date | null, seq: number | null = 40) =>
    rule('audit.witness_overdue', [], ctx({ witness: { waitingSince, seq } }));

  it(`fires when a checkpoint has waited more than ${WITNESS_OVERDUE_MINUTES} minutes for a cosignature, even without new events`, async () => {
    expect(await overdue(new Date(T0 - 61 * MIN))).toEqual([
      {
        rule: 'audit.witness_overdue',
        severity: 'high',
        dedupeKey: 'witness',
        summary: 'Checkpoint seq 40 has waited 61 min for a witness cosignature (limit 60 min).',
        actorId: null,
        seqs: [],
      },
    ]);
    expect(RULES['audit.witness_overdue'].title).toBe('Witness cosignature overdue');
  });

  it('stays quiet when nothing waits (no witness key, or every checkpoint cosigned), or not long enough', async () => {
    expect(await overdue(null, null)).toEqual([]);
    expect(await rule('audit.witness_overdue', [], ctx())).toEqual([]);
    expect(await overdue(new Date(T0 - 60 * MIN))).toEqual([]);
    expect(await overdue(new Date(T0 - 5 * MIN))).toEqual([]);
  });
});

describe('audit.witness_fork', () => {
  const event = (over: Partial<MonitorEvent>): MonitorEvent => ({
    seq: 7,
    ts: new Date(T0),
    actorId: null,
    actorRole: null,
    operation: 'checkpoint.cosign',
    outcome: 'denied',
    reasonCode: 'fork_claim',
    targetType: 'AuditCheckpoint',
    targetId: '40',
    ip: '203.0.113.5',
    userAgent: null,
    details: { witnessKeyId: '0123456789abcdef', seq: 40, claimedDigest: 'a'.repeat(64), storedDigest: 'b'.repeat(64) },
    ...over,
  });

  it('raises a critical alert for a refused fork claim', async () => {
    expect(await rule('audit.witness_fork', [event({})], ctx())).toEqual([
      {
        rule: 'audit.witness_fork',
        severity: 'critical',
        dedupeKey: 'fork:40',
        summary: 'Witness 0123456789abcdef signed another digest for checkpoint seq 40 than the one stored.',
        actorId: null,
        seqs: [7],
      },
    ]);
  });

  it('ignores accepted cosignatures and other refusals', async () => {
    expect(await rule('audit.witness_fork', [event({ outcome: 'success', reasonCode: null })], ctx())).toEqual([]);
    expect(await rule('audit.witness_fork', [event({ reasonCode: 'forbidden' })], ctx())).toEqual([]);
  });
});
