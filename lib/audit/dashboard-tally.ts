// Pure (no server-only marker, no I/O): the dashboards' counters, fed by rollup rows and by events alike.

/** Operations whose failed or denied attempts are "sign-in failures". */
export const SIGN_IN_OPERATIONS = ['auth.sign_in', 'auth.second_factor'] as const;
/** Outcomes that make a sign-in attempt a failure. */
export const SIGN_IN_FAILURE_OUTCOMES = ['failure', 'denied'] as const;
/** The step-up operation. */
export const STEP_UP_OPERATION = 'auth.step_up';

/** One cell of counts: a bucket (or -1 for "no time series"), the dimensions, and how many events. */
export interface TallyCell {
  bucket: number;
  operation: string;
  outcome: string;
  /** '' when the event has no actor (system, anonymous). */
  actorRole: string;
  /** '' when the event has no target. */
  targetType: string;
  count: number;
}

const key = (...parts: (string | number)[]) => JSON.stringify(parts);

/** Adds to a counter in a map. */
function bump<K>(map: Map<K, number>, k: K, n: number) {
  map.set(k, (map.get(k) ?? 0) + n);
}

/**
 * The dashboards' counters. Events from the table go through `add`, which
 * feeds each panel's own method; rollup rows, already grouped per panel by the
 * database, call those methods directly.
 */
export class DashboardTally {
  /** Per bucket per actor role. */
  readonly byRole = new Map<string, number>();
  /** Per bucket, outcome = denied. */
  readonly denied: number[];
  /** Per bucket per sign-in operation and failing outcome. */
  readonly signInFailures = new Map<string, number>();
  /** Per operation per outcome (whole window). */
  readonly byOperation = new Map<string, number>();
  /** Per target type (whole window). */
  readonly byTargetType = new Map<string, number>();
  /** Per actor id and role: [events, denied]. */
  readonly actors = new Map<string, [number, number]>();
  totals = { events: 0, denied: 0, failures: 0, stepUps: 0 };

  constructor(readonly bucketCount: number) {
    this.denied = new Array<number>(bucketCount).fill(0);
  }

  /**
   * Counts `cell.count` events of one kind (an event from the table, count 1),
   * feeding every panel; `bucket` -1 skips the time series.
   */
  add(cell: TallyCell): void {
    const { bucket, operation, outcome, actorRole, targetType, count } = cell;
    if (bucket >= 0) {
      this.addRole(bucket, actorRole, count);
      if (outcome === 'denied') this.addDenied(bucket, count);
      if (isSignInFailure(operation, outcome)) this.addSignInFailure(bucket, operation, outcome, count);
    }
    this.addOperation(operation, outcome, count);
    this.addTargetType(targetType, count);
  }

  /** Events of one actor role in one bucket. */
  addRole(bucket: number, actorRole: string, count: number): void {
    bump(this.byRole, key(bucket, actorRole), count);
  }

  /** Denied events in one bucket. */
  addDenied(bucket: number, count: number): void {
    this.denied[bucket] = (this.denied[bucket] ?? 0) + count;
  }

  /** Failed or denied sign-in attempts in one bucket (callers pass only those). */
  addSignInFailure(bucket: number, operation: string, outcome: string, count: number): void {
    bump(this.signInFailures, key(bucket, operation, outcome), count);
  }

  /** Events of one operation and outcome in the window; the totals come from these. */
  addOperation(operation: string, outcome: string, count: number): void {
    bump(this.byOperation, key(operation, outcome), count);
    this.totals.events += count;
    if (outcome === 'denied') this.totals.denied += count;
    if (outcome === 'failure') this.totals.failures += count;
    if (operation === STEP_UP_OPERATION) this.totals.stepUps += count;
  }

  /** Events with one target type ('' for none) in the window. */
  addTargetType(targetType: string, count: number): void {
    bump(this.byTargetType, targetType, count);
  }

  /** Counts events of one actor (id '' for none) under one role. */
  addActor(actorId: string, actorRole: string, count: number, denied: number): void {
    if (count === 0 && denied === 0) return;
    const k = key(actorId, actorRole);
    const cur = this.actors.get(k) ?? [0, 0];
    this.actors.set(k, [cur[0] + count, cur[1] + denied]);
  }

  /** The per-bucket series of one actor role. */
  roleSeries(actorRole: string): number[] {
    return Array.from({ length: this.bucketCount }, (_, b) => this.byRole.get(key(b, actorRole)) ?? 0);
  }

  /** The per-bucket series of one sign-in operation and outcome. */
  signInSeries(operation: string, outcome: string): number[] {
    return Array.from({ length: this.bucketCount }, (_, b) => this.signInFailures.get(key(b, operation, outcome)) ?? 0);
  }

  /** Roles that occur, in the given order first, then any others ('' last). */
  roles(order: readonly string[]): string[] {
    const seen = new Set<string>();
    for (const k of this.byRole.keys()) seen.add((JSON.parse(k) as [number, string])[1]);
    const known = order.filter((r) => seen.has(r));
    const other = [...seen].filter((r) => r !== '' && !order.includes(r)).sort();
    return [...known, ...other, ...(seen.has('') ? [''] : [])];
  }

  /** Operations by count, each with its outcomes: the top `limit`, the rest folded into one "other" row. */
  operations(limit: number): { operation: string | null; total: number; outcomes: Record<string, number> }[] {
    const rows = new Map<string, Record<string, number>>();
    for (const [k, n] of this.byOperation) {
      const [operation, outcome] = JSON.parse(k) as [string, string];
      const row = rows.get(operation) ?? {};
      row[outcome] = (row[outcome] ?? 0) + n;
      rows.set(operation, row);
    }
    const sorted = [...rows.entries()]
      .map(([operation, outcomes]) => ({ operation, outcomes, total: sum(Object.values(outcomes)) }))
      .sort((a, b) => b.total - a.total || a.operation.localeCompare(b.operation));
    const top: { operation: string | null; total: number; outcomes: Record<string, number> }[] = sorted.slice(0, limit);
    const rest = sorted.slice(limit);
    if (rest.length > 0) {
      const outcomes: Record<string, number> = {};
      for (const r of rest) for (const [o, n] of Object.entries(r.outcomes)) outcomes[o] = (outcomes[o] ?? 0) + n;
      top.push({ operation: null, total: sum(rest.map((r) => r.total)), outcomes });
    }
    return top;
  }

  /** Outcome counts of one operation over the whole window. */
  outcomesOf(operation: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, n] of this.byOperation) {
      const [op, outcome] = JSON.parse(k) as [string, string];
      if (op === operation) out[outcome] = (out[outcome] ?? 0) + n;
    }
    return out;
  }

  /** Target types by count ('' = no target). */
  targetTypes(): { targetType: string; count: number }[] {
    return [...this.byTargetType.entries()]
      .map(([targetType, count]) => ({ targetType, count }))
      .sort((a, b) => b.count - a.count || a.targetType.localeCompare(b.targetType));
  }

  /** The `limit` most active actors (ties by id, so the order is stable). */
  topActors(limit: number): { actorId: string; actorRole: string; count: number; denied: number }[] {
    return [...this.actors.entries()]
      .map(([k, [count, denied]]) => {
        const [actorId, actorRole] = JSON.parse(k) as [string, string];
        return { actorId, actorRole, count, denied };
      })
      .sort((a, b) => b.count - a.count || a.actorId.localeCompare(b.actorId) || a.actorRole.localeCompare(b.actorRole))
      .slice(0, limit);
  }
}

/** Whether an event of this operation and outcome is a failed sign-in attempt. */
export function isSignInFailure(operation: string, outcome: string): boolean {
  return (SIGN_IN_OPERATIONS as readonly string[]).includes(operation) && (SIGN_IN_FAILURE_OUTCOMES as readonly string[]).includes(outcome);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
