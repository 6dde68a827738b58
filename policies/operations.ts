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
}

export const OPERATIONS = {
  'auth.sign_in': {
    id: 'auth.sign_in',
    description: 'Sign in with email and password',
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
} as const satisfies Record<string, OperationDefinition>;

export type OperationId = keyof typeof OPERATIONS;

/** The catalog entry of an operation. */
export function operation(id: OperationId): OperationDefinition {
  return OPERATIONS[id];
}
