'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { revokeAllSessions } from '@/lib/dal/containment';
import { RevokeAllSessionsSchema } from '@/lib/validation/incidents';

/** Containment: ends every session of every user except the caller's own (step-up, reason). */
export const revokeAllSessionsAction = defineAction(
  { op: 'session.revoke_all', input: RevokeAllSessionsSchema, draft: () => ({}) },
  async ({ authz }) => {
    const result = await revokeAllSessions(authz);
    revalidatePath('/', 'layout');
    return result;
  },
);
