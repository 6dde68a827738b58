'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { revokeUserSessions } from '@/lib/dal/user-admin';
import { UserTargetSchema } from '@/lib/validation/users';

/** Ends every session of a user (step-up, reason). */
export const revokeUserSessionsAction = defineAction(
  { op: 'user.revoke_sessions', input: UserTargetSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    const result = await revokeUserSessions(authz, input.id);
    revalidatePath('/users');
    return result;
  },
);
