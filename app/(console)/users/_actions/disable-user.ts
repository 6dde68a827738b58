'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { disableUser } from '@/lib/dal/user-admin';
import { UserTargetSchema } from '@/lib/validation/users';

/** Disables a user (step-up, reason); their sessions end. */
export const disableUserAction = defineAction(
  { op: 'user.disable', input: UserTargetSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    const result = await disableUser(authz, input.id);
    revalidatePath('/users');
    return result;
  },
);
