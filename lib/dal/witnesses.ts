import 'server-only';
import { lockAuditChain } from '@/lib/audit/append';
import { canonicalize } from '@/lib/audit/canonical-json';
import { storedCheckpointFromRow, type StoredCheckpoint } from '@/lib/audit/checkpoint-format';
import { recordAudit, type AuditActor } from '@/lib/audit/record';
import { verifyCosignature, type Cosignature } from '@/lib/audit/witness-format';
import type { Viewer } from '@/lib/auth/viewer';
import { assertAuditCapability } from '@/lib/authz/audit-access';
import { CHECKPOINT_SEQ_MAX } from '@/lib/validation/witness';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { db } from '@/lib/db';
import { assertActorStillLive, recordAuthorized } from './audit-details';

/**
 * Witness cosigning (docs/audit-chain-format.md, "Witness cosignatures"): auditors
 * register Ed25519 witness public keys (the private keys stay on their machines),
 * and cosignatures of checkpoints by those keys are stored append-only next to the
 * checkpoints. A cosignature is self-authenticating: it is accepted from the
 * console (an auditor's upload) or from the witness process without a session, but
 * only if it verifies under a registered, unrevoked key over the digest stored for
 * its seq. A valid signature over another digest (or a seq with no checkpoint) is a
 * fork claim: refused and recorded as a security event.
 */

/** A cosignature can be signed at most this far in the future of the server's clock. */
export const COSIGNATURE_MAX_SKEW_MS = 5 * 60_000;

export type CosignOutcome =
  | { status: 'accepted'; seq: number; witnessKeyId: string; eventSeq: number }
  | { status: 'duplicate'; seq: number; witnessKeyId: string }
  | {
      status: 'refused';
      reason: 'unknown_witness' | 'revoked_witness' | 'bad_signature' | 'ts_in_future' | 'fork_claim';
      message: string;
    };

/** The HTTP status of a refusal (POST /api/audit/cosignatures). */
export function cosignRefusalStatus(reason: Extract<CosignOutcome, { status: 'refused' }>['reason']): number {
  switch (reason) {
    case 'unknown_witness':
      return 404;
    case 'revoked_witness':
      return 403;
    case 'fork_claim':
      return 409;
    default:
      return 422;
  }
}

/** Who sent a cosignature: an auditor in the console (with the authorization defineAction made), or the witness itself. */
export type CosignSource = { via: 'console'; authz: Authorization } | { via: 'api' };

/**
 * Verifies and stores one cosignature. Nothing is stored unless it verifies under a
 * registered, unrevoked witness key over the digest stored for its seq; an accepted
 * one is audited (`checkpoint.cosign`, actor null from the API) in the same
 * transaction; a fork claim is audited as denied (reasonCode fork_claim) in its own.
 */
export async function acceptCosignature(c: Cosignature, source: CosignSource): Promise<CosignOutcome> {
  const client = await db();
  const key = await client.witnessKey.findUnique({ where: { id: c.witnessKeyId } });
  if (!key)
    return refuse(
      'unknown_witness',
      `Witness key ${c.witnessKeyId} is not registered. An auditor registers it on the Integrity page first.`,
    );
  if (key.revokedAt)
    return refuse('revoked_witness', `Witness key ${c.witnessKeyId} was revoked; its cosignatures are no longer accepted.`);
  if (!verifyCosignature(c, key.publicKey))
    return refuse(
      'bad_signature',
      `The signature does not verify under witness key ${c.witnessKeyId}: it was not made by that key over this digest, seq and time.`,
    );
  if (Date.parse(c.ts) > now().getTime() + COSIGNATURE_MAX_SKEW_MS)
    return refuse(
      'ts_in_future',
      `The cosignature is dated ${c.ts}, in the future of this server's clock; check the witness machine's clock.`,
    );

  // A seq beyond the column's range has no checkpoint (and would be a database error as a query parameter).
  const checkpoint =
    c.seq > CHECKPOINT_SEQ_MAX
      ? null
      : await client.auditCheckpoint.findUnique({ where: { seq: c.seq }, select: { seq: true, digest: true } });
  if (!checkpoint || checkpoint.digest !== c.digest) {
    const stored = checkpoint
      ? `the stored checkpoint at seq ${c.seq} has digest ${checkpoint.digest}`
      : `there is no checkpoint at seq ${c.seq}`;
    await client.$transaction((tx) =>
      recordAudit(tx, {
        actor: actorOf(source),
        operation: 'checkpoint.cosign',
        target: { type: 'AuditCheckpoint', id: String(c.seq) },
        outcome: 'denied',
        reasonCode: 'fork_claim',
        decision: 'witness.fork_claim',
        details: {
          via: source.via,
          witnessKeyId: c.witnessKeyId,
          seq: c.seq,
          claimedDigest: c.digest,
          storedDigest: checkpoint?.digest ?? null,
          ts: c.ts,
        },
      }),
    );
    return refuse(
      'fork_claim',
      `Refused and recorded as a security event: witness ${c.witnessKeyId} validly signed digest ${c.digest} for seq ${c.seq}, but ${stored}. Two different heads for one seq: investigate (docs/runbooks/alert-audit-witness-fork.md).`,
    );
  }

  const existing = await client.checkpointCosignature.findUnique({
    where: { checkpointSeq_witnessKeyId: { checkpointSeq: c.seq, witnessKeyId: c.witnessKeyId } },
    select: { id: true },
  });
  if (existing) return { status: 'duplicate', seq: c.seq, witnessKeyId: c.witnessKeyId };
  try {
    return await client.$transaction(async (tx) => {
      // The chain lock first (a revocation takes it to record itself): a revocation in flight commits before the
      // re-read below, so it wins, and a cosignature is never recorded after its key's revocation.
      await lockAuditChain(tx);
      if (source.via === 'console') await assertActorStillLive(tx, source.authz);
      // Re-read inside the transaction: a revocation that committed meanwhile wins.
      const live = await tx.witnessKey.findFirst({ where: { id: c.witnessKeyId, revokedAt: null }, select: { id: true } });
      if (!live) throw new RevokedMeanwhile();
      await tx.checkpointCosignature.create({
        data: {
          checkpointSeq: c.seq,
          digest: c.digest,
          witnessKeyId: c.witnessKeyId,
          signature: c.signature,
          ts: new Date(c.ts),
          receivedAt: now(),
        },
      });
      const details = { via: source.via, witnessKeyId: c.witnessKeyId, seq: c.seq, digest: c.digest, ts: c.ts };
      const target = { type: 'AuditCheckpoint', id: String(c.seq) };
      const event =
        source.via === 'console'
          ? await recordAuthorized(tx, source.authz, { target, details })
          : await recordAudit(tx, {
              actor: null,
              operation: 'checkpoint.cosign',
              target,
              outcome: 'success',
              decision: 'witness.self_authenticating',
              details,
            });
      return { status: 'accepted' as const, seq: c.seq, witnessKeyId: c.witnessKeyId, eventSeq: event.seq };
    });
  } catch (error) {
    if (error instanceof RevokedMeanwhile)
      return refuse('revoked_witness', `Witness key ${c.witnessKeyId} was revoked; its cosignatures are no longer accepted.`);
    if ((error as { code?: string }).code === 'P2002') return { status: 'duplicate', seq: c.seq, witnessKeyId: c.witnessKeyId };
    throw error;
  }
}

class RevokedMeanwhile extends Error {}

function refuse(reason: Extract<CosignOutcome, { status: 'refused' }>['reason'], message: string): CosignOutcome {
  return { status: 'refused', reason, message };
}

function actorOf(source: CosignSource): AuditActor | null {
  if (source.via === 'api') return null;
  const v = source.authz.viewer;
  return { id: v.userId, role: v.role, sessionId: v.sessionId };
}

/** Registers a witness public key (witness.register). A key id that exists (even revoked) cannot be registered again. */
export async function registerWitnessKey(authz: Authorization, input: { name: string; publicKey: string; keyId: string }) {
  const client = await db();
  return client.$transaction(async (tx) => {
    // The chain lock first: two registrations of one key run one after the other, so the second is a CONFLICT, not a unique violation.
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const existing = await tx.witnessKey.findFirst({
      where: { OR: [{ id: input.keyId }, { publicKey: input.publicKey }] },
      select: { revokedAt: true },
    });
    if (existing)
      throw new ActionError(
        'CONFLICT',
        existing.revokedAt
          ? 'This witness key was revoked; a revoked key is never registered again. Make a new one with warden-witness.mjs keygen.'
          : 'This witness key is already registered.',
      );
    const at = now();
    await tx.witnessKey.create({
      data: { id: input.keyId, publicKey: input.publicKey, name: input.name, registeredById: authz.viewer.userId, registeredAt: at },
    });
    const event = await recordAuthorized(tx, authz, {
      target: { type: 'WitnessKey', id: input.keyId },
      details: { name: input.name, publicKey: input.publicKey },
    });
    return { keyId: input.keyId, seq: event.seq };
  });
}

/** Revokes a witness key (witness.revoke): its cosignatures stay, new ones are refused. */
export async function revokeWitnessKey(authz: Authorization, input: { keyId: string }) {
  const client = await db();
  return client.$transaction(async (tx) => {
    await assertActorStillLive(tx, authz);
    const key = await tx.witnessKey.findUnique({ where: { id: input.keyId }, select: { name: true, revokedAt: true } });
    if (!key) throw new ActionError('NOT_FOUND', 'That witness key is not registered.');
    const at = now();
    const revoked = await tx.witnessKey.updateMany({
      where: { id: input.keyId, revokedAt: null },
      data: { revokedAt: at, revokedById: authz.viewer.userId },
    });
    if (revoked.count !== 1) throw new ActionError('CONFLICT', 'This witness key is already revoked. Nothing was changed.');
    const event = await recordAuthorized(tx, authz, {
      target: { type: 'WitnessKey', id: input.keyId },
      details: { name: key.name },
    });
    return { keyId: input.keyId, seq: event.seq };
  });
}

/** GET /api/audit/checkpoints: checkpoints with seq > after, in order, with every signed member (hashes only; no personal data). */
export const CHECKPOINT_LIST_FORMAT = 'warden.checkpoints.v1';

export interface CheckpointList {
  format: typeof CHECKPOINT_LIST_FORMAT;
  checkpoints: StoredCheckpoint[];
  /** The newest checkpoint on the server (so a witness sees a rollback even with an empty page). */
  newest: { seq: number; digest: string } | null;
  /** More checkpoints follow: ask again with after = the last seq of this page. */
  more: boolean;
}

export async function listCheckpointsAfter(after: number, limit: number): Promise<CheckpointList> {
  const client = await db();
  // The newest first, then the page: a checkpoint made in between extends the page past `newest` (which the witness
  // accepts), never the other way round (a `newest` beyond the page's end, which the witness reports as a rollback).
  const newest = await client.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, digest: true } });
  const rows = await client.auditCheckpoint.findMany({ where: { seq: { gt: after } }, orderBy: { seq: 'asc' }, take: limit + 1 });
  return {
    format: CHECKPOINT_LIST_FORMAT,
    checkpoints: rows.slice(0, limit).map((row) => storedCheckpointFromRow(row)),
    newest,
    more: rows.length > limit,
  };
}

/** The canonical JSON of one checkpoint, as the console shows it for "cosign offline". */
export function checkpointJson(stored: StoredCheckpoint): string {
  return canonicalize(stored);
}

export interface WitnessKeyDTO {
  keyId: string;
  name: string;
  publicKey: string;
  registeredAt: Date;
  registeredBy: string;
  revokedAt: Date | null;
  revokedBy: string | null;
  cosignatures: number;
  lastCosignedSeq: number | null;
}

export interface WitnessSummaryDTO {
  keys: WitnessKeyDTO[];
  /** The newest checkpoint that carries a cosignature, and by which keys. */
  latestWitnessed: { seq: number; checkpointTs: Date; cosignedAt: Date; witnessKeyIds: string[] } | null;
  /** The newest checkpoint, and whether it is cosigned. */
  newestCheckpoint: { seq: number; ts: Date; witnessed: boolean; json: string } | null;
}

/** The Witnesses section of the integrity page. Auditors and superadmins (the audit area's verify capability). */
export async function witnessSummary(viewer: Viewer): Promise<WitnessSummaryDTO> {
  assertAuditCapability(viewer, 'verify');
  const client = await db();
  const [keys, latest, newest] = await Promise.all([
    client.witnessKey.findMany({ orderBy: [{ registeredAt: 'asc' }, { id: 'asc' }] }),
    client.checkpointCosignature.findFirst({
      orderBy: [{ checkpointSeq: 'desc' }, { receivedAt: 'asc' }],
      select: { checkpointSeq: true },
    }),
    client.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' } }),
  ]);
  const people = new Set(keys.flatMap((k) => [k.registeredById, k.revokedById].filter((x): x is string => !!x)));
  const users = await client.user.findMany({ where: { id: { in: [...people] } }, select: { id: true, name: true } });
  const nameOf = (id: string | null) => (id ? (users.find((u) => u.id === id)?.name ?? id) : null);
  const stats = await client.checkpointCosignature.groupBy({
    by: ['witnessKeyId'],
    _count: { _all: true },
    _max: { checkpointSeq: true },
  });
  let latestWitnessed: WitnessSummaryDTO['latestWitnessed'] = null;
  if (latest) {
    const [rows, checkpoint] = await Promise.all([
      client.checkpointCosignature.findMany({
        where: { checkpointSeq: latest.checkpointSeq },
        orderBy: { receivedAt: 'asc' },
        select: { witnessKeyId: true, receivedAt: true },
      }),
      client.auditCheckpoint.findUniqueOrThrow({ where: { seq: latest.checkpointSeq }, select: { ts: true } }),
    ]);
    latestWitnessed = {
      seq: latest.checkpointSeq,
      checkpointTs: checkpoint.ts,
      cosignedAt: rows[0]!.receivedAt,
      witnessKeyIds: rows.map((r) => r.witnessKeyId),
    };
  }
  return {
    keys: keys.map((k) => {
      const s = stats.find((x) => x.witnessKeyId === k.id);
      return {
        keyId: k.id,
        name: k.name,
        publicKey: k.publicKey,
        registeredAt: k.registeredAt,
        registeredBy: nameOf(k.registeredById) ?? k.registeredById,
        revokedAt: k.revokedAt,
        revokedBy: nameOf(k.revokedById),
        cosignatures: s?._count._all ?? 0,
        lastCosignedSeq: s?._max.checkpointSeq ?? null,
      };
    }),
    latestWitnessed,
    newestCheckpoint: newest
      ? {
          seq: newest.seq,
          ts: newest.ts,
          witnessed: latestWitnessed?.seq === newest.seq,
          json: checkpointJson(storedCheckpointFromRow(newest)),
        }
      : null,
  };
}
