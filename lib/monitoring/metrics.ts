import 'server-only';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Tx } from '@/lib/db';
import { ROLES } from '@/policies/roles';

/**
 * Warden's Prometheus metrics (GET /api/metrics, docs/monitoring.md).
 *
 * Two kinds of numbers:
 * - Trail-wide numbers, read from the database at scrape time, so every
 *   instance behind a load balancer reports the same values (a scrape of any
 *   instance is as good as another): audit event counters, the head seq,
 *   checkpoint age, active sessions, alerts, deliveries, approval requests.
 * - In-process numbers of the scraped instance: the audit append duration
 *   histogram and the default Node.js process metrics.
 *
 * Why a registry per scrape (instead of shared metrics with collect()
 * callbacks): the database numbers come from ONE snapshot read per scrape (the
 * counters from the rollups and the events above their watermark must match
 * each other, see {@link readAuditCounts}), which per-metric collect()
 * callbacks would each read on their own; two concurrent scrapes would race on
 * a shared counter's reset-and-set; and a label set that no longer exists (no
 * more "failed" deliveries) simply drops out instead of lingering. The per-scrape
 * registry is merged with the long-lived in-process registry, which holds the
 * histogram and the default metrics and is never rebuilt.
 *
 * The counters are monotonic across scrapes and instances: they are counts of
 * an append-only trail up to a head that only grows (a rollup rebuild moves
 * counts between the rollups and the event-table part, never the sum).
 */

/** Buckets of the append histogram, in seconds: an append is a few ms, more when it waits for the chain lock. */
const APPEND_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Optimistic reads of the audit counters before falling back to a snapshot transaction (as lib/dal/audit-dashboard.ts). */
const OPTIMISTIC_TRIES = 3;

/** Label value of events without an actor (system jobs, anonymous attempts); rollups store it as ''. */
export const NO_ACTOR_ROLE = 'none';

interface ProcessMetrics {
  registry: Registry;
  appendDuration: Histogram;
  defaultsStarted: boolean;
}

// On globalThis, not module state: route handlers, server actions and pages of a
// production build are separate bundles that do not share module state, and the
// histogram observed by an action must be the one the metrics route renders.
const shared = globalThis as unknown as { wardenProcessMetrics?: ProcessMetrics };

function processMetrics(): ProcessMetrics {
  if (!shared.wardenProcessMetrics) {
    const registry = new Registry();
    const appendDuration = new Histogram({
      name: 'warden_audit_append_duration_seconds',
      help: 'Time taken by appendAuditEvent in this instance (includes waiting for the audit chain lock), in seconds.',
      buckets: APPEND_BUCKETS,
      registers: [registry],
    });
    shared.wardenProcessMetrics = { registry, appendDuration, defaultsStarted: false };
  }
  return shared.wardenProcessMetrics;
}

/**
 * Records one audit append's duration (lib/audit/append.ts). `startedAt` is
 * `performance.now()` at the start of the append. Never throws: metrics must not
 * break the audited operation.
 */
export function observeAuditAppend(startedAt: number): void {
  try {
    processMetrics().appendDuration.observe((performance.now() - startedAt) / 1000);
  } catch {
    // A metric is not worth an audited operation.
  }
}

/**
 * The in-process registry, with the default process metrics (warden_process_*,
 * warden_nodejs_*) started on the first scrape only: the command-line tools
 * that append audit events never scrape, so they start no event-loop monitor.
 */
function scrapedProcessRegistry(): Registry {
  const metrics = processMetrics();
  if (!metrics.defaultsStarted) {
    metrics.defaultsStarted = true;
    collectDefaultMetrics({ register: metrics.registry, prefix: 'warden_' });
  }
  return metrics.registry;
}

/** One row of audit counts: operation × outcome × actor role ('' = no actor). */
export interface AuditCount {
  operation: string;
  outcome: string;
  actorRole: string;
  count: number;
}

/** Everything the database contributes to one scrape. */
export interface MetricsSnapshot {
  headSeq: number;
  auditCounts: AuditCount[];
  /** The newest checkpoint, or null if none was ever made. */
  checkpoint: { seq: number; ts: Date } | null;
  activeSessions: { role: string; count: number }[];
  alerts: { status: string; severity: string; count: number }[];
  alertDeliveries: { status: string; count: number }[];
  approvalRequests: { status: string; count: number }[];
  at: Date;
}

type Reader = Pick<Tx, 'auditEvent' | 'auditRollup' | 'auditRollupState'>;

async function watermarkOf(reader: Reader): Promise<number> {
  const state = await reader.auditRollupState.findUnique({ where: { id: 1 }, select: { throughSeq: true } });
  return state?.throughSeq ?? 0;
}

/**
 * Audit event counts of the whole trail up to `headSeq`: the hourly rollups
 * (exactly the events with seq <= throughSeq, lib/audit/rollup.ts) plus a GROUP
 * BY over the few events above the watermark. Both are small: the rollup rows
 * are hours × categories, and the scheduler keeps the watermark within ~30 s
 * of the head.
 */
async function countAudit(reader: Reader, headSeq: number, throughSeq: number): Promise<AuditCount[]> {
  const covered = Math.min(throughSeq, headSeq);
  const rolled = await reader.auditRollup.groupBy({ by: ['operation', 'outcome', 'actorRole'], _sum: { count: true } });
  const recent =
    covered < headSeq
      ? await reader.auditEvent.groupBy({
          by: ['operation', 'outcome', 'actorRole'],
          where: { seq: { gt: covered, lte: headSeq } },
          _count: { _all: true },
        })
      : [];
  const cells = new Map<string, AuditCount>();
  const add = (operation: string, outcome: string, actorRole: string | null, count: number) => {
    const role = actorRole ?? '';
    const k = JSON.stringify([operation, outcome, role]);
    const cell = cells.get(k) ?? { operation, outcome, actorRole: role, count: 0 };
    cell.count += count;
    cells.set(k, cell);
  };
  for (const r of rolled) add(r.operation, r.outcome, r.actorRole, r._sum.count ?? 0);
  for (const r of recent) add(r.operation, r.outcome, r.actorRole, r._count._all);
  return [...cells.values()];
}

/**
 * The audit counters and head, consistent with each other. A rollup refresh may
 * commit between the two reads (moving events from one part to the other): the
 * watermark is read before and after, and if it moved the read is repeated;
 * after a few tries it runs in one snapshot transaction.
 */
async function readAuditCounts(): Promise<{ headSeq: number; auditCounts: AuditCount[] }> {
  const { dbHandle } = await import('@/lib/db');
  const { db: client, provider } = await dbHandle();
  const read = async (reader: Reader, throughSeq: number) => {
    const head = await reader.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    const headSeq = head?.seq ?? 0;
    return { headSeq, auditCounts: await countAudit(reader, headSeq, throughSeq) };
  };
  for (let attempt = 1; attempt <= OPTIMISTIC_TRIES; attempt += 1) {
    const before = await watermarkOf(client);
    const result = await read(client, before);
    if ((await watermarkOf(client)) === before) return result;
  }
  return client.$transaction(
    async (tx) => read(tx, await watermarkOf(tx)),
    // The PostgreSQL client is typed as the SQLite one (lib/db/client), whose only level is Serializable.
    provider === 'postgres' ? ({ isolationLevel: 'RepeatableRead' } as unknown as { isolationLevel: 'Serializable' }) : undefined,
  );
}

/** Reads every trail-wide number of one scrape (a handful of indexed or grouped queries). */
export async function readMetricsSnapshot(): Promise<MetricsSnapshot> {
  // Loaded here, not at the top: lib/audit/append.ts imports this module for the
  // histogram, and the append path (and the CLIs and unit tests that use it)
  // should not load the database client just for that.
  const [{ db }, { now }] = await Promise.all([import('@/lib/db'), import('@/lib/clock')]);
  const client = await db();
  const at = now();
  const { headSeq, auditCounts } = await readAuditCounts();
  const checkpoint = await client.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, ts: true } });
  const active = { revokedAt: null, expiresAt: { gt: at } };
  const activeSessions: MetricsSnapshot['activeSessions'] = [];
  for (const role of ROLES) {
    activeSessions.push({ role, count: await client.session.count({ where: { ...active, user: { role } } }) });
  }
  const alerts = await client.alert.groupBy({ by: ['status', 'severity'], _count: { _all: true } });
  const deliveries = await client.alertDelivery.groupBy({ by: ['status'], _count: { _all: true } });
  const approvals = await client.approvalRequest.groupBy({ by: ['status'], _count: { _all: true } });
  return {
    headSeq,
    auditCounts,
    checkpoint,
    activeSessions,
    alerts: alerts.map((r) => ({ status: r.status, severity: r.severity, count: r._count._all })),
    alertDeliveries: deliveries.map((r) => ({ status: r.status, count: r._count._all })),
    approvalRequests: approvals.map((r) => ({ status: r.status, count: r._count._all })),
    at,
  };
}

/** Outcomes always present on the derived counters (0 until the first such event), so rate() works from the start. */
const OUTCOMES = ['success', 'denied', 'failure'] as const;

/** The registry of one scrape's database numbers (pure: takes a snapshot, reads nothing). */
export function snapshotRegistry(s: MetricsSnapshot): Registry {
  const registry = new Registry();
  const registers = [registry];

  const events = new Counter({
    name: 'warden_audit_events_total',
    help: 'Audit events in the trail, by operation, outcome and actor role (role "none": system or anonymous). Trail-wide.',
    labelNames: ['operation', 'outcome', 'role'] as const,
    registers,
  });
  const signIns = new Counter({
    name: 'warden_sign_ins_total',
    help: 'Sign-in attempts (audit operation auth.sign_in) by outcome. Trail-wide.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const stepUps = new Counter({
    name: 'warden_step_ups_total',
    help: 'Step-up attempts (audit operation auth.step_up) by outcome. Trail-wide.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const denials = new Counter({
    name: 'warden_denials_total',
    help: 'Audit events with outcome "denied" (any operation). Trail-wide.',
    registers,
  });
  for (const outcome of OUTCOMES) {
    signIns.inc({ outcome }, 0);
    stepUps.inc({ outcome }, 0);
  }
  denials.inc(0);
  for (const c of s.auditCounts) {
    events.inc({ operation: c.operation, outcome: c.outcome, role: c.actorRole || NO_ACTOR_ROLE }, c.count);
    if (c.operation === 'auth.sign_in') signIns.inc({ outcome: c.outcome }, c.count);
    if (c.operation === 'auth.step_up') stepUps.inc({ outcome: c.outcome }, c.count);
    if (c.outcome === 'denied') denials.inc(c.count);
  }

  new Gauge({ name: 'warden_audit_head_seq', help: 'The seq of the newest audit event (0: empty trail).', registers }).set(s.headSeq);
  new Gauge({
    name: 'warden_audit_unsigned_events',
    help: 'Audit events after the newest signed checkpoint (all events if there is none).',
    registers,
  }).set(Math.max(0, s.headSeq - (s.checkpoint?.seq ?? 0)));
  if (s.checkpoint) {
    // Absent, not 0, when no checkpoint was ever made: alert on absent() for that case.
    new Gauge({
      name: 'warden_audit_checkpoint_age_seconds',
      help: 'Seconds since the newest signed audit checkpoint was made. Absent if there is none.',
      registers,
    }).set(Math.max(0, (s.at.getTime() - s.checkpoint.ts.getTime()) / 1000));
  }

  const sessions = new Gauge({
    name: 'warden_active_sessions',
    help: 'Sessions not revoked and not past their absolute expiry, by the user role. Trail-wide.',
    labelNames: ['role'] as const,
    registers,
  });
  for (const r of s.activeSessions) sessions.set({ role: r.role }, r.count);

  const alerts = new Gauge({
    name: 'warden_alerts',
    help: 'Alerts by status (open, acknowledged, resolved) and severity.',
    labelNames: ['status', 'severity'] as const,
    registers,
  });
  for (const r of s.alerts) alerts.set({ status: r.status, severity: r.severity }, r.count);

  const deliveries = new Gauge({
    name: 'warden_alert_deliveries',
    help: 'Alert webhook deliveries by status (pending, delivering, delivered, failed).',
    labelNames: ['status'] as const,
    registers,
  });
  for (const r of s.alertDeliveries) deliveries.set({ status: r.status }, r.count);

  const approvals = new Gauge({
    name: 'warden_approval_requests',
    help: 'Two-person approval requests by status.',
    labelNames: ['status'] as const,
    registers,
  });
  for (const r of s.approvalRequests) approvals.set({ status: r.status }, r.count);

  return registry;
}

/** One scrape: the exposition text (Prometheus text format 0.0.4) and its content type. */
export async function renderMetrics(): Promise<{ body: string; contentType: string }> {
  const snapshot = await readMetricsSnapshot();
  const merged = Registry.merge([scrapedProcessRegistry(), snapshotRegistry(snapshot)]);
  return { body: await merged.metrics(), contentType: merged.contentType };
}
