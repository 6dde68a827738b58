'use server';

import { completeStepUp } from '@/lib/auth/step-up-flow';
import { defineAction } from '@/lib/authz/define-action';
import { ActionError } from '@/lib/authz/result';
import { CompleteStepUpSchema } from '@/lib/validation/auth';

/** Verifies a step-up and returns the single-use proof for exactly that operation and input. */
export const completeStepUpAction = defineAction({ op: 'auth.step_up', input: CompleteStepUpSchema }, async ({ input, viewer }) => {
  if (!viewer) throw new ActionError('UNAUTHENTICATED', 'Sign in again.');
  const result = await completeStepUp(viewer, input.operation, input.input, input.evidence);
  if (!result.ok)
    throw new ActionError(
      'STEP_UP_REQUIRED',
      result.reason === 'passkey_required'
        ? 'A critical operation must be signed with a passkey; an authenticator code cannot confirm it. Add a passkey under Account › Security. Nothing was changed.'
        : 'That did not confirm it’s you. Try again.',
    );
  return { proof: result.proof };
});
