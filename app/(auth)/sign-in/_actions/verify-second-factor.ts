'use server';

import { completeWithRecoveryCode, completeWithTotp } from '@/lib/auth/login-flow';
import { defineAction } from '@/lib/authz/define-action';
import { ActionError } from '@/lib/authz/result';
import { SecondFactorSchema } from '@/lib/validation/auth';

/** Step 2 of sign-in with an authenticator-app code or a recovery code. */
export const verifySecondFactorAction = defineAction({ op: 'auth.second_factor', input: SecondFactorSchema }, async ({ input }) => {
  const result = input.method === 'totp' ? await completeWithTotp(input.code) : await completeWithRecoveryCode(input.code);
  if (result.ok) return { done: true };
  if (result.reason === 'restart')
    throw new ActionError('UNAUTHENTICATED', 'This sign-in has expired or had too many attempts. Start again with your password.');
  throw new ActionError('INVALID_CREDENTIALS', 'That code did not work. Check it and try again.');
});
