import 'server-only';
import { lockAuditChain } from '@/lib/audit/append';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { db, type Db, type Tx } from '@/lib/db';
import { assertActorStillLive, recordAuthorized } from './audit-details';

/**
 * Containment that reaches the whole console (issue 9): ending every session at
 * once, and lockdown — while it is on, only superadmins may change anything;
 * everyone else is read-only (mode read_only) or signed out and refused at
 * sign-in (mode sign_out). Both are state in the database, so every instance
 * enforces them on the next request (defineAction and the session check).
 */

export const LOCKDOWN_ID = 'lockdown';

export interface LockdownState {
  enabled: boolean;
  mode: 'read_only' | 'sign_out';
  since: Date | null;
  byId: string | null;
  reason: string | null;
}

/** The lockdown switch as the database says now (one row; read on every request that needs it). */
export async function lockdownState(client?: Db | Tx): Promise<LockdownState> {
  const c = client ?? (await db());
  const row = await c.systemState.findUnique({ where: { id: LOCKDOWN_ID } });
  return {
    enabled: row?.enabled ?? false,
    mode: row?.mode === 'sign_out' ? 'sign_out' : 'read_only',
    since: row?.since ?? null,
    byId: row?.byId ?? null,
    reason: row?.reason ?? null,
  };
}

/** Turns lockdown on (with its mode) or off. */
export async function setLockdown(
  authz: Authorization,
  input: { enabled: boolean; mode: 'read_only' | 'sign_out' },
): Promise<{ sessionsEnded: number }> {
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const before = await lockdownState(tx);
    if (before.enabled === input.enabled && (!input.enabled || before.mode === input.mode)) {
      throw new ActionError('CONFLICT', input.enabled ? 'Lockdown is already on in this mode.' : 'Lockdown is already off.');
    }
    const at = now();
    const data = {
      enabled: input.enabled,
      mode: input.enabled ? input.mode : null,
      since: input.enabled ? at : null,
      byId: authz.viewer.userId,
      reason: authz.reason,
      updatedAt: at,
    };
    await tx.systemState.upsert({ where: { id: LOCKDOWN_ID }, create: { id: LOCKDOWN_ID, ...data }, update: data });
    // Signing everyone else out ends their sessions now, not only on their next request.
    const ended =
      input.enabled && input.mode === 'sign_out'
        ? await tx.session.updateMany({
            where: { revokedAt: null, user: { role: { not: 'superadmin' } } },
            data: { revokedAt: at, revokedReason: 'lockdown' },
          })
        : { count: 0 };
    await recordAuthorized(tx, authz, {
      target: { type: 'SystemState', id: LOCKDOWN_ID },
      details: {
        before: { enabled: before.enabled, mode: before.enabled ? before.mode : null },
        after: { enabled: input.enabled, mode: input.enabled ? input.mode : null },
        sessionsEnded: ended.count,
      },
    });
    return { sessionsEnded: ended.count };
  });
}

/** Ends every session of every user except the caller's own. */
export async function revokeAllSessions(authz: Authorization): Promise<{ sessionsEnded: number }> {
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const ended = await tx.session.updateMany({
      where: { revokedAt: null, id: { not: authz.viewer.sessionId } },
      data: { revokedAt: now(), revokedReason: 'revoked_globally' },
    });
    await recordAuthorized(tx, authz, { target: null, details: { sessionsEnded: ended.count } });
    return { sessionsEnded: ended.count };
  });
}
