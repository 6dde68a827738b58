import 'server-only';
import { randomUUID } from 'node:crypto';
import { lockAuditChain } from '@/lib/audit/append';
import { recordAuditWith } from '@/lib/audit/record';
import { now } from '@/lib/clock';
import { settingIn } from '@/lib/config/settings';
import { db, type Db, type Tx } from '@/lib/db';
import { evaluateRules, isWindowEvent, lookbackMinutes, type AlertCandidate, type MonitorEvent } from './rules';

/**
 * The scheduled anomaly evaluation (issue 9). Every 15 seconds (lib/monitoring/
 * scheduler.ts) one instance — whichever takes the lease in MonitorState by a
 * conditional update — reads the audit events appended since the last run, with
 * the earlier events the rules' windows need, runs lib/monitoring/rules.ts and
 * records what fires as alerts. A trail is evaluated from when monitoring first
 * ran (the first run starts at the head), so history does not flood the inbox.
 * Alerts, and the watermark, are written in one transaction that holds the audit
 * chain lock, each new alert with its `alert.raise` event: a crash leaves the
 * events to be evaluated again, never an alert without its record.
 */

export const EVALUATION_INTERVAL_MS = 15_000;
const STATE_ID = 'anomaly';
const LEASE_MS = 60_000;
const BATCH = 2_000;
const MAX_SEQS = 200;

const EVENT_SELECT = {
  seq: true,
  ts: true,
  actorId: true,
  actorRole: true,
  operation: true,
  outcome: true,
  reasonCode: true,
  targetType: true,
  targetId: true,
  ip: true,
  userAgent: true,
  details: true,
} as const;

type Row = Omit<MonitorEvent, 'details'> & { details: string };

function toEvent(r: Row): MonitorEvent {
  let details: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(r.details) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) details = parsed as Record<string, unknown>;
  } catch {
    // A detail that is not JSON gives the rules nothing to read; the event still counts.
  }
  return { ...r, details };
}

/** Takes the evaluation lease (one instance at a time); null if another instance holds it. */
async function takeLease(client: Db, owner: string): Promise<{ throughSeq: number; startedAt: Date | null } | null> {
  const at = now();
  const existing = await client.monitorState.findUnique({ where: { id: STATE_ID } });
  if (!existing) {
    const head = await client.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    try {
      await client.monitorState.create({ data: { id: STATE_ID, throughSeq: head?.seq ?? 0, updatedAt: at, startedAt: at } });
    } catch {
      // Another instance created it first.
    }
  }
  const taken = await client.monitorState.updateMany({
    where: { id: STATE_ID, OR: [{ leaseUntil: null }, { leaseUntil: { lt: at } }] },
    data: { leaseUntil: new Date(at.getTime() + LEASE_MS), leaseOwner: owner, updatedAt: at },
  });
  if (taken.count !== 1) return null;
  const state = await client.monitorState.findUniqueOrThrow({ where: { id: STATE_ID } });
  return { throughSeq: state.throughSeq, startedAt: state.startedAt };
}

async function releaseLease(client: Db, owner: string) {
  await client.monitorState.updateMany({ where: { id: STATE_ID, leaseOwner: owner }, data: { leaseUntil: null, leaseOwner: null } });
}

export interface EvaluationResult {
  /** How many new events were evaluated (0 when another instance holds the lease). */
  evaluated: number;
  raised: string[];
  updated: string[];
}

/** One evaluation run (exported for the scheduler and tests). */
export async function evaluateAnomalies(client?: Db): Promise<EvaluationResult> {
  const c = client ?? (await db());
  const owner = randomUUID();
  const lease = await takeLease(c, owner);
  if (!lease) return { evaluated: 0, raised: [], updated: [] };
  try {
    return await evaluateFrom(c, lease.throughSeq, lease.startedAt);
  } finally {
    await releaseLease(c, owner);
  }
}

async function evaluateFrom(client: Db, throughSeq: number, startedAt: Date | null): Promise<EvaluationResult> {
  const thresholds = await settingIn(client, 'alerts.thresholds');
  const workingHours = await settingIn(client, 'alerts.working_hours');
  const fresh = (
    await client.auditEvent.findMany({ where: { seq: { gt: throughSeq } }, orderBy: { seq: 'asc' }, take: BATCH, select: EVENT_SELECT })
  ).map(toEvent);
  const at = now();
  const checkpoint = await client.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, ts: true } });
  const uncovered = await client.auditEvent.findFirst({
    where: { seq: { gt: checkpoint?.seq ?? 0 } },
    orderBy: { seq: 'asc' },
    select: { ts: true },
  });
  const witness = await witnessWaiting(client, startedAt);
  let candidates: AlertCandidate[] = [];
  const lastSeq = fresh.at(-1)?.seq ?? throughSeq;
  if (fresh.length > 0 || uncovered || witness.waitingSince) {
    const from = fresh[0]?.ts ?? at;
    const context =
      fresh.length === 0
        ? []
        : (
            await client.auditEvent.findMany({
              where: { seq: { lte: throughSeq }, ts: { gte: new Date(from.getTime() - lookbackMinutes(thresholds) * 60_000) } },
              // The newest context matters most for the windows: the latest 50,000, put back in order.
              orderBy: { seq: 'desc' },
              take: 50_000,
              select: EVENT_SELECT,
            })
          )
            .reverse()
            .map(toEvent)
            .filter(isWindowEvent);
    candidates = await evaluateRules([...context, ...fresh], throughSeq, {
      thresholds,
      workingHours,
      now: at,
      // Waiting counts from when monitoring started at the earliest: imported or seeded history is not "overdue".
      checkpoint: {
        lastTs: checkpoint?.ts ?? null,
        oldestUncoveredTs: uncovered ? new Date(Math.max(uncovered.ts.getTime(), startedAt?.getTime() ?? 0)) : null,
      },
      witness,
      signInHistory: async (actorId, ip, userAgent, beforeSeq) => {
        const base = { actorId, operation: 'auth.sign_in', outcome: 'success', seq: { lt: beforeSeq } };
        const any = await client.auditEvent.findFirst({ where: base, select: { seq: true } });
        if (!any) return { any: false, ip: false, agent: false };
        const sameIp = ip ? await client.auditEvent.findFirst({ where: { ...base, ip }, select: { seq: true } }) : null;
        const sameAgent = userAgent ? await client.auditEvent.findFirst({ where: { ...base, userAgent }, select: { seq: true } }) : null;
        return { any: true, ip: !!sameIp, agent: !!sameAgent };
      },
    });
  }
  const webhook = await settingIn(client, 'alerts.webhook_url');
  const raised: string[] = [];
  const updated: string[] = [];
  await client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    for (const candidate of candidates) {
      const result = await recordCandidate(tx, candidate, webhook);
      (result.created ? raised : updated).push(result.id);
    }
    await tx.monitorState.update({ where: { id: STATE_ID }, data: { throughSeq: lastSeq, updatedAt: now() } });
  });
  return { evaluated: fresh.length, raised, updated };
}

/**
 * Since when a checkpoint has waited for a witness cosignature (RuleContext.witness):
 * the oldest checkpoint after the newest cosigned one, counted at the earliest from
 * the registration of the oldest unrevoked witness key and from when monitoring
 * started; null without an unrevoked witness key or when nothing waits.
 */
async function witnessWaiting(client: Db, startedAt: Date | null): Promise<{ waitingSince: Date | null; seq: number | null }> {
  const key = await client.witnessKey.findFirst({
    where: { revokedAt: null },
    orderBy: { registeredAt: 'asc' },
    select: { registeredAt: true },
  });
  if (!key) return { waitingSince: null, seq: null };
  const cosigned = await client.checkpointCosignature.findFirst({ orderBy: { checkpointSeq: 'desc' }, select: { checkpointSeq: true } });
  const waiting = await client.auditCheckpoint.findFirst({
    where: { seq: { gt: cosigned?.checkpointSeq ?? 0 } },
    orderBy: { seq: 'asc' },
    select: { seq: true, ts: true },
  });
  if (!waiting) return { waitingSince: null, seq: null };
  return {
    waitingSince: new Date(Math.max(waiting.ts.getTime(), key.registeredAt.getTime(), startedAt?.getTime() ?? 0)),
    seq: waiting.seq,
  };
}

/** Raises a new alert, or adds the candidate's events to the open alert of the same rule and key. */
async function recordCandidate(tx: Tx, c: AlertCandidate, webhook: string): Promise<{ id: string; created: boolean }> {
  const at = now();
  const open = await tx.alert.findFirst({
    where: { rule: c.rule, dedupeKey: c.dedupeKey, status: { in: ['open', 'acknowledged'] } },
    select: { id: true, eventSeqs: true, count: true, lastSeq: true },
  });
  if (open) {
    const known = new Set<number>(JSON.parse(open.eventSeqs) as number[]);
    const added = c.seqs.filter((s) => !known.has(s));
    if (added.length === 0 && c.seqs.length > 0) return { id: open.id, created: false };
    if (c.seqs.length === 0) {
      // A condition without events (an overdue checkpoint) still holds: keep the alert current, do not count runs.
      await tx.alert.update({ where: { id: open.id }, data: { summary: c.summary, updatedAt: at } });
      return { id: open.id, created: false };
    }
    const seqs = [...known, ...added].sort((a, b) => a - b).slice(-MAX_SEQS);
    await tx.alert.update({
      where: { id: open.id },
      data: {
        eventSeqs: JSON.stringify(seqs),
        count: open.count + Math.max(1, added.length),
        lastSeq: Math.max(open.lastSeq ?? 0, ...c.seqs),
        summary: c.summary,
        updatedAt: at,
      },
    });
    return { id: open.id, created: false };
  }
  const alert = await tx.alert.create({
    data: {
      rule: c.rule,
      severity: c.severity,
      dedupeKey: c.dedupeKey,
      summary: c.summary,
      actorId: c.actorId,
      eventSeqs: JSON.stringify(c.seqs.slice(-MAX_SEQS)),
      firstSeq: c.seqs[0] ?? null,
      lastSeq: c.seqs.at(-1) ?? null,
      count: Math.max(1, c.seqs.length),
      createdAt: at,
      updatedAt: at,
    },
    select: { id: true },
  });
  const event = await recordAuditWith(
    tx,
    {
      actor: null,
      operation: 'alert.raise',
      target: { type: 'Alert', id: alert.id },
      outcome: 'success',
      reasonCode: c.rule,
      details: { rule: c.rule, severity: c.severity, dedupeKey: c.dedupeKey, actorId: c.actorId, seqs: c.seqs.slice(0, 50) },
      decision: 'monitoring.rules',
    },
    { correlationId: `job-${randomUUID()}`, ip: null, userAgent: 'warden anomaly evaluation' },
  );
  await tx.alert.update({ where: { id: alert.id }, data: { raisedSeq: event.seq } });
  if (webhook) {
    await tx.alertDelivery.create({ data: { alertId: alert.id, url: webhook, nextAttemptAt: at, createdAt: at, updatedAt: at } });
  }
  return { id: alert.id, created: true };
}
