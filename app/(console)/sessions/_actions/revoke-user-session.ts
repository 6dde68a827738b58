'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { revokeUserSession } from '@/lib/dal/session-admin';
import { SessionTargetSchema } from '@/lib/validation/users';

/** Ends one session of another user (reason); the browser loses access on its next request. */
export const revokeUserSessionAction = defineAction(
  { op: 'session.revoke_user', input: SessionTargetSchema, target: (i) => i.id },
  async ({ input, authz }) => {
    await revokeUserSession(authz, input.id);
    revalidatePath('/sessions');
    revalidatePath('/users');
    return null;
  },
);
