/**
 * Why an audit event's decision came out as it did, for the audit browser's
 * event detail: the rule id recorded in the event (`decision`) looked up in the
 * rules of the actor's role, or, for decisions that are not CASL rules (sign-in,
 * step-up, CLIs), a sentence. Pure: no I/O.
 */
import { isRole } from './roles';
import { defineRulesFor, DEFAULT_DENY, type PolicyRule } from './rules';

/** Decisions made outside the CASL rules, in plain words. */
export const NON_RULE_DECISIONS: Readonly<Record<string, string>> = {
  [DEFAULT_DENY]: 'No rule of the policy allowed it, so it was refused (deny by default).',
  'authz.not_found': 'The record the request named does not exist (or is not visible to the actor).',
  'authn.required': 'The request had no valid session.',
  'authn.password': 'Sign-in policy: password check (policies/authentication.ts).',
  'authn.second_factor': 'Sign-in policy: second-factor check (policies/authentication.ts).',
  'authn.mfa': 'Sign-in policy: a second factor is required for console roles.',
  'authn.passkey': 'Sign-in policy: passkey (WebAuthn) verification.',
  'authn.session_policy': 'Session policy: idle and absolute limits, revocation and user or role state.',
  'authn.step_up': 'Step-up policy: a fresh passkey or authenticator-code proof bound to one operation and input.',
  'authn.throttle': 'Sign-in throttling: per-account and per-address limits.',
  'account.own': 'Own-account rule: every console user manages their own second factors and password.',
  'session.own': 'Own-session rule: every console user may end their own sessions.',
  'bootstrap.demo_seed': 'Demo seed run by the operator on the server (not a console action).',
  'bootstrap.first_superadmin': 'First-run setup on the server created the first superadmin.',
  'bootstrap.cli_unlock': 'An operator unlocked an account with the server CLI.',
  'cli.audit_keys_rotate': 'An operator rotated the checkpoint signing key with the server CLI.',
  'console.audit_bundle': 'A verifier of the trail downloaded an export bundle from the console.',
  'public.invitation_token': 'A valid, unused, unexpired one-time invitation link.',
  'governance.inactivity': 'The scheduled inactivity rules (inactivity.suspend_after, session limits, invitation expiry).',
  'governance.elevation_expiry':
    'A time-bound elevation reached its expiry (or its holder’s account changed); the scheduled job recorded its end.',
  'public.password_reset_token': 'A valid, unused, unexpired one-time password-reset link sent to the user’s address.',
};

export interface RuleExplanation {
  id: string;
  /** The CASL rule, when the decision was one. */
  rule: {
    actions: string[];
    subject: string;
    /** Conditions as a Prisma where fragment, with the actor's own id shown as "<actor>". */
    conditions: unknown;
    /** A refusing rule (e.g. hierarchy.not_self). */
    inverted: boolean;
  } | null;
  /** A sentence for decisions that are not CASL rules. */
  text: string | null;
}

const ACTOR_PLACEHOLDER = '<actor>';

/**
 * Explains `decision` for an actor who held `role` — in the CURRENT policy; the
 * event's own policyVersion says whether the policy has changed since.
 */
export function explainDecision(decision: string | null, role: string | null, lentRole: string | null = null): RuleExplanation | null {
  if (!decision) return null;
  // Under an elevation to one operation, the deciding rule is the lent role's.
  for (const r of [role, lentRole]) {
    const found = r ? ruleOf(decision, r) : null;
    if (found) return found;
  }
  return { id: decision, rule: null, text: NON_RULE_DECISIONS[decision] ?? null };
}

function ruleOf(decision: string, role: string): RuleExplanation | null {
  if (isRole(role)) {
    const rules: PolicyRule[] = defineRulesFor({ id: ACTOR_PLACEHOLDER, role, status: 'active', roleSuspended: false });
    const found = rules.find((r) => r.reason === decision);
    if (found) {
      return {
        id: decision,
        rule: {
          actions: Array.isArray(found.action) ? [...found.action] : [found.action],
          subject: String(found.subject),
          conditions: found.conditions ?? null,
          inverted: !!found.inverted,
        },
        text: null,
      };
    }
  }
  return null;
}
