import 'server-only';
import fs from 'node:fs';
import { readPublicKeysIfAny } from '@/lib/audit/signing-keys';
import type { IntegrityReport } from '@/lib/audit/verify-checkpoints';
import { verifyAuditIntegrity } from '@/lib/audit/verify-sources';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { db } from '@/lib/db';
import { env } from '@/lib/env';
import { recordAuthorized } from './audit-details';

/** The result of a verification as the audit page shows it. */
export interface TrailVerificationDTO {
  ok: boolean;
  events: number;
  headSeq: number | null;
  checkpoints: { database: number; external: number | null; verified: number; keyIds: string[]; newestSeq: number | null };
  /** The first problem, when not intact. */
  finding: { attackClass: string; firstBadSeq: number; problem: string; detail: string } | null;
  notes: string[];
}

// One verification at a time per server: a full replay reads every event (about
// 30 s per million on a small machine), and a second one would only repeat it.
let running = false;

/**
 * Replays the whole trail against its signed checkpoints and the external log —
 * what `npm run audit:verify` does — with the server's published keys, and
 * records the verification and its result in the trail. For keys pinned out of
 * band, auditors run the CLI or the standalone verifier instead (the page says so).
 */
export async function verifyTrailNow(authz: Authorization): Promise<TrailVerificationDTO> {
  if (running) throw new ActionError('CONFLICT', 'A verification is already running. Wait for it to finish, then try again.');
  running = true;
  try {
    const config = env();
    const keys = readPublicKeysIfAny(config.WARDEN_AUDIT_PUBLIC_KEYS_FILE);
    const externalDir = fs.existsSync(config.WARDEN_AUDIT_CHECKPOINT_DIR) ? config.WARDEN_AUDIT_CHECKPOINT_DIR : null;
    const client = await db();
    const report = await verifyAuditIntegrity(client, { externalDir, publicKeys: keys?.keys ?? [] });
    if (!keys) report.notes.push('no published public keys were found: checkpoints could not be checked');
    if (!externalDir) report.notes.push('no external checkpoint log on this server: truncation and rollback cannot be detected');
    report.notes.push('keys are the server’s published ones; pin your own copy with the CLI or the standalone verifier');
    const result = toDTO(report);
    await client.$transaction((tx) =>
      recordAuthorized(tx, authz, {
        target: null,
        details: {
          intact: result.ok,
          events: result.events,
          headSeq: result.headSeq,
          checkpointsVerified: result.checkpoints.verified,
          ...(result.finding ? { attackClass: result.finding.attackClass, firstBadSeq: result.finding.firstBadSeq } : {}),
        },
      }),
    );
    return result;
  } finally {
    running = false;
  }
}

function toDTO(report: IntegrityReport): TrailVerificationDTO {
  const chain = report.chain;
  const first = report.findings[0];
  return {
    ok: report.ok,
    events: chain.count,
    headSeq: chain.ok ? chain.headSeq : null,
    checkpoints: {
      database: report.checkpoints.database,
      external: report.checkpoints.external,
      verified: report.checkpoints.verified,
      keyIds: report.checkpoints.keyIds,
      newestSeq: report.checkpoints.newest?.seq ?? null,
    },
    finding: first
      ? { attackClass: first.attackClass, firstBadSeq: first.firstBadSeq, problem: first.problem, detail: first.detail }
      : null,
    notes: report.notes,
  };
}
