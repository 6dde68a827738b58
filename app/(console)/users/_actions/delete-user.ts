'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { deleteUser } from '@/lib/dal/user-admin';
import { ConfirmedUserTargetSchema } from '@/lib/validation/users';

/** Deletes a user (soft delete; step-up, reason, typed email); their sessions end. */
export const deleteUserAction = defineAction(
  { op: 'user.delete', input: ConfirmedUserTargetSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    const result = await deleteUser(authz, input.id, input.confirmEmail);
    revalidatePath('/users');
    return result;
  },
);
