/**
 * Builds a CASL ability from the rules of policies/rules.ts and answers single
 * decisions, including which rule decided. Pure (the Prisma condition
 * interpreter runs in memory here; lib/authz turns the same ability into query
 * filters with accessibleBy).
 */
import { subject as asSubject } from '@casl/ability';
import { createPrismaAbility } from '@casl/prisma/runtime';
import { DEFAULT_DENY, defineRulesFor, type PolicyAction, type PolicySubject, type Principal } from './rules';

// Conditions are Prisma where-fragments; typed loosely here because policies/ must
// not import the generated client. lib/authz narrows the type for accessibleBy.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PolicyAbility = ReturnType<typeof createPrismaAbility<[PolicyAction, PolicySubject | Record<string, any>], any>>;

/**
 * The ability of a principal (no principal: the empty ability, which refuses
 * everything). `lent`: for a time-bound elevation to one operation, the rules of
 * the elevated role that cover that operation's action and subject, added after
 * the principal's own (they end with that role's own inverted rules, so the
 * hierarchy still holds).
 */
export function buildAbility(
  principal: Principal | null,
  lent?: { role: Principal['role']; ability: readonly [PolicyAction, PolicySubject] },
): PolicyAbility {
  const rules = principal ? [...defineRulesFor(principal), ...(lent ? lentRules(principal, lent) : [])] : [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return createPrismaAbility<[PolicyAction, PolicySubject | Record<string, any>], any>(rules as never);
}

export interface Decision {
  allowed: boolean;
  /** The id of the rule that decided, or authz.default_deny when none matched. */
  rule: string;
}

/** Whether `ability` allows `action` on this record of `type`, and by which rule (house style 9). */
export function decideOn(ability: PolicyAbility, action: PolicyAction, type: PolicySubject, record: Record<string, unknown>): Decision {
  const target = asSubject(type, { ...record });
  const rule = ability.relevantRuleFor(action, target);
  if (!rule) return { allowed: false, rule: DEFAULT_DENY };
  return { allowed: !rule.inverted, rule: rule.reason ?? DEFAULT_DENY };
}

/** The elevated role's rules that speak about exactly this action on this subject. */
function lentRules(principal: Principal, lent: { role: Principal['role']; ability: readonly [PolicyAction, PolicySubject] }) {
  const [action, subject] = lent.ability;
  // A rule listing several actions is lent for this one action only.
  return defineRulesFor({ ...principal, role: lent.role })
    .filter((r) => r.subject === subject && (Array.isArray(r.action) ? r.action.includes(action) : r.action === action))
    .map((r) => ({ ...r, action }));
}
