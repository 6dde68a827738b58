'use server';

import { beginPasskeyForPending, beginPasskeySignIn, passkeySignInStartRefusal } from '@/lib/auth/login-flow';
import { defineAction } from '@/lib/authz/define-action';
import { ActionError } from '@/lib/authz/result';
import { PasskeySignInStartSchema } from '@/lib/validation/auth';

/** Passkey ceremony options: for the pending sign-in's user, or usernameless. */
export const beginPasskeySignInAction = defineAction({ op: 'auth.sign_in', input: PasskeySignInStartSchema }, async ({ input }) => {
  // Anonymous: limited per address and overall (T48); the pending mode is bounded by its pending sign-in.
  if (input.mode !== 'pending') {
    const refused = await passkeySignInStartRefusal();
    if (refused) throw new ActionError('RATE_LIMITED', refused);
  }
  const options = input.mode === 'pending' ? await beginPasskeyForPending() : await beginPasskeySignIn();
  if (!options) throw new ActionError('UNAUTHENTICATED', 'This sign-in has expired. Start again with your password.');
  return { options };
});
