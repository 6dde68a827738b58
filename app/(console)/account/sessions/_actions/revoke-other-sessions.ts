'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { revokeMyOtherSessions } from '@/lib/dal/sessions';
import { EmptySchema } from '@/lib/validation/auth';

/** Ends every session of the viewer except the one making this request. */
export const revokeOtherSessionsAction = defineAction({ op: 'session.revoke_own_others', input: EmptySchema }, async ({ viewer }) => {
  const count = viewer ? await revokeMyOtherSessions(viewer) : 0;
  revalidatePath('/account/sessions');
  return { count };
});
