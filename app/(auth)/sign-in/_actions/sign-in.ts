'use server';

import { signInWithPassword } from '@/lib/auth/login-flow';
import { safeRedirectPath } from '@/lib/auth/redirect';
import { defineAction } from '@/lib/authz/define-action';
import { ActionError } from '@/lib/authz/result';
import { env } from '@/lib/env';
import { GENERIC_SIGN_IN_ERROR, SignInSchema } from '@/lib/validation/auth';

/**
 * Step 1 of sign-in: email + password. Every failure gets the same message
 * whatever the cause (unknown account, wrong password, locked, disabled…); the
 * cause is in the audit trail only. Then the second factor, or enrolment.
 */
export const signInAction = defineAction({ op: 'auth.sign_in', input: SignInSchema }, async ({ input }) => {
  const result = await signInWithPassword(input.email, input.password);
  if (!result.ok) throw new ActionError('INVALID_CREDENTIALS', GENERIC_SIGN_IN_ERROR);
  const back = safeRedirectPath(input.callbackUrl, env().APP_URL);
  if (result.next === 'second-factor')
    return { redirectTo: `/sign-in/verify${back === '/' ? '' : `?callbackUrl=${encodeURIComponent(back)}`}` };
  if (result.next === 'enrol') return { redirectTo: '/account/security' };
  return { redirectTo: back };
});
