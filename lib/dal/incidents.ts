import 'server-only';
import { lockAuditChain } from '@/lib/audit/append';
import { GENESIS_HASH } from '@/lib/audit/hash';
import type { Viewer } from '@/lib/auth/viewer';
import { abilityFor, decide, scopedWhere } from '@/lib/authz/ability';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { db, type Tx } from '@/lib/db';
import { RULES } from '@/lib/monitoring/rules';
import type { IncidentStatus } from '@/lib/validation/incidents';
import { assertActorStillLive, recordAuthorized } from './audit-details';

/**
 * The incident register (issue 9). An incident is opened from an alert or by
 * hand, with the audit head (seq, hash) and the newest checkpoint sealed into
 * it; its timeline collects, as they happen, the alerts linked to it, notes, and
 * the audit events of everything done for it (its own changes and every
 * containment action taken from its page — lib/dal/audit-details.ts links those
 * in the action's own transaction). Closing needs a post-incident review and
 * seals the head again, so the record can be checked against the trail.
 */

export interface Seal {
  headSeq: number;
  headHash: string;
  checkpointSeq: number | null;
}

/** The audit head and the newest signed checkpoint, read under the chain lock. */
async function seal(tx: Tx): Promise<Seal> {
  const head = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  const checkpoint = await tx.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
  // An empty trail's head is the genesis hash, the prevHash its first event will carry.
  return { headSeq: head?.seq ?? 0, headHash: head?.hash ?? GENESIS_HASH, checkpointSeq: checkpoint?.seq ?? null };
}

/** Opens an incident (optionally from an alert, which is linked to it). */
export async function openIncident(
  authz: Authorization,
  input: { title: string; severity: string; alertId?: string },
): Promise<{ id: string; number: number }> {
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    if (input.alertId) {
      const alert = await tx.alert.findFirst({
        where: scopedWhere(authz.ability, 'read', 'Alert', { id: input.alertId }),
        select: { id: true },
      });
      if (!alert) throw new ActionError('NOT_FOUND', 'That alert does not exist.');
    }
    const sealed = await seal(tx);
    const last = await tx.incident.findFirst({ orderBy: { number: 'desc' }, select: { number: true } });
    const number = (last?.number ?? 0) + 1;
    const at = now();
    const incident = await tx.incident.create({
      data: {
        number,
        title: input.title,
        severity: input.severity,
        ownerId: authz.viewer.userId,
        openedById: authz.viewer.userId,
        openedAt: at,
        openHeadSeq: sealed.headSeq,
        openHeadHash: sealed.headHash,
        openCheckpointSeq: sealed.checkpointSeq,
        updatedAt: at,
      },
      select: { id: true },
    });
    if (input.alertId)
      await tx.incidentLink.create({
        data: { incidentId: incident.id, kind: 'alert', alertId: input.alertId, authorId: authz.viewer.userId, createdAt: at },
      });
    const event = await recordAuthorized(tx, authz, {
      target: { type: 'Incident', id: incident.id },
      details: { number, severity: input.severity, alertId: input.alertId ?? null, sealed },
    });
    await tx.incidentLink.create({
      data: { incidentId: incident.id, kind: 'event', eventSeq: event.seq, authorId: authz.viewer.userId, createdAt: at },
    });
    return { id: incident.id, number };
  });
}

/** Runs a change of an open (or contained) incident, with its event on the incident's timeline. */
async function changeIncident<T>(
  authz: Authorization,
  id: string,
  action: 'update' | 'close',
  work: (tx: Tx, incident: { id: string; status: string; number: number }) => Promise<{ details: Record<string, unknown>; result: T }>,
): Promise<T> {
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const incident = await tx.incident.findFirst({
      where: scopedWhere(authz.ability, action, 'Incident', { id }),
      select: { id: true, status: true, number: true },
    });
    if (!incident) throw new ActionError('NOT_FOUND', 'That incident does not exist or is closed.');
    const { details, result } = await work(tx, incident);
    const event = await recordAuthorized(tx, authz, { target: { type: 'Incident', id }, details: { number: incident.number, ...details } });
    await tx.incidentLink.create({
      data: { incidentId: id, kind: 'event', eventSeq: event.seq, authorId: authz.viewer.userId, createdAt: now() },
    });
    await tx.incident.update({ where: { id }, data: { updatedAt: now() } });
    return result;
  });
}

export function addIncidentNote(authz: Authorization, id: string, note: string) {
  return changeIncident(authz, id, 'update', async (tx) => {
    await tx.incidentLink.create({ data: { incidentId: id, kind: 'note', note, authorId: authz.viewer.userId, createdAt: now() } });
    return { details: { noteLength: [...note].length }, result: null };
  });
}

export function linkIncidentAlert(authz: Authorization, id: string, alertId: string) {
  return changeIncident(authz, id, 'update', async (tx) => {
    const alert = await tx.alert.findFirst({
      where: scopedWhere(authz.ability, 'read', 'Alert', { id: alertId }),
      select: { id: true, rule: true },
    });
    if (!alert) throw new ActionError('NOT_FOUND', 'That alert does not exist.');
    const linked = await tx.incidentLink.findFirst({ where: { incidentId: id, kind: 'alert', alertId }, select: { id: true } });
    if (linked) throw new ActionError('CONFLICT', 'That alert is already linked to this incident.');
    await tx.incidentLink.create({ data: { incidentId: id, kind: 'alert', alertId, authorId: authz.viewer.userId, createdAt: now() } });
    return { details: { alertId, rule: alert.rule }, result: null };
  });
}

export function setIncidentStatus(authz: Authorization, id: string, status: 'open' | 'contained') {
  return changeIncident(authz, id, 'update', async (tx, incident) => {
    if (incident.status === status) throw new ActionError('CONFLICT', `This incident is already ${status}.`);
    await tx.incident.update({ where: { id }, data: { status } });
    return { details: { before: incident.status, after: status }, result: null };
  });
}

export function closeIncident(authz: Authorization, id: string, review: { whatHappened: string; impact: string; followUps: string }) {
  return changeIncident(authz, id, 'close', async (tx, incident) => {
    const sealed = await seal(tx);
    await tx.incident.update({
      where: { id },
      data: {
        status: 'closed',
        closedAt: now(),
        closedById: authz.viewer.userId,
        review: JSON.stringify(review),
        closeHeadSeq: sealed.headSeq,
        closeHeadHash: sealed.headHash,
        closeCheckpointSeq: sealed.checkpointSeq,
      },
    });
    return { details: { before: incident.status, after: 'closed', sealed, reviewLength: [...review.whatHappened].length }, result: null };
  });
}

export interface IncidentRowDTO {
  id: string;
  number: number;
  title: string;
  severity: string;
  status: IncidentStatus;
  owner: { id: string; name: string } | null;
  openedAt: Date;
  closedAt: Date | null;
  alerts: number;
}

export async function listIncidents(viewer: Viewer, filter: { status: IncidentStatus | 'active' | 'all'; page: number }, pageSize = 25) {
  const client = await db();
  const where = scopedWhere(abilityFor(viewer), 'read', 'Incident', {
    ...(filter.status === 'all' ? {} : filter.status === 'active' ? { status: { in: ['open', 'contained'] } } : { status: filter.status }),
  });
  const total = await client.incident.count({ where });
  const page = Math.max(1, Math.min(filter.page, Math.ceil(total / pageSize) || 1));
  const rows = await client.incident.findMany({
    where,
    orderBy: [{ openedAt: 'desc' }, { id: 'asc' }],
    skip: (page - 1) * pageSize,
    take: pageSize,
    include: { _count: { select: { links: { where: { kind: 'alert' } } } } },
  });
  const people = await client.user.findMany({
    where: { id: { in: rows.map((r) => r.ownerId).filter((x): x is string => !!x) } },
    select: { id: true, name: true },
  });
  const name = new Map(people.map((p) => [p.id, p.name]));
  return {
    total,
    page,
    rows: rows.map((r): IncidentRowDTO => ({
      id: r.id,
      number: r.number,
      title: r.title,
      severity: r.severity,
      status: r.status as IncidentStatus,
      owner: r.ownerId ? { id: r.ownerId, name: name.get(r.ownerId) ?? 'a former user' } : null,
      openedAt: r.openedAt,
      closedAt: r.closedAt,
      alerts: r._count.links,
    })),
  };
}

export type TimelineEntry =
  | {
      kind: 'alert';
      at: Date;
      alert: { id: string; rule: string; ruleTitle: string; severity: string; summary: string; status: string; eventSeqs: number[] };
    }
  | { kind: 'note'; at: Date; note: string; author: { id: string; name: string } | null }
  | {
      kind: 'event';
      at: Date;
      event: {
        seq: number;
        ts: Date;
        operation: string;
        outcome: string;
        actorId: string | null;
        actorRole: string | null;
        targetType: string | null;
        targetId: string | null;
        reason: string | null;
      } | null;
      seq: number;
    };

export interface IncidentDetailDTO extends IncidentRowDTO {
  openedBy: { id: string; name: string } | null;
  closedBy: { id: string; name: string } | null;
  review: { whatHappened: string; impact: string; followUps: string } | null;
  opened: Seal;
  closed: Seal | null;
  timeline: TimelineEntry[];
  /** The people named by the linked alerts (candidates for containment). */
  subjects: { id: string; name: string; role: string; status: string }[];
  canUpdate: boolean;
  canClose: boolean;
}

/** One incident with its timeline, oldest first. */
export async function getIncident(viewer: Viewer, id: string): Promise<IncidentDetailDTO | null> {
  const ability = abilityFor(viewer);
  const client = await db();
  const r = await client.incident.findFirst({
    where: scopedWhere(ability, 'read', 'Incident', { id }),
    include: { links: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] } },
  });
  if (!r) return null;
  const alertIds = r.links.filter((l) => l.kind === 'alert' && l.alertId).map((l) => l.alertId!);
  const alerts = alertIds.length ? await client.alert.findMany({ where: { id: { in: alertIds } } }) : [];
  const seqs = r.links.filter((l) => l.kind === 'event' && l.eventSeq !== null).map((l) => l.eventSeq!);
  const events = seqs.length
    ? await client.auditEvent.findMany({
        where: scopedWhere(ability, 'read', 'AuditEvent', { seq: { in: seqs } }),
        select: {
          seq: true,
          ts: true,
          operation: true,
          outcome: true,
          actorId: true,
          actorRole: true,
          targetType: true,
          targetId: true,
          reason: true,
        },
      })
    : [];
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  const byAlert = new Map(alerts.map((a) => [a.id, a]));
  const subjectIds = [...new Set(alerts.map((a) => a.actorId).filter((x): x is string => !!x))];
  const peopleIds = [
    ...new Set([r.ownerId, r.openedById, r.closedById, ...r.links.map((l) => l.authorId), ...subjectIds].filter((x): x is string => !!x)),
  ];
  const people = await client.user.findMany({
    where: { id: { in: peopleIds } },
    select: { id: true, name: true, role: true, status: true },
  });
  const person = new Map(people.map((p) => [p.id, p]));
  const who = (pid: string | null) => (pid ? { id: pid, name: person.get(pid)?.name ?? 'a former user' } : null);
  const timeline: TimelineEntry[] = r.links.flatMap((l): TimelineEntry[] => {
    if (l.kind === 'alert' && l.alertId) {
      const a = byAlert.get(l.alertId);
      if (!a) return [];
      return [
        {
          kind: 'alert',
          at: l.createdAt,
          alert: {
            id: a.id,
            rule: a.rule,
            ruleTitle: (RULES as Record<string, { title: string }>)[a.rule]?.title ?? a.rule,
            severity: a.severity,
            summary: a.summary,
            status: a.status,
            eventSeqs: JSON.parse(a.eventSeqs) as number[],
          },
        },
      ];
    }
    if (l.kind === 'note') return [{ kind: 'note', at: l.createdAt, note: l.note ?? '', author: who(l.authorId) }];
    if (l.kind === 'event' && l.eventSeq !== null)
      return [{ kind: 'event', at: l.createdAt, seq: l.eventSeq, event: bySeq.get(l.eventSeq) ?? null }];
    return [];
  });
  const subject = { id: r.id, status: r.status, severity: r.severity };
  let review: IncidentDetailDTO['review'] = null;
  try {
    review = r.review ? (JSON.parse(r.review) as IncidentDetailDTO['review']) : null;
  } catch {
    review = null;
  }
  return {
    id: r.id,
    number: r.number,
    title: r.title,
    severity: r.severity,
    status: r.status as IncidentStatus,
    owner: who(r.ownerId),
    openedAt: r.openedAt,
    closedAt: r.closedAt,
    alerts: alertIds.length,
    openedBy: who(r.openedById),
    closedBy: who(r.closedById),
    review,
    opened: { headSeq: r.openHeadSeq, headHash: r.openHeadHash, checkpointSeq: r.openCheckpointSeq },
    closed:
      r.closeHeadSeq !== null ? { headSeq: r.closeHeadSeq, headHash: r.closeHeadHash ?? '', checkpointSeq: r.closeCheckpointSeq } : null,
    timeline,
    subjects: subjectIds.map((sid) => ({
      id: sid,
      name: person.get(sid)?.name ?? 'a former user',
      role: person.get(sid)?.role ?? 'unknown',
      status: person.get(sid)?.status ?? 'unknown',
    })),
    canUpdate: decide(ability, 'update', 'Incident', subject).allowed,
    canClose: decide(ability, 'close', 'Incident', subject).allowed,
  };
}

/** The incidents an alert is linked to (for the alert page). */
export async function incidentsOfAlert(
  viewer: Viewer,
  alertId: string,
): Promise<{ id: string; number: number; title: string; status: string }[]> {
  const client = await db();
  const links = await client.incidentLink.findMany({ where: { kind: 'alert', alertId }, select: { incidentId: true } });
  if (links.length === 0) return [];
  return client.incident.findMany({
    where: scopedWhere(abilityFor(viewer), 'read', 'Incident', { id: { in: links.map((l) => l.incidentId) } }),
    select: { id: true, number: true, title: true, status: true },
    orderBy: { number: 'asc' },
  });
}
