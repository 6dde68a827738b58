import { z } from 'zod';
import { ReasonFields } from './reason';
import { IncidentRefFields, RecordIdSchema } from './users';

export const INCIDENT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const INCIDENT_STATUSES = ['open', 'contained', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Text people type into an incident: trimmed, bounded, no control characters except newlines. */
const text = (label: string, max: number, min = 1) =>
  z
    .string({ error: `Enter ${label}.` })
    .trim()
    .min(min, { error: min > 1 ? `Write at least ${min} characters for ${label}.` : `Enter ${label}.` })
    .max(max, { error: `Keep ${label} under ${max} characters.` })
    .refine((s) => !/[\u0000-\u0009\u000b-\u001f\u007f]/.test(s), { error: 'Use plain text.' });

export const OpenIncidentSchema = z.strictObject({
  title: text('a title', 200, 3),
  severity: z.enum(INCIDENT_SEVERITIES, { error: 'Choose a severity.' }),
  alertId: RecordIdSchema.optional(),
  ...ReasonFields,
});
export type OpenIncidentInput = z.input<typeof OpenIncidentSchema>;

export const IncidentNoteSchema = z.strictObject({ id: RecordIdSchema, note: text('a note', 4000) });
export const IncidentLinkAlertSchema = z.strictObject({ id: RecordIdSchema, alertId: RecordIdSchema });
export const IncidentStatusSchema = z.strictObject({ id: RecordIdSchema, status: z.enum(['open', 'contained']), ...ReasonFields });
export const CloseIncidentSchema = z.strictObject({
  id: RecordIdSchema,
  whatHappened: text('what happened', 8000, 10),
  impact: text('the impact', 4000, 3),
  followUps: text('the follow-ups', 4000, 3),
});
export type CloseIncidentInput = z.input<typeof CloseIncidentSchema>;

export const RevokeAllSessionsSchema = z.strictObject({ ...ReasonFields, ...IncidentRefFields });
export const LockdownSchema = z.strictObject({
  enabled: z.boolean(),
  /** read_only: others can read but not act; sign_out: others are signed out and cannot sign in. */
  mode: z.enum(['read_only', 'sign_out']).default('read_only'),
  ...ReasonFields,
  ...IncidentRefFields,
});
export type LockdownInput = z.input<typeof LockdownSchema>;

export const IncidentListSchema = z.object({
  status: z
    .enum([...INCIDENT_STATUSES, 'active', 'all'])
    .catch('active')
    .default('active'),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});
