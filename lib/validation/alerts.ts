import { z } from 'zod';
import { RULE_IDS } from '@/lib/monitoring/rules';
import { ReasonFields } from './reason';
import { RecordIdSchema } from './users';

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const ALERT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

export const AlertTargetSchema = z.strictObject({ id: RecordIdSchema, ...ReasonFields });
export type AlertTargetInput = z.input<typeof AlertTargetSchema>;

/** The alerts list's filters, from the URL (invalid values fall back). */
export const AlertListSchema = z.object({
  status: z
    .enum([...ALERT_STATUSES, 'active', 'all'])
    .catch('active')
    .default('active'),
  severity: z.enum(ALERT_SEVERITIES).optional().catch(undefined),
  rule: z
    .enum(RULE_IDS as [string, ...string[]])
    .optional()
    .catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});
