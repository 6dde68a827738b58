'use server';

import { revalidatePath } from 'next/cache';
import { defineAction } from '@/lib/authz/define-action';
import { ActionError } from '@/lib/authz/result';
import { finishPasskeyRegistrationForViewer } from '@/lib/dal/account-security';
import { FinishPasskeyRegistrationSchema } from '@/lib/validation/auth';

/** Verifies the new passkey against the single-use challenge the confirmed start issued. */
export const finishPasskeyRegistrationAction = defineAction(
  { op: 'account.passkey_register_finish', input: FinishPasskeyRegistrationSchema },
  async ({ input, viewer }) => {
    if (!viewer) throw new ActionError('UNAUTHENTICATED', 'Sign in again.');
    const result = await finishPasskeyRegistrationForViewer(viewer, input.name, input.response);
    revalidatePath('/account/security');
    return result;
  },
);
