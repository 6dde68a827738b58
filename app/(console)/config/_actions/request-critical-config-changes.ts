'use server';

import { revalidatePath } from 'next/cache';
import { APPROVABLE } from '@/lib/approvals/approvable';
import { defineAction } from '@/lib/authz/define-action';

const critical = APPROVABLE['config.apply_critical'];

/**
 * A change set that includes critical keys: the requester's step-up and reason
 * freeze it as a two-person request (APPROVAL_REQUIRED with the request id); it
 * is applied only when a superadmin other than the requester approves it.
 */
export const requestCriticalConfigChangesAction = defineAction(
  { op: 'config.apply_critical', ...critical.spec },
  async ({ input, authz }) => {
    const result = await critical.execute(authz, input);
    revalidatePath('/', 'layout');
    return result;
  },
);
