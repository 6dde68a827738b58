'use server';

import { defineAction } from '@/lib/authz/define-action';
import { ActionError } from '@/lib/authz/result';
import { beginPasskeyRegistrationForViewer } from '@/lib/dal/account-security';
import { PasskeyNameSchema } from '@/lib/validation/auth';

/** Starts a passkey registration (step-up, or a recent sign-in while enrolling); returns the ceremony options. */
export const beginPasskeyRegistrationAction = defineAction(
  { op: 'account.passkey_register', input: PasskeyNameSchema },
  async ({ authz }) => {
    if (!authz) throw new ActionError('UNAUTHENTICATED', 'Sign in again.');
    return { options: await beginPasskeyRegistrationForViewer(authz) };
  },
);
