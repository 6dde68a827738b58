/**
 * What every server action returns (house style 15). Expected failures are
 * values, not exceptions; unexpected ones become INTERNAL with the correlation
 * id the user can quote. Never carries database rows or internals.
 */
export type ActionErrorCode =
  | 'VALIDATION'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'STEP_UP_REQUIRED'
  | 'REASON_REQUIRED'
  | 'APPROVAL_REQUIRED'
  | 'RATE_LIMITED'
  | 'CONFLICT'
  | 'INVALID_CREDENTIALS'
  | 'INTERNAL';

export type ActionFailure = {
  ok: false;
  code: ActionErrorCode;
  message: string;
  fieldErrors?: Record<string, string[]>;
  correlationId: string;
  /** With APPROVAL_REQUIRED: the request this call made, waiting for a second person. */
  approval?: { id: string; expiresAt: string };
};

export type ActionResult<T = null> = { ok: true; data: T } | ActionFailure;

/** A failure the handler returns on purpose; defineAction adds the correlation id. */
export class ActionError extends Error {
  constructor(
    readonly code: ActionErrorCode,
    message: string,
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
    this.name = 'ActionError';
  }
}
