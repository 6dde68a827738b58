'use client';

import { useCallback } from 'react';
import type { ActionMeta } from '@/lib/authz/define-action';
import type { ActionResult } from '@/lib/authz/result';
import { hasSufficientReason, reasonOf } from '@/lib/validation/reason';
import { OPERATIONS, type OperationId, type StepUpOperationId } from '@/policies/operations';
import { useStepUp } from '../../../_components/use-step-up';
import { compactInput } from '../../_components/compact-input';

export type UserAction = (input: Record<string, unknown>, meta?: ActionMeta) => Promise<ActionResult<unknown>>;

function isStepUp(op: OperationId): op is StepUpOperationId {
  return OPERATIONS[op].stepUp;
}

/**
 * Calls an operation's action the way the catalog says: through the step-up
 * ceremony when `OPERATIONS[op].stepUp`, directly otherwise. A missing reason
 * that the catalog requires is caught here first, before the operator spends an
 * authenticator code on a request the server would refuse (the step-up is bound
 * to the exact input, so adding the reason afterwards needs a new one). The
 * server checks all of it again. Render `dialog`.
 */
export function usePerform() {
  const { run, dialog } = useStepUp({ enrolled: true });
  const perform = useCallback(
    async (op: OperationId, action: UserAction, input: Record<string, unknown>) => {
      const clean = compactInput(input);
      if (OPERATIONS[op].reason === 'required' && !hasSufficientReason(reasonOf(clean))) {
        const notSent = {
          ok: false as const,
          code: 'CANCELLED' as const,
          message: 'Say why (at least a few words, or a ticket reference such as INC-1234). Nothing was sent.',
          fieldErrors: { reason: ['Say why you are doing this.'] },
        };
        return notSent;
      }
      return isStepUp(op) ? run(op, action, clean) : action(clean);
    },
    [run],
  );
  return { perform, dialog };
}
