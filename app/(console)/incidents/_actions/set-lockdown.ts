'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { setLockdown } from '@/lib/dal/containment';
import { LockdownSchema } from '@/lib/validation/incidents';

/** Containment: lockdown on (read-only or signed out for everyone but superadmins) or off (step-up, reason). */
export const setLockdownAction = defineAction(
  { op: 'system.lockdown', input: LockdownSchema, draft: () => ({}) },
  async ({ input, authz }) => {
    const result = await setLockdown(authz, input);
    revalidatePath('/', 'layout');
    return result;
  },
);
