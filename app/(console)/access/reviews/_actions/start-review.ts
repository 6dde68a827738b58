'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { startReview } from '@/lib/dal/access-reviews';
import { StartReviewSchema } from '@/lib/validation/access-reviews';

/**
 * Starts an access review campaign (superadmins): the people in scope, the
 * reviewers and the due date, with one review.start event. Returns the new
 * campaign's id and number.
 */
export const startReviewAction = defineAction(
  { op: 'review.start', input: StartReviewSchema, draft: () => ({ kind: 'campaign', status: 'open' }) },
  async ({ input, authz }) => {
    const result = await startReview(authz, input);
    revalidatePath('/access');
    return result;
  },
);
