import 'server-only';
import { recordAudit } from '@/lib/audit/record';
import type { Viewer } from '@/lib/auth/viewer';
import { assertAuditCapability } from '@/lib/authz/audit-access';
import { db } from '@/lib/db';
import { describedFilter, type AuditCursor, type AuditFilter } from '@/lib/validation/audit-filter';
import { fetchAuditEvents, planAuditQuery } from './audit-query';
import { peopleByIds, type PersonDTO } from './audit-people';

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
  reason: string | null;
  decision: string | null;
  ip: string | null;
  correlationId: string;
  hash: string;
}

export const AUDIT_PAGE_SIZE = 50;

const ROW_SELECT = {
  seq: true,
  ts: true,
  actorId: true,
  actorRole: true,
  operation: true,
  targetType: true,
  targetId: true,
  outcome: true,
  reasonCode: true,
  reason: true,
  decision: true,
  ip: true,
  correlationId: true,
  hash: true,
} as const;

export interface AuditPage {
  rows: AuditRowDTO[];
  /** Who the actor and target ids on this page are (names, roles). */
  people: Record<string, PersonDTO>;
  /** Cursor for the next (older) page, if there is one. */
  olderBefore?: number;
  /** Cursor for the previous (newer) page, if there is one. */
  newerAfter?: number;
  /** Whether the viewer sees the whole trail or only what the read rule allows them. */
  scope: 'whole_trail' | 'own_actions';
}

/**
 * One page of the audit browser, newest first, with keyset cursors on seq in
 * both directions (a page stays the same while new events arrive: a cursor is a
 * position in the chain, not an offset). See lib/dal/audit-query.ts for how the
 * filter is planned and why it stays fast.
 */
export async function listAuditEvents(viewer: Viewer, filter: AuditFilter, cursor: AuditCursor = {}): Promise<AuditPage> {
  const rule = assertAuditCapability(viewer, 'browse');
  const plan = await planAuditQuery(viewer, filter);
  let rows: AuditRowDTO[];
  if (cursor.after !== undefined && cursor.before === undefined) {
    rows = (
      await fetchAuditEvents(plan, { direction: 'asc', cursor: cursor.after, limit: AUDIT_PAGE_SIZE + 1, select: ROW_SELECT })
    ).reverse();
    // Walking towards the head: the extra row (if any) is the newest, beyond this page.
    const hasNewer = rows.length > AUDIT_PAGE_SIZE;
    if (hasNewer) rows = rows.slice(1);
    const last = rows[rows.length - 1];
    const older = last ? await fetchAuditEvents(plan, { direction: 'desc', cursor: last.seq, limit: 1, select: { seq: true } }) : [];
    return {
      rows,
      people: await peopleOf(rows),
      newerAfter: hasNewer ? rows[0]?.seq : undefined,
      olderBefore: older.length > 0 ? last?.seq : undefined,
      scope: scopeOf(rule),
    };
  }
  rows = await fetchAuditEvents(plan, { direction: 'desc', cursor: cursor.before, limit: AUDIT_PAGE_SIZE + 1, select: ROW_SELECT });
  const hasOlder = rows.length > AUDIT_PAGE_SIZE;
  if (hasOlder) rows = rows.slice(0, AUDIT_PAGE_SIZE);
  const first = rows[0];
  const newer =
    cursor.before !== undefined && first
      ? await fetchAuditEvents(plan, { direction: 'asc', cursor: first.seq, limit: 1, select: { seq: true } })
      : [];
  return {
    rows,
    people: await peopleOf(rows),
    olderBefore: hasOlder ? rows[rows.length - 1]?.seq : undefined,
    newerAfter: newer.length > 0 ? first?.seq : undefined,
    scope: scopeOf(rule),
  };
}

function scopeOf(rule: string): AuditPage['scope'] {
  return rule.endsWith('_own_actions') ? 'own_actions' : 'whole_trail';
}

function peopleOf(rows: AuditRowDTO[]) {
  const ids = new Set<string>();
  for (const r of rows) {
    if (r.actorId) ids.add(r.actorId);
    if (r.targetType === 'User' && r.targetId) ids.add(r.targetId);
  }
  return peopleByIds([...ids]);
}

/** What an `audit.view` event says was looked at. */
export type AuditViewKind = 'browser' | 'event' | 'dashboard';

/**
 * Records that the viewer looked at the trail (audit of the auditors): the view,
 * the filter and the cursor or event. Fail closed: it runs before the page's
 * data is returned, and if it cannot be written the page fails.
 */
export async function recordAuditView(
  viewer: Viewer,
  view: AuditViewKind,
  what: { filter?: AuditFilter; cursor?: AuditCursor; seq?: number; rule: string },
): Promise<void> {
  const client = await db();
  const details: Record<string, unknown> = { view };
  if (what.filter) details.filter = describedFilter(what.filter);
  if (what.cursor?.before !== undefined) details.before = what.cursor.before;
  if (what.cursor?.after !== undefined) details.after = what.cursor.after;
  await client.$transaction((tx) =>
    recordAudit(tx, {
      actor: { id: viewer.userId, role: viewer.role, sessionId: viewer.sessionId },
      operation: 'audit.view',
      target: what.seq !== undefined ? { type: 'AuditEvent', id: String(what.seq) } : { type: 'AuditTrail', id: 'events' },
      outcome: 'success',
      decision: what.rule,
      details,
    }),
  );
}

/** The head of the chain: how many events and the latest hash (whole-trail readers only). */
export async function auditHead(viewer: Viewer) {
  assertAuditCapability(viewer, 'wholeTrail');
  const client = await db();
  return client.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true, ts: true } });
}
