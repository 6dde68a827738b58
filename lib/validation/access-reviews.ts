import { z } from 'zod';
import { CONSOLE_ROLES } from '@/policies/roles';
import { EmailSchema } from './auth';
import { ReasonFields } from './reason';
import { RecordIdSchema } from './users';

/**
 * Access review campaigns (issue 10): who is reviewed (console roles and/or
 * named console users), by whom (1–10 active admins or superadmins), by when
 * (a future date at most 90 days ahead — the DAL checks it against the server
 * clock) and over how many days of usage evidence.
 */

export const REVIEW_STATUSES = ['open', 'closed'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
export const REVIEW_KINDS = ['campaign', 'break_glass'] as const;
export const REVIEW_DECISIONS = ['pending', 'keep', 'change_role', 'suspend'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export const REVIEW_MAX_DUE_DAYS = 90;
export const REVIEW_USAGE_DAYS = { min: 7, max: 365, default: 90 } as const;
export const REVIEW_MAX_REVIEWERS = 10;
export const REVIEW_MAX_LISTED_USERS = 500;

/** Text people type: trimmed, bounded, no control characters. */
const TitleSchema = z
  .string({ error: 'Enter a title.' })
  .trim()
  .min(3, { error: 'Write at least 3 characters for the title.' })
  .max(200, { error: 'Keep the title under 200 characters.' })
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { error: 'Use plain text.' });

/** A checkbox group as react-hook-form gives it (array, one string, or false when none) or as JSON (array). */
const checkboxList = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === false || v === undefined || v === null || v === '' ? [] : typeof v === 'string' ? [v] : v), z.array(item));

/** A due date: YYYY-MM-DD (the end of that day, UTC) or a full ISO timestamp. */
export const DueAtSchema = z
  .string({ error: 'Choose a due date.' })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/, { error: 'Choose a due date.' })
  .transform((s, ctx) => {
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T23:59:59.999Z` : s);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'Choose a due date.' });
      return z.NEVER;
    }
    return d;
  });

/** Emails typed into a text area, one per line (commas and spaces also separate them). */
export const EmailListSchema = z
  .string()
  .max(40_000, { error: 'That list is too long.' })
  .optional()
  .transform((s, ctx) => {
    const parts = (s ?? '')
      .split(/[\s,;]+/)
      .map((p) => p.trim())
      .filter(Boolean);
    const emails: string[] = [];
    for (const p of parts) {
      const parsed = EmailSchema.safeParse(p);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: `“${p.slice(0, 60)}” is not an email address.` });
        return z.NEVER;
      }
      if (!emails.includes(parsed.data)) emails.push(parsed.data);
    }
    if (emails.length > REVIEW_MAX_LISTED_USERS) {
      ctx.addIssue({ code: 'custom', message: `List at most ${REVIEW_MAX_LISTED_USERS} people.` });
      return z.NEVER;
    }
    return emails;
  });

export const StartReviewSchema = z
  .strictObject({
    title: TitleSchema,
    roles: checkboxList(z.enum(CONSOLE_ROLES, { error: 'Only console roles can be reviewed.' })).pipe(
      z.array(z.enum(CONSOLE_ROLES)).max(CONSOLE_ROLES.length),
    ),
    userIds: checkboxList(RecordIdSchema).pipe(z.array(RecordIdSchema).max(REVIEW_MAX_LISTED_USERS)),
    /** People named by email (the form's text area); resolved to console users by the server. */
    userEmails: EmailListSchema,
    reviewerIds: checkboxList(RecordIdSchema).pipe(
      z
        .array(RecordIdSchema)
        .min(1, { error: 'Choose at least one reviewer.' })
        .max(REVIEW_MAX_REVIEWERS, { error: `Choose at most ${REVIEW_MAX_REVIEWERS} reviewers.` }),
    ),
    dueAt: DueAtSchema,
    usageDays: z.coerce
      .number({ error: 'Enter a number of days.' })
      .int({ error: 'Enter a whole number of days.' })
      .min(REVIEW_USAGE_DAYS.min, { error: `At least ${REVIEW_USAGE_DAYS.min} days.` })
      .max(REVIEW_USAGE_DAYS.max, { error: `At most ${REVIEW_USAGE_DAYS.max} days.` })
      .default(REVIEW_USAGE_DAYS.default),
    ...ReasonFields,
  })
  .superRefine((v, ctx) => {
    if (v.roles.length === 0 && v.userIds.length === 0 && (v.userEmails ?? []).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['roles'], message: 'Choose at least one role, or list people to review.' });
    }
    if (new Set(v.reviewerIds).size !== v.reviewerIds.length) {
      ctx.addIssue({ code: 'custom', path: ['reviewerIds'], message: 'Each reviewer once.' });
    }
  });
export type StartReviewInput = z.input<typeof StartReviewSchema>;
export type StartReviewValues = z.output<typeof StartReviewSchema>;

/**
 * A reviewer's "keep" decision on one item. Changing a role or suspending runs
 * through user.role_change / user.role_grant_privileged / user.suspend with the
 * item's id (accessReviewItemId), never through this.
 */
export const DecideSchema = z.strictObject({
  reviewId: RecordIdSchema,
  itemId: RecordIdSchema,
  decision: z.literal('keep', { error: 'Only “keep” is recorded here; a change runs through its own operation.' }),
  ...ReasonFields,
});
export type DecideInput = z.input<typeof DecideSchema>;

/** The sign-off: the reason is the statement recorded (required by the catalog). */
export const SignOffSchema = z.strictObject({ reviewId: RecordIdSchema, ...ReasonFields });
export type SignOffInput = z.input<typeof SignOffSchema>;

/** The campaigns list: ?status=open|closed|all&page=N (anything else falls back). */
export const ReviewListSchema = z.object({
  status: z
    .enum([...REVIEW_STATUSES, 'all'])
    .catch('open')
    .default('open'),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});
export type ReviewListFilter = z.output<typeof ReviewListSchema>['status'];

/** A campaign page's id segment. */
export const ReviewIdParamSchema = RecordIdSchema;
