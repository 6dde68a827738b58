import 'server-only';
import type { Viewer } from '@/lib/auth/viewer';
import { abilityFor, scopedWhere } from '@/lib/authz/ability';
import { now } from '@/lib/clock';
import { dbHandle, type Db } from '@/lib/db';
import type { DbProvider } from '@/lib/db/url';
import { resolveWindow, type AuditFilter, type ResolvedWindow } from '@/lib/validation/audit-filter';

/**
 * How the audit browser, the exports and the dashboards' drill-downs find the
 * events a filter names, fast on a 1,000,000-event trail:
 *
 * - The time window becomes a seq range: `ts` never decreases along the chain
 *   (lib/audit/append), so "from <= ts < to" is exactly "seqLo <= seq < seqHi",
 *   and each end costs one lookup on the ts index.
 * - Every other field is an equality with an index that ends in seq
 *   (prisma/models.prisma), so a page is an ordered index range scan that stops
 *   after one page, whatever the trail's size.
 * - Full-text search over the reason asks the FTS index (SQLite FTS5, PostgreSQL
 *   GIN) for candidate seqs in order, a chunk at a time, and applies the other
 *   fields to each chunk until the page is full.
 * - What the viewer may read at all is the policy's read rule on AuditEvent,
 *   added to every query by scopedWhere (an admin sees their own actions only).
 */

/**
 * Candidate seqs asked of the full-text index per round. They become bound
 * parameters of the next query (`seq IN (…)`), which must stay well under the
 * driver's parameter limit together with the other filters.
 */
const FTS_CHUNK = 500;

/** A filter turned into a query: the where clause and the seq range, or nothing can match. */
export interface AuditQueryPlan {
  provider: DbProvider;
  client: Db;
  /** Field filters and the viewer's read rule (no seq bounds). */
  where: Record<string, unknown>;
  /** Inclusive lower seq bound from the window start. */
  seqLo: number;
  /** Exclusive upper seq bound from the window end (or the pinned head + 1). */
  seqHi: number;
  /** Sanitised full-text tokens, or null. */
  tokens: string[] | null;
  /** The filter cannot match anything (an unknown actor email, a window after the head). */
  empty: boolean;
  window: ResolvedWindow;
}

/** Tokens for full-text search: runs of letters and digits, as both FTS tokenizers see them. */
export function searchTokens(q: string | undefined): string[] | null {
  if (!q) return null;
  const tokens = (q.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 8).map((t) => t.toLowerCase().slice(0, 64));
  return tokens.length > 0 ? tokens : null;
}

/**
 * Plans a filtered query for a viewer. `headSeq` pins the upper end (exports
 * pin it when they start so that they are reproducible).
 */
export async function planAuditQuery(viewer: Viewer, filter: AuditFilter, options: { headSeq?: number } = {}): Promise<AuditQueryPlan> {
  const { db: client, provider } = await dbHandle();
  const window = resolveWindow(filter, now());
  const fields: Record<string, unknown> = {};
  let empty = false;
  if (filter.actor) {
    if (filter.actor.includes('@')) {
      const user = await client.user.findFirst({ where: { email: filter.actor.toLowerCase() }, select: { id: true } });
      if (user) fields.actorId = user.id;
      else empty = true;
    } else {
      fields.actorId = filter.actor;
    }
  }
  if (filter.role) fields.actorRole = filter.role;
  if (filter.operation) fields.operation = filter.operation;
  if (filter.targetType) fields.targetType = filter.targetType;
  if (filter.targetId) fields.targetId = filter.targetId;
  if (filter.outcome) fields.outcome = filter.outcome;
  if (filter.correlationId) fields.correlationId = filter.correlationId;
  if (filter.ip) fields.ip = filter.ip;

  let seqLo = 1;
  let seqHi = options.headSeq !== undefined ? options.headSeq + 1 : Number.MAX_SAFE_INTEGER;
  if (window.from) {
    const first = await client.auditEvent.findFirst({
      where: { ts: { gte: window.from } },
      orderBy: [{ ts: 'asc' }, { seq: 'asc' }],
      select: { seq: true },
    });
    if (first) seqLo = first.seq;
    else empty = true;
  }
  if (window.to) {
    const after = await client.auditEvent.findFirst({
      where: { ts: { gte: window.to } },
      orderBy: [{ ts: 'asc' }, { seq: 'asc' }],
      select: { seq: true },
    });
    if (after) seqHi = Math.min(seqHi, after.seq);
  }
  if (seqLo >= seqHi) empty = true;
  const where = scopedWhere(abilityFor(viewer), 'read', 'AuditEvent', fields);
  return { provider, client, where, seqLo, seqHi, tokens: searchTokens(filter.q), empty, window };
}

/**
 * Up to `limit` events of the plan strictly beyond `cursor` in `direction`
 * (desc: seq < cursor, newest first; asc: seq > cursor, oldest first).
 */
export async function fetchAuditEvents<S extends Record<string, boolean>>(
  plan: AuditQueryPlan,
  options: { direction: 'asc' | 'desc'; cursor?: number; limit: number; select: S },
) {
  type Row = Awaited<ReturnType<typeof findRows<S>>>[number];
  if (plan.empty || options.limit <= 0) return [] as Row[];
  const { direction, limit, select } = options;
  // [lo, hi): the seq range still to search.
  let lo = plan.seqLo;
  let hi = plan.seqHi;
  if (options.cursor !== undefined) {
    if (direction === 'desc') hi = Math.min(hi, options.cursor);
    else lo = Math.max(lo, options.cursor + 1);
  }
  if (lo >= hi) return [] as Row[];
  if (!plan.tokens) return findRows(plan, { seq: range(lo, hi) }, direction, limit, select);

  const out: Row[] = [];
  for (;;) {
    const candidates = await ftsCandidates(plan, plan.tokens, lo, hi, direction, FTS_CHUNK);
    if (candidates.length === 0) break;
    const rows = await findRows(plan, { seq: { in: candidates } }, direction, limit - out.length, select);
    out.push(...rows);
    if (out.length >= limit || candidates.length < FTS_CHUNK) break;
    if (direction === 'desc') hi = candidates[candidates.length - 1]!;
    else lo = candidates[candidates.length - 1]! + 1;
  }
  return out;
}

function range(lo: number, hi: number) {
  return hi >= Number.MAX_SAFE_INTEGER ? { gte: lo } : { gte: lo, lt: hi };
}

async function findRows<S extends Record<string, boolean>>(
  plan: AuditQueryPlan,
  seq: Record<string, unknown>,
  direction: 'asc' | 'desc',
  take: number,
  select: S,
) {
  return plan.client.auditEvent.findMany({
    where: { AND: [plan.where, seq] },
    orderBy: { seq: direction },
    take,
    select,
  });
}

/** Seqs whose reason matches every token (as a prefix), within [lo, hi), in order. */
async function ftsCandidates(
  plan: AuditQueryPlan,
  tokens: string[],
  lo: number,
  hi: number,
  direction: 'asc' | 'desc',
  limit: number,
): Promise<number[]> {
  // seq is a 32-bit integer column on PostgreSQL: an open upper end is its maximum.
  const upper = Math.min(hi, 2_147_483_647);
  let rows: { seq: number | bigint }[];
  if (plan.provider === 'postgres') {
    const query = tokens.map((t) => `${t}:*`).join(' & ');
    rows =
      direction === 'desc'
        ? await plan.client
            .$queryRaw`SELECT "seq" FROM "AuditEvent" WHERE to_tsvector('simple', regexp_replace(coalesce("reason", ''), '[^[:alnum:]]+', ' ', 'g')) @@ to_tsquery('simple', ${query}) AND "seq" >= ${lo} AND "seq" < ${upper} ORDER BY "seq" DESC LIMIT ${limit}`
        : await plan.client
            .$queryRaw`SELECT "seq" FROM "AuditEvent" WHERE to_tsvector('simple', regexp_replace(coalesce("reason", ''), '[^[:alnum:]]+', ' ', 'g')) @@ to_tsquery('simple', ${query}) AND "seq" >= ${lo} AND "seq" < ${upper} ORDER BY "seq" ASC LIMIT ${limit}`;
  } else {
    // Each token is a quoted FTS5 string (quotes doubled) with a prefix star: no
    // FTS5 operator in the input can reach the query syntax.
    const match = tokens.map((t) => `"${t.replaceAll('"', '""')}"*`).join(' ');
    rows =
      direction === 'desc'
        ? await plan.client
            .$queryRaw`SELECT rowid AS "seq" FROM "AuditReasonFts" WHERE "AuditReasonFts" MATCH ${match} AND rowid >= ${lo} AND rowid < ${upper} ORDER BY rowid DESC LIMIT ${limit}`
        : await plan.client
            .$queryRaw`SELECT rowid AS "seq" FROM "AuditReasonFts" WHERE "AuditReasonFts" MATCH ${match} AND rowid >= ${lo} AND rowid < ${upper} ORDER BY rowid ASC LIMIT ${limit}`;
  }
  return rows.map((r) => Number(r.seq));
}

/** The seq of the newest event (the head of the chain), or 0 for an empty trail. */
export async function auditHeadSeq(): Promise<number> {
  const { db: client } = await dbHandle();
  const head = await client.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
  return head?.seq ?? 0;
}
