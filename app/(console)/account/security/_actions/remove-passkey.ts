'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { removePasskeyForViewer } from '@/lib/dal/account-security';
import { PasskeyIdSchema } from '@/lib/validation/auth';

/** Removes one of the viewer's passkeys (step-up bound to its id). */
export const removePasskeyAction = defineAction({ op: 'account.passkey_remove', input: PasskeyIdSchema }, async ({ input, authz }) => {
  if (authz) await removePasskeyForViewer(authz.viewer, input.id, authz);
  revalidatePath('/account/security');
  return null;
});
