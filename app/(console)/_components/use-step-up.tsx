'use client';

import { startAuthentication } from '@simplewebauthn/browser';
import { useCallback, useRef, useState } from 'react';
import type { ActionMeta } from '@/lib/authz/define-action';
import type { ActionResult } from '@/lib/authz/result';
import type { STEP_UP_OPERATIONS } from '@/lib/validation/auth';
import { OPERATIONS, stepUpBindingInput } from '@/policies/operations';
import { beginStepUpAction } from '../_actions/begin-step-up';
import { completeStepUpAction } from '../_actions/complete-step-up';
import { TotpStepUpDialog } from './totp-step-up-dialog';

type StepUpOperation = (typeof STEP_UP_OPERATIONS)[number];
type Action<I, T> = (input: I, meta?: ActionMeta) => Promise<ActionResult<T>>;

/**
 * Runs an action the catalog marks as step-up: first a passkey (or, without one,
 * an authenticator-code) confirmation bound to this exact operation and input,
 * then the action with the single-use proof. The server enforces all of it; this
 * hook only drives the ceremony. While enrolling (no factor yet) the server
 * accepts a recent sign-in instead, so the action is called directly.
 */
export function useStepUp({ enrolled }: { enrolled: boolean }) {
  const [totpChallenge, setTotpChallenge] = useState<string | null>(null);
  const pendingCode = useRef<((code: string | null) => void) | null>(null);

  const askCode = (challengeId: string) =>
    new Promise<string | null>((resolve) => {
      pendingCode.current = resolve;
      setTotpChallenge(challengeId);
    });

  const run = useCallback(
    async <I extends Record<string, unknown>, T>(
      operation: StepUpOperation,
      action: Action<I, T>,
      input: I,
    ): Promise<ActionResult<T> | { ok: false; code: 'CANCELLED'; message: string }> => {
      if (!enrolled) return action(input);
      // Bound to the same part of the input the server binds (never a password).
      // Undefined fields are dropped, as the server drops them before binding.
      const bound = Object.fromEntries(
        Object.entries(stepUpBindingInput(OPERATIONS[operation], input) as Record<string, unknown>).filter(([, v]) => v !== undefined),
      );
      const begin = await beginStepUpAction({ operation, input: bound });
      if (!begin.ok) return begin;
      let evidence;
      if (begin.data.method === 'passkey') {
        try {
          evidence = { method: 'passkey' as const, response: await startAuthentication({ optionsJSON: begin.data.options }) };
        } catch {
          return { ok: false, code: 'CANCELLED', message: 'The passkey prompt was closed. Nothing was changed.' };
        }
      } else {
        const code = await askCode(begin.data.challengeId);
        setTotpChallenge(null);
        if (!code) return { ok: false, code: 'CANCELLED', message: 'Cancelled. Nothing was changed.' };
        evidence = { method: 'totp' as const, challengeId: begin.data.challengeId, code };
      }
      const complete = await completeStepUpAction({ operation, input: bound, evidence });
      if (!complete.ok) return complete;
      return action(input, { stepUpProof: complete.data.proof });
    },
    [enrolled],
  );

  const dialog = (
    <TotpStepUpDialog
      open={totpChallenge !== null}
      onSubmit={(code) => pendingCode.current?.(code)}
      onCancel={() => {
        pendingCode.current?.(null);
        setTotpChallenge(null);
      }}
    />
  );
  return { run, dialog };
}
