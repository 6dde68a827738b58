'use server';

import { revalidatePath } from 'next/cache';
import { APPROVABLE } from '@/lib/approvals/approvable';
import { defineAction } from '@/lib/authz/define-action';

const grant = APPROVABLE['user.role_grant_privileged'];

/**
 * Grants or removes the admin or superadmin role. Two-person: after the rule,
 * reason and step-up checks, defineAction freezes the exact request for a second
 * superadmin (lib/dal/approvals.ts) and returns APPROVAL_REQUIRED with its id;
 * the handler runs only when that approval executes it (as the requester,
 * policy checked again).
 */
export const grantPrivilegedRoleAction = defineAction({ op: 'user.role_grant_privileged', ...grant.spec }, async ({ input, authz }) => {
  const result = await grant.execute(authz, input);
  revalidatePath('/users');
  return result;
});
