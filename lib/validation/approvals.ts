import { z } from 'zod';
import { ReasonFields } from './reason';
import { RecordIdSchema } from './users';

/** The digest an approver saw: approving anything else is refused. */
export const ApprovalDigestSchema = z.string().regex(/^[0-9a-f]{64}$/, { error: 'Open the request again.' });

export const ApproveRequestSchema = z.strictObject({ id: RecordIdSchema, digest: ApprovalDigestSchema, ...ReasonFields });
export type ApproveRequestInput = z.input<typeof ApproveRequestSchema>;

export const RejectRequestSchema = z.strictObject({ id: RecordIdSchema, ...ReasonFields });
export type RejectRequestInput = z.input<typeof RejectRequestSchema>;

export const CancelRequestSchema = z.strictObject({ id: RecordIdSchema, ...ReasonFields });
export type CancelRequestInput = z.input<typeof CancelRequestSchema>;

export const APPROVAL_STATUSES = ['pending', 'approved', 'executed', 'rejected', 'cancelled', 'expired', 'voided', 'failed'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** The inbox's filters, from the URL (invalid values are dropped). */
export const ApprovalListSchema = z.object({
  status: z
    .enum([...APPROVAL_STATUSES, 'all'])
    .catch('pending')
    .default('pending'),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});
