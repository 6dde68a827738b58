'use server';

import { revalidatePath } from 'next/cache';
import { clearSessionCookie } from '@/lib/auth/next-auth';
import { defineAction } from '@/lib/authz/define-action';
import { revokeMySession } from '@/lib/dal/sessions';
import { SessionIdSchema } from '@/lib/validation/auth';

/** Ends one of the viewer's own sessions; ending the current one signs out. */
export const revokeSessionAction = defineAction({ op: 'session.revoke_own', input: SessionIdSchema }, async ({ input, viewer }) => {
  if (!viewer) return { signedOut: false };
  const { wasCurrent } = await revokeMySession(viewer, input.sessionId);
  if (wasCurrent) await clearSessionCookie();
  revalidatePath('/account/sessions');
  return { signedOut: wasCurrent };
});
