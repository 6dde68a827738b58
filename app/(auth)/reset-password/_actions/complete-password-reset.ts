'use server';

import { defineAction } from '@/lib/authz/define-action';
import { completePasswordReset } from '@/lib/dal/password-resets';
import { CompletePasswordResetSchema } from '@/lib/validation/tickets';

/** Sets a new password with a one-time reset link (public; the token is the credential). */
export const completePasswordResetAction = defineAction(
  { op: 'account.password_reset', input: CompletePasswordResetSchema },
  async ({ input }) => completePasswordReset(input.token, input.password),
);
