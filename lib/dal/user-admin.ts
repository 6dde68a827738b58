import 'server-only';
import { lockAuditChain } from '@/lib/audit/append';
import { unlockAccount } from '@/lib/auth/throttle';
import { scopedWhere } from '@/lib/authz/ability';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { db, type Tx } from '@/lib/db';
import type { PolicyAction } from '@/policies/rules';
import type { Role } from '@/policies/roles';
import { assertActorStillLive, recordAuthorized } from './audit-details';

/**
 * Administration of user accounts. Every function runs one transaction that
 * (1) takes the audit chain lock first, so invariants across rows hold under
 * concurrency; (2) re-checks that the acting session is still live, so an
 * in-flight action of a just-revoked admin fails (T19); (3) loads the target
 * through `accessibleBy` in the WHERE (unauthorized = not found); (4) changes
 * it; (5) appends the audit event. If any step throws, nothing is changed.
 */

const USER_FIELDS = {
  id: true,
  email: true,
  role: true,
  status: true,
  deletedAt: true,
  lockedAt: true,
  lockedUntil: true,
  failedLoginCount: true,
} as const;

type TargetUser = {
  id: string;
  email: string;
  role: string;
  status: string;
  deletedAt: Date | null;
  lockedAt: Date | null;
  lockedUntil: Date | null;
  failedLoginCount: number;
};

export interface UserChangeResult {
  /** How many live sessions the change ended. */
  sessionsEnded: number;
}

interface Change {
  /** Audit details beyond before/after (counts, flags); never secrets. */
  details?: Record<string, unknown>;
  /** The user's state afterwards, for the before/after summary. */
  after: Partial<TargetUser>;
  sessionsEnded?: number;
}

async function mutateUser(
  authz: Authorization,
  action: PolicyAction,
  id: string,
  work: (tx: Tx, before: TargetUser) => Promise<Change>,
): Promise<UserChangeResult> {
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const before = await tx.user.findFirst({ where: scopedWhere(authz.ability, action, 'User', { id }), select: USER_FIELDS });
    if (!before) throw new ActionError('NOT_FOUND', 'That user does not exist or is no longer available.');
    const change = await work(tx, before);
    await recordAuthorized(tx, authz, {
      target: { type: 'User', id },
      details: {
        before: summary(before),
        after: summary({ ...before, ...change.after }),
        ...(change.sessionsEnded !== undefined ? { sessionsEnded: change.sessionsEnded } : {}),
        ...change.details,
      },
    });
    return { sessionsEnded: change.sessionsEnded ?? 0 };
  });
}

/** Role and status only: the audit summary of a user never carries personal data or secrets. */
function summary(u: Partial<TargetUser>) {
  return { role: u.role ?? null, status: u.status ?? null, deleted: !!u.deletedAt };
}

/**
 * The last active superadmin cannot be demoted, suspended, disabled or deleted
 * (T28). Runs under the audit chain lock, so two superadmins removing each other
 * at once cannot both succeed (T43).
 */
async function assertNotLastSuperadmin(tx: Tx, target: TargetUser) {
  if (target.role !== 'superadmin' || target.status !== 'active' || target.deletedAt) return;
  const others = await tx.user.count({ where: { role: 'superadmin', status: 'active', deletedAt: null, id: { not: target.id } } });
  if (others === 0) {
    throw new ActionError('CONFLICT', 'This is the last active superadmin. Make someone else a superadmin first. Nothing was changed.');
  }
}

async function endSessions(tx: Tx, userId: string, reason: string): Promise<number> {
  const ended = await tx.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now(), revokedReason: reason } });
  return ended.count;
}

/** Also bumps sessionVersion, so any session row missed by a race is refused too. */
async function setStatus(tx: Tx, target: TargetUser, status: string, sessionReason: string | null): Promise<Change> {
  await tx.user.update({
    where: { id: target.id },
    data: { status, ...(sessionReason ? { sessionVersion: { increment: 1 } } : {}) },
  });
  const sessionsEnded = sessionReason ? await endSessions(tx, target.id, sessionReason) : undefined;
  return { after: { status }, ...(sessionsEnded !== undefined ? { sessionsEnded } : {}) };
}

/** Suspends an active user: their sessions end at once. */
export function suspendUser(authz: Authorization, id: string) {
  return mutateUser(authz, 'suspend', id, async (tx, before) => {
    if (before.status !== 'active') throw new ActionError('CONFLICT', 'Only an active user can be suspended.');
    await assertNotLastSuperadmin(tx, before);
    return setStatus(tx, before, 'suspended', 'user_suspended');
  });
}

/** Reactivates a suspended or disabled user. */
export function reactivateUser(authz: Authorization, id: string) {
  return mutateUser(authz, 'reactivate', id, async (tx, before) => {
    if (before.status === 'active') throw new ActionError('CONFLICT', 'This user is already active.');
    return setStatus(tx, before, 'active', null);
  });
}

/** Disables a user (for example, they left): their sessions end at once. */
export function disableUser(authz: Authorization, id: string) {
  return mutateUser(authz, 'disable', id, async (tx, before) => {
    if (before.status === 'disabled') throw new ActionError('CONFLICT', 'This user is already disabled.');
    await assertNotLastSuperadmin(tx, before);
    return setStatus(tx, before, 'disabled', 'user_disabled');
  });
}

function assertTypedEmail(before: TargetUser, confirmEmail: string) {
  if (confirmEmail.trim().toLowerCase() !== before.email.toLowerCase()) {
    throw new ActionError('VALIDATION', 'Type the user’s email address exactly to confirm.', {
      confirmEmail: ['This does not match the user’s email address.'],
    });
  }
}

/** Soft-deletes a user (house style 19): the account and its sessions end; purging is a separate job. */
export function deleteUser(authz: Authorization, id: string, confirmEmail: string) {
  return mutateUser(authz, 'delete', id, async (tx, before) => {
    assertTypedEmail(before, confirmEmail);
    await assertNotLastSuperadmin(tx, before);
    const at = now();
    await tx.user.update({ where: { id }, data: { deletedAt: at, sessionVersion: { increment: 1 } } });
    await tx.invitation.updateMany({ where: { userId: id, usedAt: null, revokedAt: null }, data: { revokedAt: at } });
    const sessionsEnded = await endSessions(tx, id, 'user_deleted');
    return { after: { deletedAt: at }, sessionsEnded };
  });
}

/**
 * Removes every second factor of a user (authenticator app, passkeys, recovery
 * codes) and ends their sessions; at their next sign-in they must enrol again.
 */
export function resetUserMfa(authz: Authorization, id: string, confirmEmail: string) {
  return mutateUser(authz, 'reset_mfa', id, async (tx, before) => {
    assertTypedEmail(before, confirmEmail);
    const passkeys = await tx.webAuthnCredential.deleteMany({ where: { userId: id } });
    const codes = await tx.recoveryCode.deleteMany({ where: { userId: id } });
    const user = await tx.user.update({
      where: { id },
      data: {
        totpSecretEnc: null,
        totpEnabledAt: null,
        totpLastStep: null,
        recoveryCodesAt: null,
        recoveryCodeUsedAt: null,
        sessionVersion: { increment: 1 },
      },
      select: { id: true },
    });
    const sessionsEnded = await endSessions(tx, user.id, 'mfa_reset');
    // A support agent's pending request for this reset (if any) is approved by doing it.
    const approved = await tx.mfaResetRequest.updateMany({
      where: { userId: id, status: 'pending' },
      data: { status: 'approved', decidedById: authz.viewer.userId, decidedAt: now() },
    });
    return {
      after: {},
      sessionsEnded,
      details: {
        passkeysRemoved: passkeys.count,
        recoveryCodesRemoved: codes.count,
        ...(approved.count > 0 ? { requestsApproved: approved.count } : {}),
      },
    };
  });
}

/** Clears a sign-in lock (hard lock or growing delay) and the failure counter. */
export function unlockUser(authz: Authorization, id: string) {
  return mutateUser(authz, 'unlock', id, async (tx, before) => {
    const wasLocked = await unlockAccount(tx, id);
    return { after: {}, details: { wasLocked, failuresCleared: before.failedLoginCount } };
  });
}

/** Ends every live session of a user. */
export function revokeUserSessions(authz: Authorization, id: string) {
  return mutateUser(authz, 'revoke_sessions', id, async (tx) => {
    const sessionsEnded = await endSessions(tx, id, 'revoked_by_admin');
    return { after: {}, sessionsEnded };
  });
}

/**
 * Changes a user's role. The ability was checked on the user as they are and as
 * they would be (defineAction); the WHERE checks the first again, and the
 * superadmin invariant holds. Sessions end, so the new role applies from the
 * next sign-in with the authentication that role demands.
 */
export function changeUserRole(
  authz: Authorization,
  id: string,
  role: Role,
  action: 'change_role' | 'grant_privileged_role' = 'change_role',
) {
  return mutateUser(authz, action, id, async (tx, before) => {
    if (before.role === role)
      throw new ActionError('CONFLICT', `This user is already ${role === 'admin' || role === 'auditor' ? 'an' : 'a'} ${role}.`);
    await assertNotLastSuperadmin(tx, before);
    await tx.user.update({ where: { id }, data: { role, sessionVersion: { increment: 1 } } });
    const sessionsEnded = await endSessions(tx, id, 'role_changed');
    return { after: { role }, sessionsEnded };
  });
}
