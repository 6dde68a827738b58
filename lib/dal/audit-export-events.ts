import 'server-only';
import {
  AUDIT_EVENT_CSV_COLUMNS,
  auditEventCsvHeader,
  auditEventCsvRow,
  auditEventJsonLine,
  type AuditEventExportRow,
} from '@/lib/audit/csv';
import { recordAudit } from '@/lib/audit/record';
import type { Viewer } from '@/lib/auth/viewer';
import { assertAuditCapability } from '@/lib/authz/audit-access';
import { db } from '@/lib/db';
import { describedFilter, type AuditFilter } from '@/lib/validation/audit-filter';
import { auditHeadSeq, fetchAuditEvents, planAuditQuery } from './audit-query';

/** The formats of the events export (lib/audit/csv.ts). */
export const AUDIT_EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type AuditExportFormat = (typeof AUDIT_EXPORT_FORMATS)[number];

/** Events read per query: memory stays bounded whatever the size of the export. */
const AUDIT_EXPORT_BATCH = 500;

/** Every column, from the one column list the CSV header uses. */
const EXPORT_SELECT = Object.fromEntries(AUDIT_EVENT_CSV_COLUMNS.map((column) => [column, true])) as Record<
  keyof AuditEventExportRow,
  true
>;

const FORMAT_FILES: Record<AuditExportFormat, { extension: string; contentType: string }> = {
  csv: { extension: 'csv', contentType: 'text/csv; charset=utf-8' },
  jsonl: { extension: 'jsonl', contentType: 'application/x-ndjson; charset=utf-8' },
};

/** A started export: what the response headers need, and the body as a pull-based source. */
export interface AuditEventsExport {
  format: AuditExportFormat;
  /** The head of the chain when the export started; no later event is in it. */
  headSeq: number;
  /** ASCII only and free of user input: `warden-audit-events-<headSeq>.<ext>`. */
  filename: string;
  contentType: string;
  /**
   * The body in chunks: for CSV the header record with the first batch, then one
   * chunk per batch of {@link AUDIT_EXPORT_BATCH} events, oldest first. Nothing is
   * read until a chunk is asked for, so a slow client slows the walk and a client
   * that goes away (return()) ends it.
   */
  chunks: AsyncGenerator<string, void, undefined>;
  /** Events written into chunks so far. */
  rows(): number;
}

/**
 * Starts a streamed export of the events a filter matches, as far as the viewer
 * may read them (an admin gets their own actions only: the plan carries the
 * policy's read rule). The end is pinned to the current head, so the export is
 * reproducible from its audit event, and events appended while it streams are
 * not in it.
 *
 * The export is recorded as `audit.export_events` (the viewer as actor, the rule
 * that allowed it, the format, the filter and the head) before anything is
 * returned: if that event cannot be written, this throws and nothing is exported
 * (fail closed).
 *
 * @throws ActionError NOT_FOUND when the viewer may not export.
 */
export async function startAuditEventsExport(viewer: Viewer, filter: AuditFilter, format: AuditExportFormat): Promise<AuditEventsExport> {
  const rule = assertAuditCapability(viewer, 'export');
  const headSeq = await auditHeadSeq();
  const plan = await planAuditQuery(viewer, filter, { headSeq });
  const client = await db();
  await client.$transaction((tx) =>
    recordAudit(tx, {
      actor: { id: viewer.userId, role: viewer.role, sessionId: viewer.sessionId },
      operation: 'audit.export_events',
      target: { type: 'AuditTrail', id: 'events' },
      outcome: 'success',
      decision: rule,
      details: { format, filter: describedFilter(filter), headSeq },
    }),
  );

  let rows = 0;
  async function* walk(): AsyncGenerator<string, void, undefined> {
    const encode = format === 'csv' ? auditEventCsvRow : auditEventJsonLine;
    let out = format === 'csv' ? auditEventCsvHeader() : '';
    let cursor: number | undefined;
    for (;;) {
      const batch: AuditEventExportRow[] = await fetchAuditEvents(plan, {
        direction: 'asc',
        cursor,
        limit: AUDIT_EXPORT_BATCH,
        select: EXPORT_SELECT,
      });
      for (const row of batch) out += encode(row);
      rows += batch.length;
      if (out) yield out;
      out = '';
      // A short batch is the end: fetchAuditEvents fills a batch unless the plan's range is exhausted.
      const last = batch[batch.length - 1];
      if (!last || batch.length < AUDIT_EXPORT_BATCH) return;
      cursor = last.seq;
    }
  }

  const { extension, contentType } = FORMAT_FILES[format];
  return {
    format,
    headSeq,
    filename: `warden-audit-events-${headSeq}.${extension}`,
    contentType,
    chunks: walk(),
    rows: () => rows,
  };
}
