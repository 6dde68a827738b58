import 'server-only';
import type { Viewer } from '@/lib/auth/viewer';
import { abilityFor, scopedWhere } from '@/lib/authz/ability';
import { assertArea } from '@/lib/authz/areas';
import { db } from '@/lib/db';
import type { AuditListQuery } from '@/lib/validation/lists';

export interface AuditRowDTO {
  seq: number;
  ts: Date;
  actorId: string | null;
  actorRole: string | null;
  operation: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  reasonCode: string | null;
  ip: string | null;
  correlationId: string;
  hash: string;
}

export const AUDIT_PAGE_SIZE = 50;

/** Newest-first audit events with keyset pagination on seq (stays fast on large trails). */
export async function listAuditEvents(viewer: Viewer, query: AuditListQuery) {
  assertArea(viewer, 'audit');
  const client = await db();
  // The area check says who may open the page; the rules say which events they see.
  const rows = await client.auditEvent.findMany({
    where: scopedWhere(abilityFor(viewer), 'read', 'AuditEvent', {
      ...(query.before ? { seq: { lt: query.before } } : {}),
      ...(query.operation ? { operation: query.operation } : {}),
      ...(query.outcome ? { outcome: query.outcome } : {}),
      ...(query.actor ? { actorId: query.actor } : {}),
    }),
    orderBy: { seq: 'desc' },
    take: AUDIT_PAGE_SIZE + 1,
    select: {
      seq: true,
      ts: true,
      actorId: true,
      actorRole: true,
      operation: true,
      targetType: true,
      targetId: true,
      outcome: true,
      reasonCode: true,
      ip: true,
      correlationId: true,
      hash: true,
    },
  });
  const hasMore = rows.length > AUDIT_PAGE_SIZE;
  const page: AuditRowDTO[] = rows.slice(0, AUDIT_PAGE_SIZE);
  return { rows: page, nextBefore: hasMore ? page[page.length - 1]?.seq : undefined };
}

/** The head of the chain: how many events and the latest hash. */
export async function auditHead(viewer: Viewer) {
  assertArea(viewer, 'audit');
  const client = await db();
  const head = await client.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true, ts: true } });
  return head;
}
