import 'server-only';
import { lockAuditChain } from '@/lib/audit/append';
import type { Viewer } from '@/lib/auth/viewer';
import { abilityFor, decide, scopedWhere } from '@/lib/authz/ability';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { db } from '@/lib/db';
import { RULES, type RuleId, type Severity } from '@/lib/monitoring/rules';
import type { AlertStatus } from '@/lib/validation/alerts';
import { assertActorStillLive, recordAuthorized } from './audit-details';

/**
 * Alerts (issue 9): what the anomaly rules raised, for the alerts inbox and the
 * alert page, and acknowledging / resolving them (audited). Reading goes through
 * the Alert rules; the triggering audit events are shown only as far as the
 * viewer may read them (an admin sees only their own actions).
 */

export const ALERT_PAGE_SIZE = 25;

export interface AlertRowDTO {
  id: string;
  rule: string;
  ruleTitle: string;
  severity: Severity;
  status: AlertStatus;
  summary: string;
  actor: { id: string; name: string } | null;
  count: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface AlertEventDTO {
  seq: number;
  ts: Date;
  operation: string;
  outcome: string;
  actorId: string | null;
  actorRole: string | null;
  ip: string | null;
  targetType: string | null;
  targetId: string | null;
}

export interface AlertDeliveryDTO {
  id: string;
  status: string;
  url: string;
  attempts: number;
  nextAttemptAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

export interface AlertDetailDTO extends AlertRowDTO {
  ruleDescription: string;
  dedupeKey: string;
  eventSeqs: number[];
  /** The triggering events the viewer may read (newest last). */
  events: AlertEventDTO[];
  /** How many triggering events the viewer may not read. */
  hiddenEvents: number;
  raisedSeq: number | null;
  acknowledged: { at: Date; by: { id: string; name: string } | null; note: string | null } | null;
  resolved: { at: Date; by: { id: string; name: string } | null; note: string | null } | null;
  deliveries: AlertDeliveryDTO[];
  canAcknowledge: boolean;
  canResolve: boolean;
}

function ruleTitle(rule: string): string {
  return (RULES as Record<string, { title: string }>)[rule]?.title ?? rule;
}

async function names(ids: (string | null | undefined)[]) {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (wanted.length === 0) return new Map<string, string>();
  const client = await db();
  const rows = await client.user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
  return new Map(rows.map((r) => [r.id, r.name]));
}

export interface AlertFilter {
  status: AlertStatus | 'active' | 'all';
  severity?: Severity;
  rule?: RuleId;
  page: number;
}

/** Alerts the viewer may read, newest first. "active" = open or acknowledged. */
export async function listAlerts(viewer: Viewer, filter: AlertFilter): Promise<{ rows: AlertRowDTO[]; total: number; page: number }> {
  const ability = abilityFor(viewer);
  const client = await db();
  const where = scopedWhere(ability, 'read', 'Alert', {
    ...(filter.status === 'all'
      ? {}
      : filter.status === 'active'
        ? { status: { in: ['open', 'acknowledged'] } }
        : { status: filter.status }),
    ...(filter.severity ? { severity: filter.severity } : {}),
    ...(filter.rule ? { rule: filter.rule } : {}),
  });
  const total = await client.alert.count({ where });
  const page = Math.max(1, Math.min(filter.page, Math.ceil(total / ALERT_PAGE_SIZE) || 1));
  const rows = await client.alert.findMany({
    where,
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    skip: (page - 1) * ALERT_PAGE_SIZE,
    take: ALERT_PAGE_SIZE,
  });
  const who = await names(rows.map((r) => r.actorId));
  return { total, page, rows: rows.map((r) => rowDTO(r, who)) };
}

type AlertRow = Awaited<ReturnType<Awaited<ReturnType<typeof db>>['alert']['findFirstOrThrow']>>;

function rowDTO(r: AlertRow, who: Map<string, string>): AlertRowDTO {
  return {
    id: r.id,
    rule: r.rule,
    ruleTitle: ruleTitle(r.rule),
    severity: r.severity as Severity,
    status: r.status as AlertStatus,
    summary: r.summary,
    actor: r.actorId ? { id: r.actorId, name: who.get(r.actorId) ?? 'an unknown or deleted user' } : null,
    count: r.count,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** Open alerts the viewer may read (the navigation badge). */
export async function activeAlertCount(viewer: Viewer): Promise<number> {
  const client = await db();
  return client.alert.count({ where: scopedWhere(abilityFor(viewer), 'read', 'Alert', { status: 'open' }) });
}

/** One alert with its triggering events, deliveries and what the viewer may do. */
export async function getAlert(viewer: Viewer, id: string): Promise<AlertDetailDTO | null> {
  const ability = abilityFor(viewer);
  const client = await db();
  const r = await client.alert.findFirst({
    where: scopedWhere(ability, 'read', 'Alert', { id }),
    include: { deliveries: { orderBy: { createdAt: 'asc' } } },
  });
  if (!r) return null;
  const seqs = (JSON.parse(r.eventSeqs) as number[]).filter((s) => Number.isSafeInteger(s));
  const events = seqs.length
    ? await client.auditEvent.findMany({
        where: scopedWhere(ability, 'read', 'AuditEvent', { seq: { in: seqs.slice(-200) } }),
        orderBy: { seq: 'asc' },
        select: {
          seq: true,
          ts: true,
          operation: true,
          outcome: true,
          actorId: true,
          actorRole: true,
          ip: true,
          targetType: true,
          targetId: true,
        },
      })
    : [];
  const who = await names([r.actorId, r.acknowledgedById, r.resolvedById]);
  const person = (pid: string | null) => (pid ? { id: pid, name: who.get(pid) ?? 'an unknown or deleted user' } : null);
  const subject = { id: r.id, status: r.status, rule: r.rule, severity: r.severity };
  return {
    ...rowDTO(r, who),
    ruleDescription: (RULES as Record<string, { description: string }>)[r.rule]?.description ?? '',
    dedupeKey: r.dedupeKey,
    eventSeqs: seqs,
    events,
    hiddenEvents: seqs.length - events.length,
    raisedSeq: r.raisedSeq,
    acknowledged: r.acknowledgedAt ? { at: r.acknowledgedAt, by: person(r.acknowledgedById), note: r.acknowledgeNote } : null,
    resolved: r.resolvedAt ? { at: r.resolvedAt, by: person(r.resolvedById), note: r.resolveNote } : null,
    deliveries: r.deliveries.map((d) => ({
      id: d.id,
      status: d.status,
      url: d.url,
      attempts: d.attempts,
      nextAttemptAt: d.nextAttemptAt,
      lastStatus: d.lastStatus,
      lastError: d.lastError,
      deliveredAt: d.deliveredAt,
    })),
    canAcknowledge: r.status === 'open' && decide(ability, 'acknowledge', 'Alert', subject).allowed,
    canResolve: decide(ability, 'resolve', 'Alert', subject).allowed,
  };
}

/** Marks an open alert acknowledged (someone is on it), with an optional note. */
export async function acknowledgeAlert(authz: Authorization, id: string): Promise<void> {
  await changeAlert(authz, id, 'acknowledge');
}

/** Resolves an open or acknowledged alert, with the note that says why. */
export async function resolveAlert(authz: Authorization, id: string): Promise<void> {
  await changeAlert(authz, id, 'resolve');
}

async function changeAlert(authz: Authorization, id: string, action: 'acknowledge' | 'resolve') {
  const client = await db();
  await client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const before = await tx.alert.findFirst({
      where: scopedWhere(authz.ability, action, 'Alert', { id }),
      select: { status: true, rule: true, severity: true },
    });
    if (!before) throw new ActionError('NOT_FOUND', 'That alert does not exist or is already resolved.');
    if (action === 'acknowledge' && before.status !== 'open') throw new ActionError('CONFLICT', 'This alert is already acknowledged.');
    const at = now();
    const note = authz.reason ?? authz.ticketRef;
    const moved = await tx.alert.updateMany({
      where: { id, status: before.status },
      data:
        action === 'acknowledge'
          ? { status: 'acknowledged', acknowledgedAt: at, acknowledgedById: authz.viewer.userId, acknowledgeNote: note, updatedAt: at }
          : { status: 'resolved', resolvedAt: at, resolvedById: authz.viewer.userId, resolveNote: note, updatedAt: at },
    });
    if (moved.count !== 1) throw new ActionError('CONFLICT', 'Someone changed this alert a moment ago. Reload the page.');
    await recordAuthorized(tx, authz, {
      target: { type: 'Alert', id },
      details: {
        rule: before.rule,
        severity: before.severity,
        before: before.status,
        after: action === 'acknowledge' ? 'acknowledged' : 'resolved',
      },
    });
  });
}
