/**
 * The operation catalog: every state-changing operation, with who may attempt it
 * and what it demands. defineAction reads this, so the policy for an operation
 * lives in one reviewable place. Anything not listed cannot be written as an
 * action (the type of `op` is the set of ids below).
 */

export type Risk = 'low' | 'high' | 'critical';

export interface OperationDefinition {
  id: string;
  /** Plain words, for the audit viewer and reviewers. */
  description: string;
  /** anonymous: no session needed (sign-in); viewer: any signed-in console user. */
  audience: 'anonymous' | 'viewer';
  risk: Risk;
  /** A fresh WebAuthn proof bound to this exact input is required. */
  stepUp: boolean;
  reason: 'none' | 'optional' | 'required';
  /**
   * Allowed to a signed-in user who has not enrolled a second factor yet (enrolment
   * itself). Such a user has nothing to step up with, so for a step-up operation a
   * password sign-in within FRESH_SIGN_IN_MS stands in for the proof.
   */
  duringEnrolment?: boolean;
  /**
   * The input fields a step-up binds to (default: the whole input). Secrets such as
   * passwords are left out so that no hash of them ever reaches a binding or the trail.
   */
  stepUpBinds?: readonly string[];
}

export const OPERATIONS = {
  'auth.sign_in': {
    id: 'auth.sign_in',
    description: 'Sign in: a password, then a second factor; or a passkey alone',
    audience: 'anonymous',
    risk: 'low',
    stepUp: false,
    reason: 'none',
  },
  'auth.second_factor': {
    id: 'auth.second_factor',
    description: 'Complete a sign-in with an authenticator code, a recovery code or a passkey',
    audience: 'anonymous',
    risk: 'low',
    stepUp: false,
    reason: 'none',
  },
  'auth.sign_out': {
    id: 'auth.sign_out',
    description: 'Sign out of this browser',
    audience: 'viewer',
    risk: 'low',
    stepUp: false,
    reason: 'none',
    duringEnrolment: true,
  },
  'auth.step_up': {
    id: 'auth.step_up',
    description: 'Confirm it is me (passkey or authenticator code) for one exact operation',
    audience: 'viewer',
    risk: 'low',
    stepUp: false,
    reason: 'none',
  },
  'session.revoke_own': {
    id: 'session.revoke_own',
    description: 'End one of my own sessions',
    audience: 'viewer',
    risk: 'low',
    stepUp: false,
    reason: 'none',
  },
  'session.revoke_own_others': {
    id: 'session.revoke_own_others',
    description: 'End all my sessions except this one',
    audience: 'viewer',
    risk: 'low',
    stepUp: false,
    reason: 'none',
  },
  'account.totp_enable': {
    id: 'account.totp_enable',
    description: 'Add an authenticator app',
    audience: 'viewer',
    risk: 'high',
    stepUp: true,
    reason: 'none',
    duringEnrolment: true,
  },
  'account.totp_disable': {
    id: 'account.totp_disable',
    description: 'Remove my authenticator app',
    audience: 'viewer',
    risk: 'high',
    stepUp: true,
    reason: 'none',
  },
  'account.passkey_register': {
    id: 'account.passkey_register',
    description: 'Register a passkey',
    audience: 'viewer',
    risk: 'high',
    stepUp: true,
    reason: 'none',
    duringEnrolment: true,
  },
  'account.passkey_register_finish': {
    id: 'account.passkey_register_finish',
    description: 'Finish registering a passkey (needs the challenge a confirmed registration start issued)',
    audience: 'viewer',
    risk: 'low',
    stepUp: false,
    reason: 'none',
    duringEnrolment: true,
  },
  'account.passkey_rename': {
    id: 'account.passkey_rename',
    description: 'Rename one of my passkeys',
    audience: 'viewer',
    risk: 'low',
    stepUp: false,
    reason: 'none',
  },
  'account.passkey_remove': {
    id: 'account.passkey_remove',
    description: 'Remove one of my passkeys',
    audience: 'viewer',
    risk: 'high',
    stepUp: true,
    reason: 'none',
  },
  'account.recovery_codes_generate': {
    id: 'account.recovery_codes_generate',
    description: 'Generate new recovery codes (the old ones stop working)',
    audience: 'viewer',
    risk: 'high',
    stepUp: true,
    reason: 'none',
  },
  'account.password_change': {
    id: 'account.password_change',
    description: 'Change my password',
    audience: 'viewer',
    risk: 'high',
    stepUp: true,
    reason: 'none',
    stepUpBinds: ['signOutOthers'],
  },
} as const satisfies Record<string, OperationDefinition>;

export type OperationId = keyof typeof OPERATIONS;

/** The operations the catalog marks as step-up. */
export type StepUpOperationId = { [K in OperationId]: (typeof OPERATIONS)[K]['stepUp'] extends true ? K : never }[OperationId];

/** Their ids, derived from the catalog (so a client may ask for a step-up of exactly these). */
export const STEP_UP_OPERATION_IDS = (Object.keys(OPERATIONS) as OperationId[]).filter(
  (id): id is StepUpOperationId => OPERATIONS[id].stepUp,
) as [StepUpOperationId, ...StepUpOperationId[]];

/** How recent a sign-in must be to stand in for a step-up during first enrolment. */
export const FRESH_SIGN_IN_MS = 10 * 60 * 1000;

/** The part of an input a step-up for `op` is bound to (see stepUpBinds). */
export function stepUpBindingInput(op: OperationDefinition, input: unknown): unknown {
  if (!op.stepUpBinds || typeof input !== 'object' || input === null) return input;
  const source = input as Record<string, unknown>;
  return Object.fromEntries(op.stepUpBinds.filter((k) => k in source).map((k) => [k, source[k]]));
}

/** The catalog entry of an operation. */
export function operation(id: OperationId): OperationDefinition {
  return OPERATIONS[id];
}
