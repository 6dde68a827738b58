import 'server-only';
import fs from 'node:fs';
import {
  AuditExportError,
  exportAuditBundle,
  exportAuditRecord,
  resolveExportRange,
  type ExportBundleResult,
  type RangeEnd,
} from '@/lib/audit/export';
import { recordAudit } from '@/lib/audit/record';
import type { Viewer } from '@/lib/auth/viewer';
import { assertAuditCapability } from '@/lib/authz/audit-access';
import { db } from '@/lib/db';

/** The largest range one console download may hold; larger exports go through `npm run audit:export`. */
export const MAX_BUNDLE_EVENTS = 1_000_000;

/** The requested range cannot be exported (empty, or too large); the message is for the viewer. */
export class BundleRangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleRangeError';
  }
}

/**
 * Writes an export bundle (docs/audit-chain-format.md, "Export bundle") of
 * `from`..`to` into `outDir` for a viewer of the audit area, and records
 * `audit.export` with the viewer as actor, the range and the manifest hash — as
 * `npm run audit:export` does for the operator. Fail closed (SECURITY.md T42): if
 * the event cannot be written the bundle's files are removed and the error is
 * rethrown, so no unaudited bundle is handed out.
 *
 * @throws BundleRangeError when the range holds no event or more than MAX_BUNDLE_EVENTS.
 */
export async function exportAuditBundleFor(
  viewer: Viewer,
  range: { from: RangeEnd; to: RangeEnd; outDir: string },
): Promise<ExportBundleResult> {
  assertAuditCapability(viewer, 'verify');
  const client = await db();
  let seqs: { fromSeq: number; toSeq: number };
  try {
    seqs = await resolveExportRange(client, range.from, range.to);
  } catch (error) {
    if (error instanceof AuditExportError) throw new BundleRangeError(error.message.replace('check --from and --to', 'check from and to'));
    throw error;
  }
  const events = seqs.toSeq - seqs.fromSeq + 1;
  if (events > MAX_BUNDLE_EVENTS) {
    throw new BundleRangeError(
      `The range holds ${events} events; one download may hold at most ${MAX_BUNDLE_EVENTS}. Export a smaller range, or run npm run audit:export on the server.`,
    );
  }
  // Seqs, not the raw ends: the bundle is exactly the range just checked against the limit.
  const result = await exportAuditBundle(client, { from: seqs.fromSeq, to: seqs.toSeq, outDir: range.outDir });
  try {
    await client.$transaction((tx) =>
      recordAudit(tx, {
        ...exportAuditRecord(result),
        actor: { id: viewer.userId, role: viewer.role, sessionId: viewer.sessionId },
        decision: 'console.audit_bundle',
      }),
    );
  } catch (error) {
    fs.rmSync(result.dir, { recursive: true, force: true });
    throw error;
  }
  return result;
}
