import 'server-only';
import { randomUUID } from 'node:crypto';
import { lockAuditChain } from '@/lib/audit/append';
import { recordAuditWith } from '@/lib/audit/record';
import { ABSOLUTE_LIFETIME_MS, idleTimeoutFor, type SessionLimits } from '@/lib/auth/session-policy';
import { now } from '@/lib/clock';
import { settingIn } from '@/lib/config/settings';
import { db, type Db } from '@/lib/db';
import { CONSOLE_ROLES } from '@/policies/roles';

/**
 * The inactivity rules (issue 10), run hourly by an in-process job on one
 * instance at a time (a lease in MonitorState, like the anomaly evaluation):
 * - console accounts with no activity for `inactivity.suspend_after` (critical
 *   configuration, default 45 days) are suspended and their sessions end — never
 *   the last active superadmin;
 * - sessions past their idle or absolute limit that nobody has touched since are
 *   marked ended (the session check refuses them anyway; this makes the record
 *   and "My sessions" true without waiting for a request);
 * - unused invitations past their expiry are marked revoked.
 * Each run is one transaction with one `governance.inactivity_run` event that
 * lists what it did (nothing done, nothing recorded).
 */

export const INACTIVITY_INTERVAL_MS = 60 * 60 * 1000;
/**
 * How long after the last run, on any instance, the scheduled job is due again.
 * A little under the interval, so an instance whose timer fires a moment early
 * still runs it; every instance ticks hourly, but only the first tick of each
 * period (whichever instance) runs the rules.
 */
export const INACTIVITY_DUE_EVERY_MS = INACTIVITY_INTERVAL_MS - 5 * 60 * 1000;
const STATE_ID = 'inactivity';
const LEASE_MS = 10 * 60 * 1000;
const BATCH = 500;

export interface InactivityResult {
  ran: boolean;
  suspended: string[];
  sessionsEnded: number;
  invitationsExpired: number;
  eventSeq: number | null;
}

/**
 * Takes the job's lease in MonitorState (`updatedAt` = when the last run started).
 * With `dueEveryMs`, only if no run started within that time: the same
 * conditional update is the "is it due?" check, so of several instances whose
 * timers fire in one period exactly one runs the rules.
 */
async function takeLease(client: Db, owner: string, dueEveryMs: number | undefined): Promise<boolean> {
  const at = now();
  try {
    // Never run yet: due at once.
    await client.monitorState.create({ data: { id: STATE_ID, throughSeq: 0, updatedAt: new Date(0), startedAt: at } });
  } catch {
    // Exists already.
  }
  const due =
    dueEveryMs === undefined
      ? {}
      : // A last run "in the future" means the clock was set back: due too.
        { OR: [{ updatedAt: { lte: new Date(at.getTime() - dueEveryMs) } }, { updatedAt: { gt: at } }] };
  const taken = await client.monitorState.updateMany({
    where: { id: STATE_ID, AND: [{ OR: [{ leaseUntil: null }, { leaseUntil: { lt: at } }] }, due] },
    data: { leaseUntil: new Date(at.getTime() + LEASE_MS), leaseOwner: owner, updatedAt: at },
  });
  return taken.count === 1;
}

/**
 * One run (exported for the scheduler and tests). The scheduler passes
 * `dueEveryMs` ({@link INACTIVITY_DUE_EVERY_MS}); without it a run happens
 * whenever no other run holds the lease.
 */
export async function runInactivityRules(client?: Db, opts: { dueEveryMs?: number } = {}): Promise<InactivityResult> {
  const c = client ?? (await db());
  const owner = randomUUID();
  if (!(await takeLease(c, owner, opts.dueEveryMs))) {
    return { ran: false, suspended: [], sessionsEnded: 0, invitationsExpired: 0, eventSeq: null };
  }
  try {
    return await c.$transaction(async (tx) => {
      await lockAuditChain(tx);
      const at = now();
      const after = await settingIn(tx, 'inactivity.suspend_after');
      const cutoff = new Date(at.getTime() - after);
      // Inactive console accounts: last activity (or, never active, creation) before the cutoff.
      const stale = await tx.user.findMany({
        where: {
          role: { in: [...CONSOLE_ROLES] },
          status: 'active',
          deletedAt: null,
          OR: [{ lastActiveAt: { lt: cutoff } }, { lastActiveAt: null, createdAt: { lt: cutoff } }],
        },
        select: { id: true, role: true },
        orderBy: { id: 'asc' },
        take: BATCH,
      });
      const activeSuperadmins = await tx.user.count({ where: { role: 'superadmin', status: 'active', deletedAt: null } });
      const staleSuperadmins = stale.filter((u) => u.role === 'superadmin').length;
      // Never leave the console without an active superadmin: keep them all if suspending would.
      const toSuspend = stale.filter((u) => u.role !== 'superadmin' || activeSuperadmins - staleSuperadmins > 0);
      const suspendedIds = toSuspend.map((u) => u.id);
      if (suspendedIds.length > 0) {
        await tx.user.updateMany({ where: { id: { in: suspendedIds } }, data: { status: 'suspended', sessionVersion: { increment: 1 } } });
        await tx.session.updateMany({
          where: { userId: { in: suspendedIds }, revokedAt: null },
          data: { revokedAt: at, revokedReason: 'user_inactive' },
        });
      }
      // Sessions past their limits that nobody touched since (idle per role; absolute at expiresAt or the 12 h ceiling).
      const limits: SessionLimits = {
        absoluteMs: await settingIn(tx, 'session.absolute_lifetime'),
        idleMs: await settingIn(tx, 'session.idle_timeout'),
        superadminIdleMs: await settingIn(tx, 'session.superadmin_idle_timeout'),
      };
      const absolute = await tx.session.updateMany({
        where: { revokedAt: null, OR: [{ expiresAt: { lte: at } }, { authTime: { lt: new Date(at.getTime() - ABSOLUTE_LIFETIME_MS) } }] },
        data: { revokedAt: at, revokedReason: 'expired_absolute' },
      });
      let sessionsEnded = absolute.count;
      for (const role of CONSOLE_ROLES) {
        const idleBefore = new Date(at.getTime() - idleTimeoutFor(role, limits));
        const idle = await tx.session.updateMany({
          where: { revokedAt: null, user: { role }, lastSeenAt: { lt: idleBefore } },
          data: { revokedAt: at, revokedReason: 'expired_idle' },
        });
        sessionsEnded += idle.count;
      }
      const invitations = await tx.invitation.updateMany({
        where: { usedAt: null, revokedAt: null, expiresAt: { lt: at } },
        data: { revokedAt: at },
      });
      if (suspendedIds.length === 0 && sessionsEnded === 0 && invitations.count === 0) {
        return { ran: true, suspended: [], sessionsEnded: 0, invitationsExpired: 0, eventSeq: null };
      }
      const event = await recordAuditWith(
        tx,
        {
          actor: null,
          operation: 'governance.inactivity_run',
          outcome: 'success',
          details: {
            suspendAfterDays: Math.round(after / 86_400_000),
            suspended: suspendedIds,
            keptLastSuperadmins: staleSuperadmins > 0 && toSuspend.length < stale.length,
            sessionsEnded,
            invitationsExpired: invitations.count,
          },
          decision: 'governance.inactivity',
        },
        { correlationId: `job-${randomUUID()}`, ip: null, userAgent: 'warden inactivity job' },
      );
      return { ran: true, suspended: suspendedIds, sessionsEnded, invitationsExpired: invitations.count, eventSeq: event.seq };
    });
  } finally {
    await c.monitorState.updateMany({ where: { id: STATE_ID, leaseOwner: owner }, data: { leaseUntil: null, leaseOwner: null } });
  }
}
