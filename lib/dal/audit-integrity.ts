import 'server-only';
import { storedCheckpointFromRow, verifyCheckpointSignature } from '@/lib/audit/checkpoint-format';
import { lastExternalCheckpoint } from '@/lib/audit/external-log';
import { readPublicKeysIfAny } from '@/lib/audit/signing-keys';
import type { Viewer } from '@/lib/auth/viewer';
import { assertAuditCapability } from '@/lib/authz/audit-access';
import { db } from '@/lib/db';
import { env } from '@/lib/env';

/**
 * A read-only integrity summary for the audit page: the newest signed checkpoint
 * (docs/audit-chain-format.md, "Checkpoints") checked on its own — signature under
 * the published keys, headHash against the event at its seq — and how much of the
 * trail it covers. Not the full verification (`npm run audit:verify`), which
 * replays every event; this costs three indexed reads and one signature check.
 */
export interface AuditIntegritySummaryDTO {
  head: { seq: number; ts: Date } | null;
  checkpoint: {
    seq: number;
    ts: Date;
    keyId: string;
    /** The signature verifies under the published keys (not the auditor's pinned file). */
    isSignatureValid: boolean;
    /** The event at its seq still has the hash it signed. */
    isMatchingEvent: boolean;
  } | null;
  /** Events after the newest checkpoint: linked, not yet covered by a signature. */
  eventsSinceCheckpoint: number;
  /** The newest seq in the external log, or null when there is no log on this server. */
  externalLogSeq: number | null;
  /** The published checkpoint keys (ids and validity), newest last; null when none are published. */
  keys: { keyId: string; validFrom: string; validUntil: string | null }[] | null;
  /** The most recent "verify now" from the console (audit.verify), with its result. */
  lastVerification: {
    seq: number;
    ts: Date;
    actorId: string | null;
    intact: boolean;
    events: number | null;
    attackClass: string | null;
    firstBadSeq: number | null;
  } | null;
}

function publishedKeys(): AuditIntegritySummaryDTO['keys'] {
  try {
    return readPublicKeysIfAny()?.keys.map((k) => ({ keyId: k.keyId, validFrom: k.validFrom, validUntil: k.validUntil })) ?? null;
  } catch {
    return null; // unreadable: shown as "no published keys"
  }
}

async function lastVerification(client: Awaited<ReturnType<typeof db>>): Promise<AuditIntegritySummaryDTO['lastVerification']> {
  const row = await client.auditEvent.findFirst({
    where: { operation: 'audit.verify', outcome: 'success' },
    orderBy: { seq: 'desc' },
    select: { seq: true, ts: true, actorId: true, details: true },
  });
  if (!row) return null;
  let d: Record<string, unknown> = {};
  try {
    d = JSON.parse(row.details) as Record<string, unknown>;
  } catch {
    d = {};
  }
  return {
    seq: row.seq,
    ts: row.ts,
    actorId: row.actorId,
    intact: d.intact === true,
    events: typeof d.events === 'number' ? d.events : null,
    attackClass: typeof d.attackClass === 'string' ? d.attackClass : null,
    firstBadSeq: typeof d.firstBadSeq === 'number' ? d.firstBadSeq : null,
  };
}

/** See {@link AuditIntegritySummaryDTO}. Auditors and superadmins only (the audit area). */
export async function auditIntegritySummary(viewer: Viewer): Promise<AuditIntegritySummaryDTO> {
  assertAuditCapability(viewer, 'verify');
  const client = await db();
  const [head, row, verification] = await Promise.all([
    client.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, ts: true } }),
    client.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' } }),
    lastVerification(client),
  ]);
  const keys = publishedKeys();
  let externalLogSeq: number | null = null;
  try {
    externalLogSeq = lastExternalCheckpoint(env().WARDEN_AUDIT_CHECKPOINT_DIR)?.seq ?? null;
  } catch {
    externalLogSeq = null; // unreadable: shown as "no external log here"
  }
  if (!row) return { head, checkpoint: null, eventsSinceCheckpoint: head?.seq ?? 0, externalLogSeq, keys, lastVerification: verification };

  const event = await client.auditEvent.findUnique({ where: { seq: row.seq }, select: { hash: true } });
  let isSignatureValid = false;
  try {
    const keys = readPublicKeysIfAny();
    isSignatureValid = keys !== null && verifyCheckpointSignature(storedCheckpointFromRow(row), keys).ok;
  } catch {
    isSignatureValid = false;
  }
  return {
    head,
    checkpoint: { seq: row.seq, ts: row.ts, keyId: row.keyId, isSignatureValid, isMatchingEvent: event?.hash === row.headHash },
    eventsSinceCheckpoint: Math.max(0, (head?.seq ?? 0) - row.seq),
    externalLogSeq,
    keys,
    lastVerification: verification,
  };
}
