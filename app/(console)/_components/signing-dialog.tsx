'use client';

import { useEffect, useId, useRef } from 'react';
import type { IntentWords } from '@/lib/audit/intent-words';
import { IntentWordsList } from './intent-words';

/**
 * Shown while the passkey prompt is open (issue 13, "what you see is what you
 * sign"): the intent the passkey is signing, in words. The hook checked that the
 * challenge is the SHA-256 of exactly this intent before opening the prompt.
 */
export function SigningDialog({ words }: { words: IntentWords | null }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (words && !d.open) d.showModal();
    if (!words && d.open) d.close();
  }, [words]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={descId}
      aria-modal="true"
      onCancel={(e) => e.preventDefault()}
      className="m-auto w-full max-w-md rounded-xl bg-white p-6 shadow-xl"
      data-testid="signing-dialog"
    >
      <h2 id={titleId} className="text-lg font-semibold">
        Sign with your passkey
      </h2>
      <p id={descId} className="mt-1 text-sm text-slate-600">
        Your passkey signs exactly this request. The signature is kept in the audit trail as proof that you approved it.
      </p>
      <div className="mt-4 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200">{words ? <IntentWordsList words={words} /> : null}</div>
      <p className="mt-3 text-xs text-slate-500">Follow your browser’s passkey prompt, or close it to cancel.</p>
    </dialog>
  );
}
