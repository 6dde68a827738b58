import { describe, expect, it } from 'vitest';
import { DashboardTally } from './dashboard-tally';
import { bucketEdges, bucketIndex, ceilHour, floorHour, HOUR_MS, localDate, rollupRuns } from './rollup-buckets';

const at = (iso: string) => Date.parse(iso);

describe('bucketEdges', () => {
  it('uses UTC hours for windows up to 48 h', () => {
    const { granularity, edges } = bucketEdges(at('2026-03-01T10:17:00Z'), at('2026-03-01T13:05:00Z'), 'Asia/Kolkata');
    expect(granularity).toBe('hour');
    expect(edges.map((e) => new Date(e).toISOString())).toEqual([
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T11:00:00.000Z',
      '2026-03-01T12:00:00.000Z',
      '2026-03-01T13:00:00.000Z',
      '2026-03-01T14:00:00.000Z',
    ]);
  });

  it('uses local midnights for longer windows, at :30 UTC in +05:30', () => {
    const { granularity, edges } = bucketEdges(at('2026-03-01T10:00:00Z'), at('2026-03-04T10:00:00Z'), 'Asia/Kolkata');
    expect(granularity).toBe('day');
    expect(edges.map((e) => new Date(e).toISOString())).toEqual([
      '2026-02-28T18:30:00.000Z',
      '2026-03-01T18:30:00.000Z',
      '2026-03-02T18:30:00.000Z',
      '2026-03-03T18:30:00.000Z',
      '2026-03-04T18:30:00.000Z',
    ]);
  });

  it('has a 23-hour day when the clocks go forward', () => {
    const { edges } = bucketEdges(at('2026-03-07T12:00:00Z'), at('2026-03-10T12:00:00Z'), 'America/New_York');
    const lengths = edges.slice(1).map((e, i) => (e - edges[i]!) / HOUR_MS);
    expect(lengths).toEqual([24, 23, 24, 24]);
    expect(localDate(edges[1]!, 'America/New_York')).toBe('2026-03-08');
  });
});

describe('bucketIndex', () => {
  it('finds the half-open bucket, or -1 outside', () => {
    const edges = [0, 10, 20, 30];
    expect([-1, 0, 9, 10, 29, 30].map((ms) => bucketIndex(edges, ms))).toEqual([-1, 0, 0, 1, 2, -1]);
  });
});

describe('rollupRuns', () => {
  it('takes whole hours inside the window and before coveredUntil; the rest is read directly', () => {
    const from = at('2026-03-01T10:17:00Z');
    const to = at('2026-03-01T16:05:00Z');
    const { edges } = bucketEdges(from, to, 'UTC');
    const { runs, direct } = rollupRuns({ from, to, coveredUntil: at('2026-03-01T14:30:00Z'), edges, limit: to });
    expect(runs).toEqual([{ start: at('2026-03-01T11:00:00Z'), end: at('2026-03-01T14:00:00Z') }]);
    expect(direct).toEqual([
      { start: from, end: at('2026-03-01T11:00:00Z') },
      { start: at('2026-03-01T14:00:00Z'), end: to },
    ]);
  });

  it('leaves out hours cut by a :30 local midnight, and tiles the window', () => {
    const from = at('2026-03-01T00:00:00Z');
    const to = at('2026-03-04T00:00:00Z');
    const { edges } = bucketEdges(from, to, 'Asia/Kolkata');
    const { runs, direct } = rollupRuns({ from, to, coveredUntil: null, edges, limit: to });
    for (const cut of ['2026-03-01T18:00:00Z', '2026-03-02T18:00:00Z', '2026-03-03T18:00:00Z']) {
      expect(direct).toContainEqual({ start: at(cut), end: at(cut) + HOUR_MS });
    }
    const pieces = [...runs.map((r) => [r.start, r.end]), ...direct.map((d) => [d.start, d.end ?? to])].sort((a, b) => a[0]! - b[0]!);
    let cursor = from;
    for (const [s, e] of pieces) {
      expect(s).toBe(cursor);
      cursor = e!;
    }
    expect(cursor).toBe(to);
  });

  it('ends with an open interval when the window has no end', () => {
    const from = at('2026-03-01T10:00:00Z');
    const { edges } = bucketEdges(from, at('2026-03-01T12:30:00Z'), 'UTC');
    const { runs, direct } = rollupRuns({ from, to: null, coveredUntil: null, edges, limit: at('2026-03-01T12:30:00Z') });
    expect(runs).toEqual([{ start: from, end: at('2026-03-01T12:00:00Z') }]);
    expect(direct).toEqual([{ start: at('2026-03-01T12:00:00Z'), end: null }]);
  });

  it('rounds hours', () => {
    expect(floorHour(at('2026-03-01T10:59:59Z'))).toBe(at('2026-03-01T10:00:00Z'));
    expect(ceilHour(at('2026-03-01T10:00:01Z'))).toBe(at('2026-03-01T11:00:00Z'));
    expect(ceilHour(at('2026-03-01T10:00:00Z'))).toBe(at('2026-03-01T10:00:00Z'));
  });
});

describe('DashboardTally', () => {
  it('feeds every panel from one event, folds operations past the top into "other"', () => {
    const t = new DashboardTally(2);
    t.add({ bucket: 1, operation: 'auth.sign_in', outcome: 'denied', actorRole: '', targetType: 'User', count: 1 });
    t.add({ bucket: 0, operation: 'auth.step_up', outcome: 'failure', actorRole: 'admin', targetType: '', count: 2 });
    t.add({ bucket: 0, operation: 'user.suspend', outcome: 'success', actorRole: 'admin', targetType: 'User', count: 1 });
    expect(t.totals).toEqual({ events: 4, denied: 1, failures: 2, stepUps: 2 });
    expect(t.denied).toEqual([0, 1]);
    expect(t.signInSeries('auth.sign_in', 'denied')).toEqual([0, 1]);
    expect(t.roles(['superadmin', 'admin'])).toEqual(['admin', '']);
    expect(t.roleSeries('admin')).toEqual([3, 0]);
    expect(t.operations(1)).toEqual([
      { operation: 'auth.step_up', total: 2, outcomes: { failure: 2 } },
      { operation: null, total: 2, outcomes: { denied: 1, success: 1 } },
    ]);
    expect(t.targetTypes()).toEqual([
      { targetType: '', count: 2 },
      { targetType: 'User', count: 2 },
    ]);
  });
});
