'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { setRoleSuspended } from '@/lib/dal/role-admin';
import { RoleTargetSchema } from '@/lib/validation/users';

/** Suspends a whole role (superadmin, step-up, reason). */
export const suspendRoleAction = defineAction(
  { op: 'role.suspend', input: RoleTargetSchema, target: (i) => i.role },
  async ({ input, authz }) => {
    const result = await setRoleSuspended(authz, input.role, true);
    revalidatePath('/roles');
    return result;
  },
);
