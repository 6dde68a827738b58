import { z } from 'zod';

/**
 * The reason an operator gives for a change, stored in the audit event: free
 * text, or a ticket reference such as INC-1234, or both. The catalog says per
 * operation whether it is required; defineAction enforces it.
 */
export const REASON_MAX = 500;
export const REASON_MIN = 3;

export const ReasonFields = {
  reason: z
    .string()
    .trim()
    .max(REASON_MAX, { error: `Keep the reason under ${REASON_MAX} characters.` })
    .optional()
    .transform((v) => (v ? v : undefined)),
  ticketRef: z
    .string()
    .trim()
    .max(32)
    .regex(/^([A-Z][A-Z0-9]{1,9}-\d{1,9})?$/, { error: 'A ticket reference looks like INC-1234.' })
    .optional()
    .transform((v) => (v ? v : undefined)),
};

/** The reason and ticket reference found in a parsed input, if any. */
export function reasonOf(input: unknown): { reason: string | null; ticketRef: string | null } {
  if (typeof input !== 'object' || input === null) return { reason: null, ticketRef: null };
  const { reason, ticketRef } = input as { reason?: unknown; ticketRef?: unknown };
  return {
    reason: typeof reason === 'string' && reason.length > 0 ? reason : null,
    ticketRef: typeof ticketRef === 'string' && ticketRef.length > 0 ? ticketRef : null,
  };
}

/** Whether a reason satisfies a "required" catalog entry: enough text, or a ticket reference. */
export function hasSufficientReason(r: { reason: string | null; ticketRef: string | null }): boolean {
  return (r.reason !== null && [...r.reason].length >= REASON_MIN) || r.ticketRef !== null;
}
