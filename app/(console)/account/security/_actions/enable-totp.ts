'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { enableTotpForViewer } from '@/lib/dal/account-security';
import { EnableTotpSchema } from '@/lib/validation/auth';

/** Confirms an authenticator app with its first code; a first factor also returns recovery codes (shown once). */
export const enableTotpAction = defineAction({ op: 'account.totp_enable', input: EnableTotpSchema }, async ({ input, authz }) => {
  const result = authz ? await enableTotpForViewer(authz, input.sealed, input.code) : { recoveryCodes: null };
  revalidatePath('/account/security');
  return result;
});
