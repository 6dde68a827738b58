import 'server-only';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { recordAudit } from '@/lib/audit/record';
import { now } from '@/lib/clock';
import { currentSettings } from '@/lib/config/settings';
import { db } from '@/lib/db';
import { logFor } from '@/lib/log';
import { requestContext } from '@/lib/request/context';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';
import { isConsoleRole, type ConsoleRole } from '@/policies/roles';
import { readSessionSecret } from './next-auth';
import { evaluateSession, shouldTouch, type SessionEndReason, type SessionLimits } from './session-policy';
import { hashSessionSecret } from './sessions';

/** Who is making this request, as the database says now. */
export interface Viewer {
  userId: string;
  email: string;
  name: string;
  role: ConsoleRole;
  /** The public id of the current Session row (shown in "My sessions" and audit). */
  sessionId: string;
  authTime: Date;
  /** Authentication methods of this session's last authentication event, e.g. "pwd+otp". */
  amr: string;
  /** Whether the user has a second factor (TOTP or a passkey). Console roles must, before anything else. */
  mfaEnrolled: boolean;
  /** Whether the user has a passkey: critical operations must be signed with one (policies/operations.ts signatureRequired). */
  hasPasskey?: boolean;
  /** The role the account holds; `role` differs only while a role elevation is active. */
  baseRole?: ConsoleRole;
  /** A time-bound elevation active right now (re-read on every request, so it ends on time). */
  elevation?: ActiveElevation | null;
}

/** An elevation in force for this request (lib/dal/elevations.ts). */
export interface ActiveElevation {
  id: string;
  /** role: the viewer acts with `role`'s rights; operation: with `role`'s rights for `operation` only; break_glass: two-person operations run at once. */
  scope: 'role' | 'operation' | 'break_glass';
  role: ConsoleRole;
  operation: string | null;
  expiresAt: Date;
}

/**
 * Resolves the viewer from the Session row, the user and the role state — on
 * every request, cached for the rest of it. A revoked, expired or idle session,
 * a suspended/disabled/deleted user, a suspended role or a bumped sessionVersion
 * gives null. An ended session is marked revoked (with its reason, audited) the
 * first time it is seen, so "My sessions" and the trail show why it ended.
 */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  const secret = await readSessionSecret();
  if (!secret) return null;
  const client = await db();
  const at = now();
  const row = await client.session.findUnique({
    where: { tokenHash: hashSessionSecret(secret) },
    include: {
      user: {
        select: {
          // A time-bound elevation in force now, in the same query (read on every request, so it ends on time).
          elevations: {
            where: { status: 'active', startsAt: { lte: at }, expiresAt: { gt: at } },
            orderBy: { startsAt: 'desc' },
            take: 1,
            select: { id: true, baseRole: true, scope: true, role: true, operation: true, expiresAt: true },
          },
          id: true,
          email: true,
          name: true,
          role: true,
          status: true,
          sessionVersion: true,
          deletedAt: true,
          totpEnabledAt: true,
          _count: { select: { webauthnCredentials: true } },
        },
      },
    },
  });
  if (!row) return null;
  const roleState = await client.roleState.findUnique({ where: { role: row.user.role }, select: { suspended: true } });
  const verdict = evaluateSession({
    session: row,
    user: row.user,
    roleSuspended: roleState?.suspended ?? false,
    consoleRole: isConsoleRole(row.user.role),
    now: at,
    limits: await sessionLimits(),
    lockdownSignOut: await lockdownSignsOut(client),
  });
  if (!verdict.valid) {
    if (!row.revokedAt) await endSession(row.id, row.user, verdict.reason);
    return null;
  }
  if (shouldTouch(row.lastSeenAt, at)) {
    await client.$transaction([
      client.session.update({ where: { id: row.id }, data: { lastSeenAt: at } }),
      client.user.update({ where: { id: row.user.id }, data: { lastActiveAt: at } }),
    ]);
  }
  const baseRole = row.user.role as ConsoleRole;
  const elevation = activeElevation(row.user.elevations[0], baseRole);
  return {
    userId: row.user.id,
    email: row.user.email,
    name: row.user.name,
    role: elevation?.scope === 'role' ? elevation.role : baseRole,
    sessionId: row.id,
    authTime: row.authTime,
    amr: row.amr,
    mfaEnrolled: !!row.user.totpEnabledAt || row.user._count.webauthnCredentials > 0,
    hasPasskey: row.user._count.webauthnCredentials > 0,
    baseRole,
    elevation,
  };
});

/**
 * The elevation in force, if it was granted on top of the role the account still
 * holds (a role change since ends it). Read with the session on every request, so
 * an elevation stops at its expiry on every instance, whether or not the sweep
 * has marked it yet.
 */
function activeElevation(
  row: { id: string; baseRole: string; scope: string; role: string; operation: string | null; expiresAt: Date } | undefined,
  baseRole: ConsoleRole,
): ActiveElevation | null {
  if (!row || row.baseRole !== baseRole || !isConsoleRole(row.role)) return null;
  if (row.scope !== 'role' && row.scope !== 'operation' && row.scope !== 'break_glass') return null;
  return { id: row.id, scope: row.scope, role: row.role, operation: row.operation, expiresAt: row.expiresAt };
}

async function endSession(sessionId: string, user: { id: string; role: string }, reason: SessionEndReason) {
  const client = await db();
  try {
    await client.$transaction(async (tx) => {
      const ended = await tx.session.updateMany({
        where: { id: sessionId, revokedAt: null },
        data: { revokedAt: now(), revokedReason: reason },
      });
      if (ended.count === 0) return;
      await recordAudit(tx, {
        actor: null,
        operation: 'session.end',
        target: { type: 'Session', id: sessionId },
        outcome: 'success',
        reasonCode: reason,
        details: { userId: user.id, role: user.role },
        decision: 'authn.session_policy',
      });
    });
  } catch (error) {
    // The viewer is refused either way; only the bookkeeping failed.
    const { correlationId } = await requestContext();
    logFor(correlationId).error({ err: String(error), sessionId }, 'could not record session end');
  }
}

/**
 * The viewer, or a redirect to the sign-in page. Every page calls this itself:
 * layouts and proxy.ts are not authorization boundaries (house style 5).
 */
export async function requireViewer(options: { allowUnenrolled?: boolean } = {}): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) redirect('/sign-in');
  if (!options.allowUnenrolled && mustEnrol(viewer)) redirect('/account/security');
  return viewer;
}

/**
 * Console roles must enrol a second factor before reaching any console page;
 * until then only the account security (enrolment) page and its actions work.
 */
export function mustEnrol(viewer: Viewer): boolean {
  return !viewer.mfaEnrolled && (AUTHENTICATION_POLICY.mfaRequiredFor as readonly string[]).includes(viewer.role);
}

/** The configured session timers (critical configuration). */
async function sessionLimits(): Promise<SessionLimits> {
  const s = await currentSettings();
  return {
    absoluteMs: s['session.absolute_lifetime'],
    idleMs: s['session.idle_timeout'],
    superadminIdleMs: s['session.superadmin_idle_timeout'],
  };
}

/** Whether lockdown is on in sign-out mode (read on every request: it must hold at once on every instance). */
async function lockdownSignsOut(client: Awaited<ReturnType<typeof db>>): Promise<boolean> {
  const row = await client.systemState.findUnique({ where: { id: 'lockdown' }, select: { enabled: true, mode: true } });
  return !!row?.enabled && row.mode === 'sign_out';
}
