'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { signOff } from '@/lib/dal/access-reviews';
import { SignOffSchema } from '@/lib/validation/access-reviews';

/**
 * Signs an access review campaign off with a statement (the reason), after a
 * step-up, and closes it: its coverage goes into the review.sign_off event.
 */
export const signOffReviewAction = defineAction(
  { op: 'review.sign_off', input: SignOffSchema, target: (i) => i.reviewId },
  async ({ input, authz }) => {
    const result = await signOff(authz, { reviewId: input.reviewId });
    revalidatePath(`/access/reviews/${input.reviewId}`);
    revalidatePath('/access');
    return { seq: result.seq, pending: result.coverage.pending };
  },
);
