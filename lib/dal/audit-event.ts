import 'server-only';
import type { Viewer } from '@/lib/auth/viewer';
import { abilityFor, scopedWhere } from '@/lib/authz/ability';
import { assertAuditCapability } from '@/lib/authz/audit-access';
import { db } from '@/lib/db';
import { POLICY_VERSION } from '@/lib/policy-version';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';
import { explainDecision, type RuleExplanation } from '@/policies/explain';
import { OPERATIONS, type OperationDefinition } from '@/policies/operations';
import type { AuditRowDTO } from './audit';
import { peopleByIds, type PersonDTO } from './audit-people';

const RELATED_LIMIT = 20;

export interface AuditEventDetailDTO extends AuditRowDTO {
  id: string;
  actorSessionId: string | null;
  userAgent: string | null;
  policyVersion: string;
  prevHash: string;
  /** details parsed from its canonical JSON. */
  details: Record<string, unknown>;
  /** The policy version in force now differs from the event's. */
  policyChangedSince: boolean;
  explanation: RuleExplanation | null;
  /** What the catalog demands of this operation (risk, step-up, reason, approval), if it is a catalog operation. */
  requirements: Pick<OperationDefinition, 'risk' | 'stepUp' | 'reason' | 'approval' | 'description'> | null;
  /** The step-up that preceded the action: same session, issued for this operation before the event. */
  stepUp: { seq: number; ts: Date; method: string | null; outcome: string } | null;
  /** The first signed checkpoint at or after this event (it commits to it), if any yet. */
  checkpoint: { seq: number; ts: Date; keyId: string } | null;
  sameCorrelation: RelatedEventDTO[];
  sameTarget: RelatedEventDTO[];
  people: Record<string, PersonDTO>;
}

export interface RelatedEventDTO {
  seq: number;
  ts: Date;
  operation: string;
  outcome: string;
  actorId: string | null;
  actorRole: string | null;
}

const RELATED_SELECT = { seq: true, ts: true, operation: true, outcome: true, actorId: true, actorRole: true } as const;

/**
 * One event with what an auditor needs to judge it: the rule that decided and
 * what it says, the policy version, step-up and approval evidence, the signed
 * checkpoint that covers it, and related events (same request, same target).
 * Scoped by the read rule: an event the viewer may not read is "not found".
 */
export async function getAuditEventDetail(viewer: Viewer, seq: number): Promise<AuditEventDetailDTO | null> {
  assertAuditCapability(viewer, 'browse');
  const client = await db();
  const ability = abilityFor(viewer);
  const event = await client.auditEvent.findFirst({ where: scopedWhere(ability, 'read', 'AuditEvent', { seq }) });
  if (!event) return null;

  const related = (filter: Record<string, unknown>) =>
    client.auditEvent.findMany({
      where: scopedWhere(ability, 'read', 'AuditEvent', { ...filter, seq: { not: event.seq } }),
      orderBy: { seq: 'desc' },
      take: RELATED_LIMIT,
      select: RELATED_SELECT,
    });
  // A step-up proof lives AUTHENTICATION_POLICY.stepUpProofTtlMs (and its challenge a little before it), so the
  // step-up event is within that time before the action: a seq range found on the ts index bounds the scan.
  const stepUpFrom =
    event.details.includes('"stepUp":true') && event.actorSessionId
      ? await client.auditEvent.findFirst({
          where: { ts: { gte: new Date(event.ts.getTime() - 2 * AUTHENTICATION_POLICY.stepUpProofTtlMs) } },
          orderBy: [{ ts: 'asc' }, { seq: 'asc' }],
          select: { seq: true },
        })
      : null;
  const [sameCorrelation, sameTarget, checkpoint, stepUps] = await Promise.all([
    related({ correlationId: event.correlationId }),
    event.targetType && event.targetId ? related({ targetType: event.targetType, targetId: event.targetId }) : Promise.resolve([]),
    client.auditCheckpoint.findFirst({
      where: { seq: { gte: event.seq } },
      orderBy: { seq: 'asc' },
      select: { seq: true, ts: true, keyId: true },
    }),
    stepUpFrom && event.actorSessionId
      ? client.auditEvent.findMany({
          where: scopedWhere(ability, 'read', 'AuditEvent', {
            operation: 'auth.step_up',
            // The same actor (indexed with seq) and session: a short backward scan, not every step-up in the trail.
            actorId: event.actorId ?? '',
            actorSessionId: event.actorSessionId,
            seq: { gte: stepUpFrom.seq, lt: event.seq },
          }),
          orderBy: { seq: 'desc' },
          take: 10,
          select: { seq: true, ts: true, details: true, outcome: true },
        })
      : Promise.resolve([]),
  ]);

  const details = parseDetails(event.details);
  const stepUpRow = stepUps.find((s) => s.outcome === 'success' && parseDetails(s.details).forOperation === event.operation) ?? null;
  const op = (OPERATIONS as Record<string, OperationDefinition | undefined>)[event.operation];
  const ids = new Set<string>();
  for (const r of [event, ...sameCorrelation, ...sameTarget]) if (r.actorId) ids.add(r.actorId);
  if (event.targetType === 'User' && event.targetId) ids.add(event.targetId);

  return {
    seq: event.seq,
    id: event.id,
    ts: event.ts,
    actorId: event.actorId,
    actorRole: event.actorRole,
    actorSessionId: event.actorSessionId,
    operation: event.operation,
    targetType: event.targetType,
    targetId: event.targetId,
    outcome: event.outcome,
    reasonCode: event.reasonCode,
    reason: event.reason,
    decision: event.decision,
    ip: event.ip,
    userAgent: event.userAgent,
    correlationId: event.correlationId,
    policyVersion: event.policyVersion,
    hash: event.hash,
    prevHash: event.prevHash,
    details,
    policyChangedSince: event.policyVersion !== POLICY_VERSION,
    explanation: explainDecision(event.decision, event.actorRole, lentRoleOf(details)),
    requirements: op ? { risk: op.risk, stepUp: op.stepUp, reason: op.reason, approval: op.approval, description: op.description } : null,
    stepUp: stepUpRow
      ? {
          seq: stepUpRow.seq,
          ts: stepUpRow.ts,
          method: typeof parseDetails(stepUpRow.details).method === 'string' ? String(parseDetails(stepUpRow.details).method) : null,
          outcome: stepUpRow.outcome,
        }
      : null,
    checkpoint,
    sameCorrelation,
    sameTarget,
    people: await peopleByIds([...ids]),
  };
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** For an event made under an elevation to one operation: the role whose rule was lent. */
function lentRoleOf(details: Record<string, unknown>): string | null {
  const elevation = details.elevation as { scope?: unknown; role?: unknown } | undefined;
  return elevation && elevation.scope === 'operation' && typeof elevation.role === 'string' ? elevation.role : null;
}
