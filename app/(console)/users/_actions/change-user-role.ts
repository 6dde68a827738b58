'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { changeUserRole } from '@/lib/dal/user-admin';
import { ChangeRoleSchema } from '@/lib/validation/users';

/**
 * Changes a user's role between member, support and auditor (step-up, reason).
 * The ability is checked on the user as they are and as they would be, so this
 * cannot make anyone an admin or superadmin (that is user.role_grant_privileged).
 */
export const changeUserRoleAction = defineAction(
  { op: 'user.role_change', input: ChangeRoleSchema, target: (i) => i.id, after: (i, before) => ({ ...before, role: i.role }) },
  async ({ input, authz }) => {
    const result = await changeUserRole(authz, input.id, input.role);
    revalidatePath('/users');
    return result;
  },
);
