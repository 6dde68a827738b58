'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { rejectRequest } from '@/lib/dal/approvals';
import { RejectRequestSchema } from '@/lib/validation/approvals';

/** Rejects another person's request, with a reason. */
export const rejectRequestAction = defineAction(
  { op: 'approval.reject', input: RejectRequestSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    await rejectRequest(authz, input.id);
    revalidatePath('/', 'layout');
    return null;
  },
);
