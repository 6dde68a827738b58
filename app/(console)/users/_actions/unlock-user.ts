'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { unlockUser } from '@/lib/dal/user-admin';
import { UserTargetSchema } from '@/lib/validation/users';

/** Unlocks an account locked by failed sign-ins (reason). */
export const unlockUserAction = defineAction(
  { op: 'user.unlock', input: UserTargetSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    const result = await unlockUser(authz, input.id);
    revalidatePath('/users');
    return result;
  },
);
