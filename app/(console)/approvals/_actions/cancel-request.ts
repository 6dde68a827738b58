'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { cancelRequest } from '@/lib/dal/approvals';
import { CancelRequestSchema } from '@/lib/validation/approvals';

/** The requester withdraws their own pending request. */
export const cancelRequestAction = defineAction(
  { op: 'approval.cancel', input: CancelRequestSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    await cancelRequest(authz, input.id);
    revalidatePath('/', 'layout');
    return null;
  },
);
