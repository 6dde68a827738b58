'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { reactivateUser } from '@/lib/dal/user-admin';
import { UserTargetSchema } from '@/lib/validation/users';

/** Reactivates a suspended or disabled user (step-up, reason). */
export const reactivateUserAction = defineAction(
  { op: 'user.reactivate', input: UserTargetSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    const result = await reactivateUser(authz, input.id);
    revalidatePath('/users');
    return result;
  },
);
