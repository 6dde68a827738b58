import 'server-only';
import { lockAuditChain } from '@/lib/audit/append';
import type { Viewer } from '@/lib/auth/viewer';
import { abilityFor, decide } from '@/lib/authz/ability';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { db } from '@/lib/db';
import { ROLES, type Role } from '@/policies/roles';
import { assertActorStillLive, recordAuthorized } from './audit-details';

export interface RoleStateDTO {
  role: Role;
  suspended: boolean;
  suspendedAt: Date | null;
  /** Active, non-deleted holders of the role (the blast radius of suspending it). */
  holders: number;
  canSuspend: boolean;
  canReactivate: boolean;
}

/** Every role's state and holder count, with what the viewer may do about it. */
export async function listRoleStates(viewer: Viewer): Promise<RoleStateDTO[]> {
  const ability = abilityFor(viewer);
  const client = await db();
  const [states, counts] = await Promise.all([
    client.roleState.findMany({ select: { role: true, suspended: true, suspendedAt: true } }),
    client.user.groupBy({ by: ['role'], where: { status: 'active', deletedAt: null }, _count: { _all: true } }),
  ]);
  return ROLES.map((role) => {
    const state = states.find((s) => s.role === role);
    const record = { role, suspended: state?.suspended ?? false };
    return {
      role,
      suspended: record.suspended,
      suspendedAt: state?.suspendedAt ?? null,
      holders: counts.find((c) => c.role === role)?._count._all ?? 0,
      canSuspend: !record.suspended && decide(ability, 'suspend', 'RoleState', record).allowed,
      canReactivate: record.suspended && decide(ability, 'reactivate', 'RoleState', record).allowed,
    };
  });
}

/**
 * Suspends or reactivates a whole role (incident response, T20). Holders are
 * refused on their next request: getViewer reads the role state every time.
 */
export async function setRoleSuspended(authz: Authorization, role: Role, suspended: boolean): Promise<{ holders: number }> {
  // Decided again here, on the role itself, as well as in defineAction.
  if (!decide(authz.ability, suspended ? 'suspend' : 'reactivate', 'RoleState', { role }).allowed) {
    throw new ActionError('FORBIDDEN', 'Your role does not allow this here. Nothing was changed.');
  }
  const client = await db();
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    await assertActorStillLive(tx, authz);
    const current = await tx.roleState.findUnique({ where: { role }, select: { suspended: true } });
    if ((current?.suspended ?? false) === suspended) {
      throw new ActionError('CONFLICT', suspended ? 'This role is already suspended.' : 'This role is not suspended.');
    }
    const at = now();
    await tx.roleState.upsert({
      where: { role },
      create: { role, suspended, suspendedAt: suspended ? at : null },
      update: { suspended, suspendedAt: suspended ? at : null },
    });
    const holders = await tx.user.count({ where: { role, status: 'active', deletedAt: null } });
    await recordAuthorized(tx, authz, { target: { type: 'RoleState', id: role }, details: { holders } });
    return { holders };
  });
}
