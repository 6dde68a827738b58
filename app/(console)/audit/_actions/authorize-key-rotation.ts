'use server';

import { revalidatePath } from 'next/cache';
import { APPROVABLE } from '@/lib/approvals/approvable';
import { defineAction } from '@/lib/authz/define-action';

const rotation = APPROVABLE['audit.authorize_key_rotation'];

/**
 * Asks for one rotation of the checkpoint signing key. Two-person: this freezes
 * the request (APPROVAL_REQUIRED with its id); a second superadmin approves it,
 * and the operator then rotates with `npm run audit:keys -- rotate --approval <id>`.
 */
export const authorizeKeyRotationAction = defineAction(
  { op: 'audit.authorize_key_rotation', ...rotation.spec },
  async ({ input, authz }) => {
    const result = await rotation.execute(authz, input);
    revalidatePath('/audit/integrity');
    return result;
  },
);
