'use server';

import { startStepUp } from '@/lib/auth/step-up-flow';
import { defineAction } from '@/lib/authz/define-action';
import { ActionError } from '@/lib/authz/result';
import { BeginStepUpSchema } from '@/lib/validation/auth';

/** Issues a step-up challenge bound to one operation, its exact input and this session. */
export const beginStepUpAction = defineAction({ op: 'auth.step_up', input: BeginStepUpSchema }, async ({ input, viewer }) => {
  if (!viewer) throw new ActionError('UNAUTHENTICATED', 'Sign in again.');
  const start = await startStepUp(viewer, input.operation, input.input);
  if (start.method === 'unavailable')
    throw new ActionError(
      'CONFLICT',
      start.reason === 'passkey_required'
        ? 'This is a critical operation: it must be signed with a passkey, and you have none. Add one under Account › Security, then try again. Nothing was changed.'
        : 'Set up a passkey first (the step-up policy accepts passkeys only), or an authenticator app if it allows one.',
    );
  return start;
});
