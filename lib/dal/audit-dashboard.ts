import 'server-only';
import { DashboardTally, SIGN_IN_FAILURE_OUTCOMES, SIGN_IN_OPERATIONS, STEP_UP_OPERATION } from '@/lib/audit/dashboard-tally';
import { rollupWatermark } from '@/lib/audit/rollup';
import { bucketEdges, bucketIndex, chunks, floorHour, rollupRuns, type Granularity, type Interval } from '@/lib/audit/rollup-buckets';
import type { Viewer } from '@/lib/auth/viewer';
import { assertAuditCapability } from '@/lib/authz/audit-access';
import { now } from '@/lib/clock';
import { dbHandle, type Tx } from '@/lib/db';
import { resolveWindow, type AuditFilter } from '@/lib/validation/audit-filter';
import { ROLES } from '@/policies/roles';
import { peopleByIds, type PersonDTO } from './audit-people';

/**
 * The activity dashboards (auditors, superadmins): counts over the filter's
 * time window only (the other filter fields are the drill-downs' business).
 *
 * How it stays correct — every count is EXACT, never an estimate:
 * - The hourly rollups (lib/audit/rollup.ts) cover exactly the events with
 *   seq <= throughSeq. `ts` never decreases along the chain, so every event
 *   before the timestamp of event throughSeq + 1 ("coveredUntil") is covered.
 * - A UTC hour is read from the rollups only if it lies wholly inside the
 *   window, ends by coveredUntil, and does not straddle a chart bucket edge.
 *   Everything else — the partial hours at the window's edges, the hours cut by
 *   a local midnight in zones whose offset is not whole hours (+05:30, +05:45:
 *   their midnight is at :30/:45 UTC), and every event above the watermark — is
 *   counted from AuditEvent itself. The two parts tile the window
 *   (rollupRuns), so no event is counted twice or missed.
 * - The event-table part is read by seq ranges (each time interval becomes a
 *   seq range with two lookups on the ts index), pinned to the head seq read at
 *   the start, so it never scans the table beyond those ranges.
 * - A refresh may commit while the dashboard reads. The watermark is read before
 *   and after; if it moved, the read is repeated, and after a few tries it runs
 *   in one snapshot transaction (PostgreSQL REPEATABLE READ; SQLite's read
 *   transaction is a snapshot) so it always finishes with a consistent pair.
 *
 * Speed: with the scheduler refreshing every 30 s, the event-table part is at
 * most two partial hours, the cut hours of a :30 zone and ~30 s of new events;
 * the rest is a GROUP BY over at most (hours × categories) rollup rows.
 */

export interface DashboardBucket {
  /** Clipped to the window. */
  start: Date;
  end: Date;
}

export interface AuditDashboardDTO {
  rule: string;
  tz: string;
  granularity: Granularity;
  /** The resolved window: from (the first event for "all time"), to (null: up to now). */
  from: Date | null;
  to: Date | null;
  buckets: DashboardBucket[];
  /** Activity over time per actor role ('' = no actor: system or anonymous). */
  byRole: { role: string; counts: number[] }[];
  denied: number[];
  signInFailures: { operation: string; outcome: string; counts: number[] }[];
  /** Top 8 operations by count, then "other" (operation null), with outcomes. */
  byOperation: { operation: string | null; total: number; outcomes: Record<string, number> }[];
  byTargetType: { targetType: string; count: number }[];
  stepUps: Record<string, number>;
  topActors: { actorId: string; actorRole: string; count: number; denied: number; person: PersonDTO | null }[];
  totals: { events: number; denied: number; failures: number; stepUps: number };
  /** Rollups cover seq 1..throughSeq; headSeq is the newest event counted. */
  watermark: { throughSeq: number; headSeq: number; updatedAt: Date | null };
}

const SELECT = { seq: true, ts: true, operation: true, outcome: true, actorRole: true, targetType: true, actorId: true } as const;
const PAGE = 5000;
const RUNS_PER_QUERY = 100;
const OPTIMISTIC_TRIES = 3;

/** The activity dashboards for the filter's time window (analysts only: NOT_FOUND otherwise). */
export async function auditDashboard(viewer: Viewer, filter: AuditFilter): Promise<AuditDashboardDTO> {
  const rule = assertAuditCapability(viewer, 'analyze');
  const { db: client, provider } = await dbHandle();
  const at = now();
  for (let attempt = 1; attempt <= OPTIMISTIC_TRIES; attempt += 1) {
    const before = await rollupWatermark(client);
    const result = await computeDashboard(client, filter, at, before);
    const after = await rollupWatermark(client);
    if (after.throughSeq === before.throughSeq) return finish(rule, filter, result);
  }
  const result = await client.$transaction(
    async (tx) => computeDashboard(tx, filter, at, await rollupWatermark(tx)),
    // The PostgreSQL client is typed as the SQLite one (lib/db/client), whose only level is Serializable.
    provider === 'postgres' ? ({ isolationLevel: 'RepeatableRead' } as unknown as { isolationLevel: 'Serializable' }) : undefined,
  );
  return finish(rule, filter, result);
}

type Computed = Omit<AuditDashboardDTO, 'rule' | 'topActors'> & { actors: ReturnType<DashboardTally['topActors']> };

async function finish(rule: string, filter: AuditFilter, result: Computed): Promise<AuditDashboardDTO> {
  const { actors, ...rest } = result;
  const people = await peopleByIds(actors.map((a) => a.actorId).filter(Boolean));
  return { ...rest, rule, topActors: actors.map((a) => ({ ...a, person: people[a.actorId] ?? null })), tz: filter.tz };
}

async function computeDashboard(
  reader: Tx,
  filter: AuditFilter,
  at: Date,
  watermark: { throughSeq: number; updatedAt: Date | null },
): Promise<Computed> {
  const window = resolveWindow(filter, at);
  const head = await reader.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, ts: true } });
  const first = window.from ? null : await reader.auditEvent.findFirst({ orderBy: { seq: 'asc' }, select: { ts: true } });
  const from = window.from?.getTime() ?? first?.ts.getTime() ?? at.getTime();
  const to = window.to?.getTime() ?? null;
  const end = to ?? Math.max(at.getTime(), (head?.ts.getTime() ?? 0) + 1);
  const { granularity, edges } = bucketEdges(from, Math.max(end, from + 1), filter.tz);
  const tally = new DashboardTally(edges.length - 1);
  const headSeq = head?.seq ?? 0;
  const throughSeq = Math.min(watermark.throughSeq, headSeq);

  if (head && end > from) {
    // Events are gapless in seq, so this is event throughSeq + 1; above the pinned head nothing is counted anyway.
    const next = await reader.auditEvent.findFirst({
      where: { seq: { gt: throughSeq } },
      orderBy: { seq: 'asc' },
      select: { seq: true, ts: true },
    });
    const coveredUntil = next && next.seq <= headSeq ? next.ts.getTime() : null;
    const { runs, direct } = rollupRuns({ from, to, coveredUntil, edges, limit: end });
    await tallyRollups(reader, tally, runs, edges);
    for (const interval of direct) await tallyEvents(reader, tally, interval, headSeq, edges);
  }

  const buckets = edges.slice(0, -1).map((e, i) => ({ start: new Date(Math.max(e, from)), end: new Date(Math.min(edges[i + 1]!, end)) }));
  const signInFailures = SIGN_IN_OPERATIONS.flatMap((operation) =>
    SIGN_IN_FAILURE_OUTCOMES.map((outcome) => ({ operation, outcome, counts: tally.signInSeries(operation, outcome) })),
  );
  return {
    tz: filter.tz,
    granularity,
    from: new Date(from),
    to: window.to,
    buckets,
    byRole: tally.roles(ROLES).map((role) => ({ role, counts: tally.roleSeries(role) })),
    denied: tally.denied,
    signInFailures,
    byOperation: tally.operations(8),
    byTargetType: tally.targetTypes(),
    stepUps: tally.outcomesOf(STEP_UP_OPERATION),
    actors: tally.topActors(10),
    totals: tally.totals,
    watermark: { throughSeq, headSeq, updatedAt: watermark.updatedAt },
  };
}

/** Adds the rollup rows of whole hours (`runs`) to the tally, one GROUP BY per panel. */
async function tallyRollups(reader: Tx, tally: DashboardTally, runs: { start: number; end: number }[], edges: number[]) {
  const bucketOf = (d: Date) => bucketIndex(edges, floorHour(d.getTime()));
  for (const group of chunks(runs, RUNS_PER_QUERY)) {
    const inRuns = { OR: group.map((r) => ({ bucket: { gte: new Date(r.start), lt: new Date(r.end) } })) };
    // Sequential: inside the snapshot transaction queries share one connection.
    const byRole = await reader.auditRollup.groupBy({ by: ['bucket', 'actorRole'], where: inRuns, _sum: { count: true } });
    const denied = await reader.auditRollup.groupBy({
      by: ['bucket'],
      where: { AND: [inRuns, { outcome: 'denied' }] },
      _sum: { count: true },
    });
    const signIn = await reader.auditRollup.groupBy({
      by: ['bucket', 'operation', 'outcome'],
      where: { AND: [inRuns, { operation: { in: [...SIGN_IN_OPERATIONS] }, outcome: { in: [...SIGN_IN_FAILURE_OUTCOMES] } }] },
      _sum: { count: true },
    });
    const byOperation = await reader.auditRollup.groupBy({ by: ['operation', 'outcome'], where: inRuns, _sum: { count: true } });
    const byTarget = await reader.auditRollup.groupBy({ by: ['targetType'], where: inRuns, _sum: { count: true } });
    const actors = await reader.auditActorRollup.groupBy({
      by: ['actorId', 'actorRole'],
      where: inRuns,
      _sum: { count: true, denied: true },
    });
    for (const r of byRole) tally.addRole(bucketOf(r.bucket), r.actorRole, r._sum.count ?? 0);
    for (const r of denied) tally.addDenied(bucketOf(r.bucket), r._sum.count ?? 0);
    for (const r of signIn) tally.addSignInFailure(bucketOf(r.bucket), r.operation, r.outcome, r._sum.count ?? 0);
    for (const r of byOperation) tally.addOperation(r.operation, r.outcome, r._sum.count ?? 0);
    for (const r of byTarget) tally.addTargetType(r.targetType, r._sum.count ?? 0);
    for (const r of actors) tally.addActor(r.actorId, r.actorRole, r._sum.count ?? 0, r._sum.denied ?? 0);
  }
}

/** Adds the events of one time interval (seq <= headSeq) to the tally, read by seq range. */
async function tallyEvents(reader: Tx, tally: DashboardTally, interval: Interval, headSeq: number, edges: number[]) {
  const lo = await firstSeqAtOrAfter(reader, interval.start);
  if (lo === null) return;
  const hi = interval.end === null ? headSeq + 1 : ((await firstSeqAtOrAfter(reader, interval.end)) ?? headSeq + 1);
  let cursor = lo - 1;
  const upper = Math.min(hi, headSeq + 1);
  while (cursor + 1 < upper) {
    const rows = await reader.auditEvent.findMany({
      where: { seq: { gt: cursor, lt: upper } },
      orderBy: { seq: 'asc' },
      take: PAGE,
      select: SELECT,
    });
    for (const e of rows) {
      const actorRole = e.actorRole ?? '';
      const bucket = bucketIndex(edges, e.ts.getTime());
      tally.add({ bucket, operation: e.operation, outcome: e.outcome, actorRole, targetType: e.targetType ?? '', count: 1 });
      tally.addActor(e.actorId ?? '', actorRole, 1, e.outcome === 'denied' ? 1 : 0);
    }
    if (rows.length < PAGE) break;
    cursor = rows[rows.length - 1]!.seq;
  }
}

/** The first seq whose ts is at or after `ms` (one lookup on the ts index), or null. */
async function firstSeqAtOrAfter(reader: Tx, ms: number): Promise<number | null> {
  const row = await reader.auditEvent.findFirst({
    where: { ts: { gte: new Date(ms) } },
    orderBy: [{ ts: 'asc' }, { seq: 'asc' }],
    select: { seq: true },
  });
  return row?.seq ?? null;
}
