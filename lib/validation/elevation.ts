import { z } from 'zod';
import { OPERATIONS } from '@/policies/operations';
import { CONSOLE_ROLES } from '@/policies/roles';
import { ReasonFields } from './reason';
import { RecordIdSchema } from './users';

const OPERATION_IDS = Object.keys(OPERATIONS) as [keyof typeof OPERATIONS, ...(keyof typeof OPERATIONS)[]];

/** Minutes an elevation may be asked for; the configured maximum (elevation.max_duration) is checked on the server. */
export const ElevationMinutesSchema = z.coerce
  .number({ error: 'Say for how many minutes.' })
  .int({ error: 'Whole minutes only.' })
  .min(5, { error: 'At least 5 minutes.' })
  .max(480, { error: 'At most 8 hours.' });

/**
 * Asking for a time-bound elevation. `userId` and `baseRole` are the requester's
 * own id and role: the policy allows a request only when they match the viewer
 * (so the same record can be checked again for the approver and on execution).
 */
export const ElevationRequestSchema = z
  .strictObject({
    userId: RecordIdSchema,
    baseRole: z.enum(CONSOLE_ROLES),
    scope: z.enum(['role', 'operation'], { error: 'Choose a whole role or one operation.' }),
    role: z.enum(CONSOLE_ROLES, { error: 'Choose the role to hold.' }),
    operation: z.enum(OPERATION_IDS, { error: 'Choose an operation from the list.' }).optional(),
    minutes: ElevationMinutesSchema,
    ...ReasonFields,
  })
  .refine((v) => (v.scope === 'operation') === (v.operation !== undefined), {
    error: 'Choose the operation (only when asking for one operation).',
    path: ['operation'],
  });
export type ElevationRequestInput = z.input<typeof ElevationRequestSchema>;

/** Break-glass: a superadmin, for themselves, with a reason, for a bounded time. */
export const BreakGlassSchema = z.strictObject({
  userId: RecordIdSchema,
  minutes: ElevationMinutesSchema,
  ...ReasonFields,
});
export type BreakGlassInput = z.input<typeof BreakGlassSchema>;

export const EndElevationSchema = z.strictObject({ id: RecordIdSchema, ...ReasonFields });
export type EndElevationInput = z.input<typeof EndElevationSchema>;

/** The elevations list: status filter and page, from the URL (bad values fall back to defaults). */
export const ElevationListSchema = z.object({
  status: z.enum(['active', 'all', 'break_glass', 'mine']).catch('active'),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});
