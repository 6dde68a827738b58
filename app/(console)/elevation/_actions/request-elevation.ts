'use server';

import { revalidatePath } from 'next/cache';
import { APPROVABLE } from '@/lib/approvals/approvable';
import { defineAction } from '@/lib/authz/define-action';

const elevation = APPROVABLE['elevation.request'];

/**
 * Asks for a time-bound elevation. Two-person: after the rule, reason and
 * step-up checks defineAction freezes the request (APPROVAL_REQUIRED with its
 * id); the elevation starts only when a superadmin other than the requester
 * approves it, and ends by itself.
 */
export const requestElevationAction = defineAction({ op: 'elevation.request', ...elevation.spec }, async ({ input, authz }) => {
  const result = await elevation.execute(authz, input);
  revalidatePath('/elevation');
  return result;
});
