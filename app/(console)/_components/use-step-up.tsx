'use client';

import { startAuthentication } from '@simplewebauthn/browser';
import { useCallback, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { canonicalize } from '@/lib/audit/canonical-json';
import { intentInWords, isPersonalInputField, type IntentWords } from '@/lib/audit/intent-words';
import type { ActionMeta } from '@/lib/authz/define-action';
import type { ActionResult } from '@/lib/authz/result';
import type { STEP_UP_OPERATIONS } from '@/lib/validation/auth';
import { OPERATIONS, stepUpBindingInput } from '@/policies/operations';
import { beginStepUpAction } from '../_actions/begin-step-up';
import { completeStepUpAction } from '../_actions/complete-step-up';
import { SigningDialog } from './signing-dialog';
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
  const [signing, setSigning] = useState<IntentWords | null>(null);
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
        // What you see is what you sign (issue 13): the challenge must be the SHA-256 of
        // the intent shown, and the intent must be this operation with this input.
        const words = await checkedIntent(begin.data.intent, begin.data.options.challenge, operation, bound);
        if (!words) {
          return { ok: false, code: 'CANCELLED', message: 'The confirmation did not match the change you asked for. Nothing was changed.' };
        }
        // Rendered before the browser's prompt opens, so the intent is on screen while it is signed.
        flushSync(() => setSigning(words));
        try {
          evidence = { method: 'passkey' as const, response: await startAuthentication({ optionsJSON: begin.data.options }) };
        } catch {
          return { ok: false, code: 'CANCELLED', message: 'The passkey prompt was closed. Nothing was changed.' };
        } finally {
          setSigning(null);
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
    <>
      <SigningDialog words={signing} />
      <TotpStepUpDialog
        open={totpChallenge !== null}
        onSubmit={(code) => pendingCode.current?.(code)}
        onCancel={() => {
          pendingCode.current?.(null);
          setTotpChallenge(null);
        }}
      />
    </>
  );
  return { run, dialog };
}

/**
 * The intent in words, if `challenge` is base64url(SHA-256(intent)) and the intent is
 * for `operation` with exactly `input`; else null (the server sent something else to sign).
 */
async function checkedIntent(intent: string, challenge: string, operation: string, input: unknown): Promise<IntentWords | null> {
  try {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(intent)));
    const encoded = btoa(String.fromCharCode(...digest))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    const parsed = JSON.parse(intent) as { operation?: unknown; input?: unknown };
    const expected = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
    const signed = (typeof parsed.input === 'object' && parsed.input !== null ? parsed.input : {}) as Record<string, unknown>;
    // Personal fields are signed as keyed hashes (the server holds the key): the rest must be exactly the input.
    const same =
      canonicalize(Object.keys(signed).sort()) === canonicalize(Object.keys(expected).sort()) &&
      Object.entries(expected).every(([k, v]) =>
        isPersonalInputField(k) && typeof v === 'string'
          ? typeof signed[k] === 'string' && (signed[k] as string).startsWith('hmac-sha256:')
          : canonicalize(signed[k]) === canonicalize(v),
      );
    if (encoded !== challenge || parsed.operation !== operation || !same) return null;
    const words = intentInWords(parsed);
    if (!words) return null;
    // Show the signer what they typed for personal fields (the intent holds its keyed hash).
    return {
      ...words,
      fields: words.fields.map((f) =>
        isPersonalInputField(f.name) && typeof expected[f.name] === 'string'
          ? { ...f, value: `${String(expected[f.name])} (signed as a keyed hash)` }
          : f,
      ),
    };
  } catch {
    return null;
  }
}
