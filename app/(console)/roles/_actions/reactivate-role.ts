'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { setRoleSuspended } from '@/lib/dal/role-admin';
import { RoleTargetSchema } from '@/lib/validation/users';

/** Reactivates a whole role (superadmin, step-up, reason). */
export const reactivateRoleAction = defineAction(
  { op: 'role.reactivate', input: RoleTargetSchema, target: (i) => i.role },
  async ({ input, authz }) => {
    const result = await setRoleSuspended(authz, input.role, false);
    revalidatePath('/roles');
    return result;
  },
);
