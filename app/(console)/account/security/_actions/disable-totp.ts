'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { disableTotpForViewer } from '@/lib/dal/account-security';
import { EmptySchema } from '@/lib/validation/auth';

/** Removes the authenticator app (step-up; refused if it is the only second factor). */
export const disableTotpAction = defineAction({ op: 'account.totp_disable', input: EmptySchema }, async ({ authz }) => {
  if (authz) await disableTotpForViewer(authz);
  revalidatePath('/account/security');
  return null;
});
