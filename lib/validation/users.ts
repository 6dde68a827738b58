import { z } from 'zod';
import { ROLES } from '@/policies/roles';
import { EmailSchema, passwordLinkSchema } from './auth';
import { ReasonFields } from './reason';

/** A record id as the database issues them (cuid); anything else is refused before a query sees it. */
export const RecordIdSchema = z.string({ error: 'Missing id.' }).regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'That id is not valid.' });

/** Acting on one user: suspend, reactivate, disable, unlock, revoke their sessions. */
/**
 * Containment actions can be done for an incident (from its page): the optional
 * incidentId puts their audit event on that incident's timeline.
 */
export const IncidentRefFields = { incidentId: RecordIdSchema.optional() };

/**
 * A reviewer's decision in an access review campaign (suspend, change role) runs
 * through the normal operation with the campaign item's id: the decision is
 * recorded on the item in the same transaction (lib/dal/audit-details.ts), and
 * any other operation carrying it is refused there.
 */
export const AccessReviewRefFields = { accessReviewItemId: RecordIdSchema.optional() };

export const UserTargetSchema = z.strictObject({ id: RecordIdSchema, ...ReasonFields, ...IncidentRefFields, ...AccessReviewRefFields });
export type UserTargetInput = z.input<typeof UserTargetSchema>;

/**
 * Irreversible operations on one user (delete, reset MFA): the operator types the
 * target's email, and the server checks it too (house style 17).
 */
export const ConfirmedUserTargetSchema = z.strictObject({
  id: RecordIdSchema,
  confirmEmail: z.string().trim().toLowerCase().max(254),
  ...ReasonFields,
});
export type ConfirmedUserTargetInput = z.input<typeof ConfirmedUserTargetSchema>;

export const ChangeRoleSchema = z.strictObject({
  id: RecordIdSchema,
  role: z.enum(ROLES, { error: 'Choose a role.' }),
  ...ReasonFields,
  ...AccessReviewRefFields,
});
export type ChangeRoleInput = z.input<typeof ChangeRoleSchema>;

export const UserNameSchema = z
  .string({ error: 'Enter a name.' })
  .trim()
  .min(1, { error: 'Enter a name.' })
  .max(120, { error: 'Keep the name under 120 characters.' });

export const InviteUserSchema = z.strictObject({
  email: EmailSchema,
  name: UserNameSchema,
  role: z.enum(ROLES, { error: 'Choose a role.' }),
  ...ReasonFields,
});
export type InviteUserInput = z.input<typeof InviteUserSchema>;

/** One session of another user. */
export const SessionTargetSchema = z.strictObject({ id: RecordIdSchema, ...ReasonFields, ...IncidentRefFields });
export type SessionTargetInput = z.input<typeof SessionTargetSchema>;

/** A whole role (suspend or reactivate). */
export const RoleTargetSchema = z.strictObject({ role: z.enum(ROLES, { error: 'Choose a role.' }), ...ReasonFields, ...IncidentRefFields });
export type RoleTargetInput = z.input<typeof RoleTargetSchema>;

/** An invitation link's token: 43 base64url characters (256 bits). */
export const InvitationTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'This invitation link is not valid.' });

export const AcceptInvitationSchema = passwordLinkSchema(InvitationTokenSchema);
export type AcceptInvitationInput = z.input<typeof AcceptInvitationSchema>;

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 72 * 60 * 60 * 1000;
