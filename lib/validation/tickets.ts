import { z } from 'zod';
import { passwordLinkSchema } from './auth';
import { ReasonFields } from './reason';
import { RecordIdSchema } from './users';

/** Ticket inputs (house style 14: one schema per input, used by the form and the action). All strict (T27). */

export const TICKET_STATUS_VALUES = ['open', 'pending', 'resolved', 'closed'] as const;
export const COMMENT_KIND_VALUES = ['reply', 'internal'] as const;
export const REVEALABLE_FIELD_VALUES = ['email', 'phone'] as const;
export const COMMENT_MAX = 5000;

const ticketId = RecordIdSchema;

export const TicketCommentSchema = z.strictObject({
  ticketId,
  kind: z.enum(COMMENT_KIND_VALUES, { error: 'Choose a reply or an internal note.' }),
  body: z
    .string({ error: 'Write something first.' })
    .trim()
    .min(1, { error: 'Write something first.' })
    .max(COMMENT_MAX, { error: `Keep it under ${COMMENT_MAX} characters.` }),
});
export type TicketCommentInput = z.input<typeof TicketCommentSchema>;

export const TicketStatusSchema = z.strictObject({
  ticketId,
  status: z.enum(TICKET_STATUS_VALUES, { error: 'Choose a status.' }),
});
export type TicketStatusInput = z.input<typeof TicketStatusSchema>;

export const TicketAssignSchema = z.strictObject({
  ticketId,
  /** An agent's user id, or null for the unassigned queue. */
  assigneeId: RecordIdSchema.nullable(),
  ...ReasonFields,
});
export type TicketAssignInput = z.input<typeof TicketAssignSchema>;

export const TicketTargetSchema = z.strictObject({ ticketId });
export type TicketTargetInput = z.input<typeof TicketTargetSchema>;

export const RevealRequesterFieldSchema = z.strictObject({
  ticketId,
  field: z.enum(REVEALABLE_FIELD_VALUES, { error: 'Choose a field.' }),
  ...ReasonFields,
});
export type RevealRequesterFieldInput = z.input<typeof RevealRequesterFieldSchema>;

export const RequesterActionSchema = z.strictObject({ ticketId, ...ReasonFields });
export type RequesterActionInput = z.input<typeof RequesterActionSchema>;

/** The tickets list's search params; anything unexpected falls back to a default. */
export const TicketListQuerySchema = z.object({
  status: z
    .enum([...TICKET_STATUS_VALUES, 'active'])
    .optional()
    .catch(undefined),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).optional().catch(undefined),
  assignee: z
    .string()
    .regex(/^(me|unassigned|[A-Za-z0-9_-]{1,64})$/)
    .optional()
    .catch(undefined),
  tag: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/)
    .optional()
    .catch(undefined),
  q: z
    .string()
    .trim()
    .max(100)
    .optional()
    .catch(undefined)
    .transform((v) => (v ? v : undefined)),
  sort: z.enum(['activity', 'created', 'priority']).catch('activity'),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});
export type TicketListQueryInput = z.infer<typeof TicketListQuerySchema>;

/** How long a password-reset link sent from a ticket works. */
export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;

/** The one-time token of a password-reset link (43 base64url characters, from the URL fragment). */
export const PasswordResetTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'This password-reset link is not valid.' });

export const CompletePasswordResetSchema = passwordLinkSchema(PasswordResetTokenSchema);
export type CompletePasswordResetInput = z.input<typeof CompletePasswordResetSchema>;
