'use server';

import { completePasskeySignIn, completeWithPasskeyForPending } from '@/lib/auth/login-flow';
import { defineAction } from '@/lib/authz/define-action';
import { ActionError } from '@/lib/authz/result';
import { GENERIC_SIGN_IN_ERROR, PasskeySignInFinishSchema } from '@/lib/validation/auth';

/** Verifies the browser's passkey assertion and signs in. */
export const finishPasskeySignInAction = defineAction({ op: 'auth.sign_in', input: PasskeySignInFinishSchema }, async ({ input }) => {
  const result =
    input.mode === 'pending' ? await completeWithPasskeyForPending(input.response) : await completePasskeySignIn(input.response);
  if (result.ok) return { done: true };
  if (result.reason === 'restart')
    throw new ActionError('UNAUTHENTICATED', 'This sign-in has expired or had too many attempts. Start again with your password.');
  throw new ActionError('INVALID_CREDENTIALS', GENERIC_SIGN_IN_ERROR);
});
