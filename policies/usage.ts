/**
 * What a role is granted, for the usage report ("what a person may do, and what
 * they actually did": lib/dal/usage.ts, /access). Pure: no I/O.
 *
 * An operation is GRANTED to a role when, in the decision matrix
 * (policies/matrix.ts computeMatrix), any of its scopes decides allow, step-up
 * or approval for that role's column. So "granted" is exactly what the matrix
 * page and policies/matrix.md show, never a second opinion.
 *
 * What is in the list, and why:
 * - Anonymous operations (sign-in, accepting an invitation, a password-reset
 *   link) are left out: nobody needs a role for them, so there is nothing to
 *   review.
 * - Operations on one's own account (target "self": sign out, step-up, own
 *   sessions, own second factors and password) ARE listed — the role grants
 *   them like anything else — but marked `ownAccount`. They are housekeeping,
 *   not privileges: the "unused" lists and counts of the report leave them out,
 *   because an unused "remove my authenticator app" says nothing about whether
 *   a role is too wide.
 * - Everything else the role may do, state-changing or an audited read (the
 *   personal-data lookup, verifying the trail), is a privilege.
 *
 * Evidence of use: a successful audit event by the person with the operation's
 * id. A few operations are recorded under another event id when they succeed
 * (see {@link EVIDENCE_EVENTS}); a denied or failed attempt is never a use.
 */
import { computeMatrix, type MatrixDecision, type MatrixPrincipal } from './matrix';
import { OPERATIONS, type OperationDefinition, type OperationId, type Risk } from './operations';
import { CONSOLE_ROLES, type ConsoleRole, type Role } from './roles';

/** What an operation demands beyond the role. */
export interface OperationDemands {
  stepUp: boolean;
  approval: boolean;
  reason: OperationDefinition['reason'];
}

export interface GrantedOperation {
  op: OperationId;
  description: string;
  risk: Risk;
  demands: OperationDemands;
  /** Only on the holder's own account (sign out, own sessions, own factors): housekeeping, not a privilege. */
  ownAccount: boolean;
  /** The matrix scopes in which the role may do it (e.g. "a member", "the whole trail"). */
  scopes: string[];
  /** The strongest decision among those scopes: step-up, approval or plain allow. */
  decision: Exclude<MatrixDecision, 'deny'>;
}

/**
 * Successful events recorded under another id than the operation's own. Ending
 * one's own sessions is recorded as `session.revoke` (one or all others: the
 * two share their evidence); finishing a passkey registration is recorded as
 * `account.passkey_register`.
 */
export const EVIDENCE_EVENTS: Partial<Record<OperationId, readonly string[]>> = {
  'session.revoke_own': ['session.revoke_own', 'session.revoke'],
  'session.revoke_own_others': ['session.revoke_own_others', 'session.revoke'],
  'account.passkey_register_finish': ['account.passkey_register_finish', 'account.passkey_register'],
};

/** The audit event ids whose successful events evidence a use of `op`. */
export function evidenceEventsOf(op: OperationId): readonly string[] {
  return EVIDENCE_EVENTS[op] ?? [op];
}

/** The catalog operations a successful event with this id evidences (none for events that are no operation, e.g. audit.view). */
export function operationsEvidencedBy(eventOperation: string): OperationId[] {
  return EVIDENCED_BY.get(eventOperation) ?? [];
}

const EVIDENCED_BY: ReadonlyMap<string, OperationId[]> = (() => {
  const map = new Map<string, OperationId[]>();
  for (const def of Object.values(OPERATIONS) as OperationDefinition[]) {
    if (def.audience === 'anonymous') continue;
    for (const e of evidenceEventsOf(def.id as OperationId)) map.set(e, [...(map.get(e) ?? []), def.id as OperationId]);
  }
  return map;
})();

const DECISION_STRENGTH: Record<Exclude<MatrixDecision, 'deny'>, number> = { allow: 0, 'step-up': 1, approval: 2 };

let grantedCache: Map<string, GrantedOperation[]> | null = null;

function computeGranted(): Map<string, GrantedOperation[]> {
  const byRole = new Map<string, Map<OperationId, GrantedOperation>>();
  for (const cell of computeMatrix()) {
    if (cell.decision === 'deny') continue;
    const def = OPERATIONS[cell.op] as OperationDefinition;
    if (def.audience === 'anonymous') continue;
    const ops = byRole.get(cell.principal) ?? new Map<OperationId, GrantedOperation>();
    byRole.set(cell.principal, ops);
    const existing = ops.get(cell.op);
    if (existing) {
      if (!existing.scopes.includes(cell.scope)) existing.scopes.push(cell.scope);
      if (DECISION_STRENGTH[cell.decision] > DECISION_STRENGTH[existing.decision]) existing.decision = cell.decision;
      continue;
    }
    ops.set(cell.op, {
      op: cell.op,
      description: def.description,
      risk: def.risk,
      demands: { stepUp: def.stepUp, approval: def.approval === 'two-person', reason: def.reason },
      ownAccount: def.target === 'self',
      scopes: [cell.scope],
      decision: cell.decision,
    });
  }
  return new Map([...byRole].map(([role, ops]) => [role, [...ops.values()]]));
}

/**
 * The catalog operations granted to `role`, in catalog order (an empty list for
 * a role that grants nothing, e.g. member, or an unknown string). Computed once
 * per process from the matrix.
 */
export function grantedOperations(role: Role | string): GrantedOperation[] {
  grantedCache ??= computeGranted();
  return (grantedCache.get(role as MatrixPrincipal) ?? []).map((g) => ({ ...g, scopes: [...g.scopes], demands: { ...g.demands } }));
}

/** Whether `role` is granted `op`. */
export function isGranted(role: Role | string, op: string): boolean {
  return grantedOperations(role).some((g) => g.op === op);
}

/** The roles the usage report covers: every console role (members cannot sign in, so they hold no operation). */
export const USAGE_ROLES: readonly ConsoleRole[] = CONSOLE_ROLES;

/** The privileges among granted operations: what the "unused" lists judge. */
export function privileges(granted: readonly GrantedOperation[]): GrantedOperation[] {
  return granted.filter((g) => !g.ownAccount);
}

/**
 * The granted privileges with no use at or after `since` (lastUsedAt per op;
 * a missing entry is "never used"), in catalog order.
 */
export function unusedSince(
  granted: readonly GrantedOperation[],
  lastUsedAt: ReadonlyMap<string, Date | null>,
  since: Date,
): OperationId[] {
  return privileges(granted)
    .filter((g) => {
      const last = lastUsedAt.get(g.op);
      return !last || last.getTime() < since.getTime();
    })
    .map((g) => g.op);
}
