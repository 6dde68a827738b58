import 'server-only';
import { recordAudit } from '@/lib/audit/record';
import type { Viewer } from '@/lib/auth/viewer';
import { abilityFor, scopedWhere } from '@/lib/authz/ability';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { db } from '@/lib/db';

/** A session as its owner sees it. */
export interface MySessionDTO {
  id: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  isCurrent: boolean;
  canRevoke: boolean;
}

const actorOf = (v: Viewer) => ({ id: v.userId, role: v.role, sessionId: v.sessionId });

/** The viewer's own live sessions, newest activity first. Scoped to the viewer and by the rules in the WHERE. */
export async function listMySessions(viewer: Viewer): Promise<MySessionDTO[]> {
  const client = await db();
  const rows = await client.session.findMany({
    where: scopedWhere(abilityFor(viewer), 'read', 'Session', { userId: viewer.userId, revokedAt: null, expiresAt: { gt: now() } }),
    orderBy: { lastSeenAt: 'desc' },
    select: { id: true, ip: true, userAgent: true, createdAt: true, lastSeenAt: true, expiresAt: true },
    take: 100,
  });
  return rows.map((r) => ({ ...r, isCurrent: r.id === viewer.sessionId, canRevoke: true }));
}

/**
 * Ends one of the viewer's own sessions. Another user's session id is simply
 * "not found": ownership is part of the WHERE clause, not a separate check.
 */
export async function revokeMySession(viewer: Viewer, sessionId: string): Promise<{ wasCurrent: boolean }> {
  const client = await db();
  return client.$transaction(async (tx) => {
    const ended = await tx.session.updateMany({
      where: { id: sessionId, userId: viewer.userId, revokedAt: null },
      data: { revokedAt: now(), revokedReason: sessionId === viewer.sessionId ? 'sign_out' : 'revoked_by_user' },
    });
    if (ended.count !== 1) throw new ActionError('NOT_FOUND', 'That session does not exist or has already ended.');
    await recordAudit(tx, {
      actor: actorOf(viewer),
      operation: 'session.revoke',
      target: { type: 'Session', id: sessionId },
      outcome: 'success',
      reasonCode: 'revoked_by_user',
      decision: 'session.own',
    });
    return { wasCurrent: sessionId === viewer.sessionId };
  });
}

/** Ends all the viewer's sessions except the current one; returns how many ended. */
export async function revokeMyOtherSessions(viewer: Viewer): Promise<number> {
  const client = await db();
  return client.$transaction(async (tx) => {
    const ended = await tx.session.updateMany({
      where: { userId: viewer.userId, revokedAt: null, NOT: { id: viewer.sessionId } },
      data: { revokedAt: now(), revokedReason: 'revoked_by_user' },
    });
    await recordAudit(tx, {
      actor: actorOf(viewer),
      operation: 'session.revoke',
      target: { type: 'User', id: viewer.userId },
      outcome: 'success',
      reasonCode: 'revoked_others_by_user',
      details: { count: ended.count },
      decision: 'session.own',
    });
    return ended.count;
  });
}

/** Signs the viewer out: revokes the current session row, audited. */
export async function signOutViewer(viewer: Viewer): Promise<void> {
  const client = await db();
  await client.$transaction(async (tx) => {
    await tx.session.updateMany({
      where: { id: viewer.sessionId, userId: viewer.userId, revokedAt: null },
      data: { revokedAt: now(), revokedReason: 'sign_out' },
    });
    await recordAudit(tx, {
      actor: actorOf(viewer),
      operation: 'auth.sign_out',
      target: { type: 'Session', id: viewer.sessionId },
      outcome: 'success',
      decision: 'session.own',
    });
  });
}
