'use server';

import { clearSessionCookie } from '@/lib/auth/next-auth';
import { defineAction } from '@/lib/authz/define-action';
import { signOutViewer } from '@/lib/dal/sessions';
import { EmptySchema } from '@/lib/validation/auth';

/** Signs out: the Session row is revoked (audited) before the cookie is cleared. */
export const signOutAction = defineAction({ op: 'auth.sign_out', input: EmptySchema }, async ({ viewer }) => {
  if (viewer) await signOutViewer(viewer);
  await clearSessionCookie();
  return null;
});
