import { z } from 'zod';

/**
 * The usage report's URL parameters (/access and /access/users/<id>). Invalid
 * values fall back to the defaults: a tampered link shows the default report,
 * never an error page.
 */

/** How many days back "used recently" looks (the same bounds as a campaign's evidence window). */
export const USAGE_DAYS = { min: 7, max: 365, default: 90 } as const;

/** Preset windows offered as links (any value in bounds is accepted from the URL). */
export const USAGE_DAY_PRESETS = [30, 90, 180, 365] as const;

export const UsageDaysSchema = z.coerce
  .number()
  .int()
  .min(USAGE_DAYS.min)
  .max(USAGE_DAYS.max)
  .catch(USAGE_DAYS.default)
  .default(USAGE_DAYS.default);

/** /access: the window, and the user finder's text (a name or email fragment). */
export const UsageOverviewQuerySchema = z.object({
  days: UsageDaysSchema,
  q: z
    .string()
    .trim()
    .max(100)
    .transform((s) => s.replace(/[\u0000-\u001f\u007f]/g, ''))
    .optional()
    .catch(undefined),
});
export type UsageOverviewQuery = z.infer<typeof UsageOverviewQuerySchema>;

/** /access/users/<id>: the window and "unused only". */
export const UserUsageQuerySchema = z.object({
  days: UsageDaysSchema,
  unused: z
    .enum(['1'])
    .optional()
    .catch(undefined)
    .transform((v) => v === '1'),
});
export type UserUsageQuery = z.infer<typeof UserUsageQuerySchema>;

/** The days parameter for the DAL (also validates programmatic calls). */
export function usageDays(value: unknown): number {
  return UsageDaysSchema.parse(value);
}
