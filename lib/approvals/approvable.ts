import 'server-only';
import type { z } from 'zod';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import type { Tx } from '@/lib/db';
import { applyChangeSet, closeChangeSet, currentChangeSetBaseline, freezeChangeSet, linkChangeSetApproval } from '@/lib/dal/config';
import { changeUserRole } from '@/lib/dal/user-admin';
import { loadSigningKey } from '@/lib/audit/key-store';
import { authorizeKeyRotation } from '@/lib/dal/key-rotation';
import { KeyRotationRequestSchema } from '@/lib/validation/audit';
import { ConfigApplySchema } from '@/lib/validation/config';
import { ChangeRoleSchema } from '@/lib/validation/users';
import { ElevationRequestSchema } from '@/lib/validation/elevation';
import { currentElevationBaseline, elevationRequestDraft, freezeElevationRequest, startApprovedElevation } from '@/lib/dal/elevations';
import type { Role } from '@/policies/roles';
import type { ApprovalSummary } from './digest';

/**
 * The operations the catalog marks `approval: 'two-person'`, and what the
 * approval machinery needs to know of each: its input schema and how to find
 * its target (the same as its server action's defineAction spec), who benefits
 * (may not approve), how to freeze it (the baseline state and the diff the
 * approver sees), and how to run it once approved. policies/operations.ts is
 * the list; a unit test checks this registry covers exactly it.
 */
export interface Approvable<S extends z.ZodType> {
  spec: {
    input: S;
    target?: (input: z.infer<S>) => string;
    draft?: (input: z.infer<S>) => Record<string, unknown>;
    after?: (input: z.infer<S>, before: Record<string, unknown>) => Record<string, unknown>;
  };
  /** The type and id of the record the request is about (shown, and linked in the trail). */
  targetRef: (input: z.infer<S>) => { type: string; id: string };
  /** Who would gain from it: they may not approve it. */
  beneficiary: (input: z.infer<S>) => string | null;
  /** In the request's transaction: the baseline it is frozen against and the diff an approver sees. */
  freeze: (tx: Tx, authz: Authorization, input: z.infer<S>) => Promise<{ baseline: unknown; summary: ApprovalSummary }>;
  /** In a transaction: the same baseline as the database says now. */
  currentBaseline: (tx: Tx, input: z.infer<S>) => Promise<unknown>;
  /** Runs the approved operation (its own transaction, which marks the request executed). */
  execute: (authz: Authorization, input: z.infer<S>) => Promise<unknown>;
  /** After the request is created: link it where the target keeps it. */
  link?: (tx: Tx, input: z.infer<S>, approvalId: string) => Promise<void>;
  /** The request ended without running: cancelled by its requester, or rejected/expired/voided/failed. */
  close?: (tx: Tx, input: z.infer<S>, outcome: 'cancelled' | 'ended') => Promise<void>;
}

async function userBaseline(tx: Tx, id: string) {
  const user = await tx.user.findUnique({ where: { id }, select: { id: true, role: true, status: true, deletedAt: true } });
  return user ? { user: { id: user.id, role: user.role, status: user.status, deleted: user.deletedAt !== null } } : { user: null };
}

const roleGrant: Approvable<typeof ChangeRoleSchema> = {
  spec: { input: ChangeRoleSchema, target: (i) => i.id, after: (i, before) => ({ ...before, role: i.role }) },
  targetRef: (i) => ({ type: 'User', id: i.id }),
  beneficiary: (i) => i.id,
  freeze: async (tx, _authz, input) => {
    const baseline = await userBaseline(tx, input.id);
    const user = await tx.user.findUnique({ where: { id: input.id }, select: { name: true, email: true, role: true } });
    if (!user || !baseline.user) throw new ActionError('NOT_FOUND', 'That user does not exist or is no longer available.');
    if (user.role === input.role) throw new ActionError('CONFLICT', `This user is already ${article(input.role)} ${input.role}.`);
    return {
      baseline,
      summary: {
        title: `${input.role === 'admin' || input.role === 'superadmin' ? 'Make' : 'Change'} ${user.name} ${input.role === 'admin' || input.role === 'superadmin' ? `${article(input.role)} ${input.role}` : `to ${input.role}`}`,
        changes: [
          { label: 'User', before: `${user.name} <${user.email}>`, after: `${user.name} <${user.email}>` },
          { label: 'Role', before: user.role, after: input.role },
        ],
      },
    };
  },
  currentBaseline: (tx, input) => userBaseline(tx, input.id),
  execute: (authz, input) => changeUserRole(authz, input.id, input.role as Role, 'grant_privileged_role'),
};

const criticalConfig: Approvable<typeof ConfigApplySchema> = {
  spec: { input: ConfigApplySchema, draft: () => ({ tier: 'critical' }) },
  targetRef: (i) => ({ type: 'ConfigChangeSet', id: i.changeSetId }),
  beneficiary: () => null,
  freeze: (tx, authz, input) => freezeChangeSet(tx, authz, input),
  currentBaseline: (tx, input) => currentChangeSetBaseline(tx, input),
  execute: (authz, input) => applyChangeSet(authz, input),
  link: (tx, input, approvalId) => linkChangeSetApproval(tx, input.changeSetId, approvalId),
  close: (tx, input, outcome) => closeChangeSet(tx, input.changeSetId, outcome),
};

/**
 * Rotating the audit signing key: the private key lives outside the database
 * and the server, so the console authorizes one rotation (two people) and the
 * operator runs `npm run audit:keys -- rotate --approval <id>`, which refuses
 * without an executed, unused authorization from the last 24 hours and records
 * its id in the audit.key_rotate event.
 */
const keyRotation: Approvable<typeof KeyRotationRequestSchema> = {
  spec: { input: KeyRotationRequestSchema, draft: () => ({}) },
  targetRef: () => ({ type: 'AuditSigningKey', id: loadSigningKey()?.keyId ?? 'none' }),
  beneficiary: () => null,
  freeze: async () => {
    const key = loadSigningKey();
    if (!key) throw new ActionError('CONFLICT', 'No checkpoint signing key is configured, so there is nothing to rotate.');
    return {
      baseline: { keyId: key.keyId },
      summary: {
        title: 'Rotate the audit checkpoint signing key',
        changes: [
          {
            label: 'Signing key',
            before: key.keyId,
            after:
              'a new Ed25519 key, made by the operator with `npm run audit:keys -- rotate --approval <this request id>` within 24 hours',
          },
        ],
      },
    };
  },
  currentBaseline: async () => ({ keyId: loadSigningKey()?.keyId ?? null }),
  execute: (authz) => authorizeKeyRotation(authz),
};

/**
 * Time-bound elevation: frozen against the requester's role and whether they
 * already hold one; on approval it starts (as the requester) and ends by itself.
 * The requester is the beneficiary, so they can never approve it anyway.
 */
const elevationRequest: Approvable<typeof ElevationRequestSchema> = {
  spec: { input: ElevationRequestSchema, draft: (i) => elevationRequestDraft(i) },
  targetRef: (i) => ({ type: 'User', id: i.userId }),
  beneficiary: (i) => i.userId,
  freeze: (tx, authz, input) => freezeElevationRequest(tx, authz, input),
  currentBaseline: (tx, input) => currentElevationBaseline(tx, input),
  execute: (authz, input) => startApprovedElevation(authz, input),
};

function article(role: string) {
  return role === 'admin' || role === 'auditor' ? 'an' : 'a';
}

export const APPROVABLE = {
  'user.role_grant_privileged': roleGrant,
  'config.apply_critical': criticalConfig,
  'audit.authorize_key_rotation': keyRotation,
  'elevation.request': elevationRequest,
} as const;

export type ApprovableOperationId = keyof typeof APPROVABLE;

export function approvableFor(op: string): Approvable<z.ZodType> | null {
  return (APPROVABLE as Record<string, Approvable<z.ZodType>>)[op] ?? null;
}
