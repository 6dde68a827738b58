'use server';

import { signInWithPassword } from '@/lib/auth/next-auth';
import { safeRedirectPath } from '@/lib/auth/redirect';
import { defineAction } from '@/lib/authz/define-action';
import { ActionError } from '@/lib/authz/result';
import { env } from '@/lib/env';
import { SignInSchema } from '@/lib/validation/auth';

/**
 * Email + password sign-in. Every failure gets the same message whatever the
 * cause (unknown account, wrong password, disabled user…); the cause is in the
 * audit trail only. Returns the validated same-origin path to go to.
 */
export const signInAction = defineAction({ op: 'auth.sign_in', input: SignInSchema }, async ({ input }) => {
  const ok = await signInWithPassword(input.email, input.password);
  if (!ok) throw new ActionError('INVALID_CREDENTIALS', 'The email or password is incorrect, or this account cannot sign in.');
  return { redirectTo: safeRedirectPath(input.callbackUrl, env().APP_URL) };
});
