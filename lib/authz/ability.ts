import 'server-only';
import { accessibleBy } from '@casl/prisma/runtime';
import { z } from 'zod';
import type { Viewer } from '@/lib/auth/viewer';
import { buildAbility, decideOn, type Decision, type PolicyAbility } from '@/policies/ability';
import type { PolicyAction, PolicySubject, Principal } from '@/policies/rules';
import { CONSOLE_ROLES } from '@/policies/roles';
import { OPERATIONS, type OperationDefinition } from '@/policies/operations';

export type { Decision, PolicyAbility };

/**
 * The principal a viewer becomes for the policy, validated (T30): a viewer with
 * a missing or empty id or an unknown role is refused here, so no rule is ever
 * built from `undefined` and no query ever gets `{ id: undefined }` (which
 * Prisma reads as "no filter").
 */
const PrincipalSchema = z.strictObject({
  id: z.string().min(1).max(64),
  role: z.enum(CONSOLE_ROLES),
  status: z.literal('active'),
  roleSuspended: z.literal(false),
});

export class InvalidPrincipalError extends Error {
  constructor() {
    super('the viewer could not be turned into a valid principal');
    this.name = 'InvalidPrincipalError';
  }
}

/** A viewer's principal. getViewer only returns active users of active roles, so state is fixed here. */
export function principalOf(viewer: Pick<Viewer, 'userId' | 'role'>): Principal {
  const parsed = PrincipalSchema.safeParse({ id: viewer.userId, role: viewer.role, status: 'active', roleSuspended: false });
  if (!parsed.success) throw new InvalidPrincipalError();
  return parsed.data;
}

/**
 * The viewer's ability, built from policies/rules.ts (ARCHITECTURE:
 * abilityFor(viewer)). A role elevation already shows in `viewer.role`; an
 * elevation to one operation lends the elevated role's rules for that
 * operation's ability only.
 */
export function abilityFor(viewer: Pick<Viewer, 'userId' | 'role' | 'elevation'>): PolicyAbility {
  const principal = principalOf(viewer);
  const elevation = viewer.elevation;
  if (elevation?.scope === 'operation' && elevation.operation && elevation.operation in OPERATIONS) {
    const lent = (OPERATIONS as Record<string, OperationDefinition>)[elevation.operation]?.ability;
    if (lent) return buildAbility(principal, { role: elevation.role, ability: lent });
  }
  return buildAbility(principal);
}

/** One decision about one loaded record (house style 9), with the id of the rule that decided. */
export function decide(ability: PolicyAbility, action: PolicyAction, type: PolicySubject, record: Record<string, unknown>): Decision {
  return decideOn(ability, action, type, record);
}

/** A where clause no row satisfies: what "nothing is accessible" becomes. */
const NOTHING = { id: { in: [] as string[] } };

/**
 * The Prisma where-fragment of the records `ability` may `action` (house style
 * 10). When no rule could match, it is a filter matching nothing, so the
 * caller's query simply finds nothing (unauthorized = not found).
 */
export function accessibleWhere(ability: PolicyAbility, action: PolicyAction, type: PolicySubject): Record<string, unknown> {
  let where: Record<string, unknown>;
  try {
    where = accessibleBy(ability as never, action as never).ofType(type as never) as Record<string, unknown>;
  } catch {
    return NOTHING;
  }
  // No rule could match: @casl/prisma 2 answers `{ OR: [] }` (it no longer throws).
  // Prisma 7 drops an AND element that is only an empty OR, so scopedWhere's
  // `{ AND: [{ OR: [] }, filter] }` would match every row `filter` matches (an
  // auditor listing every user). Return the explicit "no row" filter instead.
  if (Array.isArray(where.OR) && where.OR.length === 0) return NOTHING;
  assertDefinedWhere(where);
  return where;
}

/** `{ AND: [accessible, filter] }`: the only way the DAL combines authorization with a caller's filter. */
export function scopedWhere<W extends Record<string, unknown>>(
  ability: PolicyAbility,
  action: PolicyAction,
  type: PolicySubject,
  filter: W,
): W {
  assertDefinedWhere(filter);
  return { AND: [accessibleWhere(ability, action, type), filter] } as unknown as W;
}

/**
 * Refuses a where clause with an `undefined` anywhere in it (T30): Prisma drops
 * undefined keys, so `{ id: undefined }` would silently match every row.
 */
export function assertDefinedWhere(where: unknown, path = 'where'): void {
  if (where === undefined) throw new Error(`${path} is undefined`);
  if (where === null || typeof where !== 'object' || where instanceof Date) return;
  for (const [key, value] of Object.entries(where)) assertDefinedWhere(value, `${path}.${key}`);
}
