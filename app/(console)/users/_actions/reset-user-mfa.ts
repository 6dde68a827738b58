'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { resetUserMfa } from '@/lib/dal/user-admin';
import { ConfirmedUserTargetSchema } from '@/lib/validation/users';

/** Removes a user's second factors (step-up, reason, typed email); their sessions end. */
export const resetUserMfaAction = defineAction(
  { op: 'user.reset_mfa', input: ConfirmedUserTargetSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    const result = await resetUserMfa(authz, input.id, input.confirmEmail);
    revalidatePath('/users');
    return result;
  },
);
