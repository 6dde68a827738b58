'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { decideKeep } from '@/lib/dal/access-reviews';
import { DecideSchema } from '@/lib/validation/access-reviews';

/**
 * A reviewer keeps one person's access as it is, with a reason (review.decide).
 * Changing a role or suspending runs through the user operations with the
 * item's id instead. Nobody decides on their own access (refused, audited).
 */
export const decideKeepAction = defineAction(
  { op: 'review.decide', input: DecideSchema, target: (i) => i.reviewId },
  async ({ input, authz }) => {
    const result = await decideKeep(authz, { reviewId: input.reviewId, itemId: input.itemId });
    revalidatePath(`/access/reviews/${input.reviewId}`);
    return result;
  },
);
