import 'server-only';
import { lockAuditChain } from '@/lib/audit/append';
import { loadSigningKey } from '@/lib/audit/key-store';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { db, type Tx } from '@/lib/db';
import { assertActorStillLive, recordAuthorized } from './audit-details';

/** How long an executed rotation authorization can be used by `audit:keys rotate --approval`. */
export const KEY_ROTATION_AUTHORIZATION_MS = 24 * 60 * 60 * 1000;

/**
 * The execution of an approved `audit.authorize_key_rotation`: nothing changes
 * but the trail (its event, carrying the approval) and the request's state
 * (executed), which the command line then consumes once.
 */
export async function authorizeKeyRotation(authz: Authorization): Promise<{ approvalId: string | null; validUntil: string }> {
  if (!authz.approval) throw new Error('audit.authorize_key_rotation ran without an approval');
  const key = loadSigningKey();
  if (!key) throw new ActionError('CONFLICT', 'No checkpoint signing key is configured, so there is nothing to rotate.');
  const validUntil = new Date(now().getTime() + KEY_ROTATION_AUTHORIZATION_MS).toISOString();
  const client = await db();
  await client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    await recordAuthorized(tx, authz, {
      target: { type: 'AuditSigningKey', id: key.keyId },
      details: { keyId: key.keyId, validUntil, command: `npm run audit:keys -- rotate --approval ${authz.approval!.id}` },
    });
  });
  return { approvalId: authz.approval.id, validUntil };
}

/**
 * Used by the rotation itself (lib/audit/signing-keys.ts), inside its
 * transaction: claims an executed, unused key-rotation authorization from the
 * last 24 hours, or refuses. Claiming is a conditional update, so one
 * authorization rotates once.
 */
export async function consumeKeyRotationApproval(tx: Tx, approvalId: string): Promise<{ requesterId: string; approverId: string | null }> {
  const at = now();
  const claimed = await tx.approvalRequest.updateMany({
    where: {
      id: approvalId,
      operation: 'audit.authorize_key_rotation',
      status: 'executed',
      consumedAt: null,
      executedAt: { gt: new Date(at.getTime() - KEY_ROTATION_AUTHORIZATION_MS) },
    },
    data: { consumedAt: at },
  });
  if (claimed.count !== 1) {
    throw new ActionError(
      'FORBIDDEN',
      `approval ${approvalId} is not an approved, unused key-rotation authorization from the last 24 hours`,
    );
  }
  const row = await tx.approvalRequest.findUniqueOrThrow({ where: { id: approvalId }, select: { requesterId: true, approverId: true } });
  return row;
}

export interface KeyRotationAuthorizationDTO {
  id: string;
  status: string;
  createdAt: Date;
  executedAt: Date | null;
  consumedAt: Date | null;
  /** Until when `audit:keys rotate --approval <id>` accepts it (executed and unused only). */
  usableUntil: Date | null;
}

/** The latest key-rotation requests and authorizations (for the integrity page; the whole-trail verify capability is checked by the page). */
export async function recentKeyRotationAuthorizations(take = 5): Promise<KeyRotationAuthorizationDTO[]> {
  const client = await db();
  const rows = await client.approvalRequest.findMany({
    where: { operation: 'audit.authorize_key_rotation' },
    orderBy: { createdAt: 'desc' },
    take,
    select: { id: true, status: true, createdAt: true, expiresAt: true, executedAt: true, consumedAt: true },
  });
  const at = now().getTime();
  return rows.map((r) => {
    const usable = r.status === 'executed' && !r.consumedAt && r.executedAt && r.executedAt.getTime() + KEY_ROTATION_AUTHORIZATION_MS > at;
    return {
      id: r.id,
      status: r.status === 'pending' && r.expiresAt.getTime() <= at ? 'expired' : r.consumedAt ? 'used' : r.status,
      createdAt: r.createdAt,
      executedAt: r.executedAt,
      consumedAt: r.consumedAt,
      usableUntil: usable ? new Date(r.executedAt!.getTime() + KEY_ROTATION_AUTHORIZATION_MS) : null,
    };
  });
}
