'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { suspendUser } from '@/lib/dal/user-admin';
import { UserTargetSchema } from '@/lib/validation/users';

/** Suspends a user (step-up, reason); their sessions end. */
export const suspendUserAction = defineAction(
  { op: 'user.suspend', input: UserTargetSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    const result = await suspendUser(authz, input.id);
    revalidatePath('/users');
    return result;
  },
);
