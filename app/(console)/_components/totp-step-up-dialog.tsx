'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';

/** Asks for an authenticator code to confirm one operation (step-up without a passkey). */
export function TotpStepUpDialog({ open, onSubmit, onCancel }: { open: boolean; onSubmit: (code: string) => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const inputId = useId();
  const [code, setCode] = useState('');
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
      className="m-auto w-full max-w-sm rounded-xl bg-white p-6 shadow-xl"
    >
      <form
        onSubmit={(e) => {
          // The dialog may sit inside another form in the React tree: keep its submit to itself.
          e.preventDefault();
          e.stopPropagation();
          onSubmit(code.trim());
          setCode('');
        }}
      >
        <h2 id={titleId} className="text-lg font-semibold">
          Confirm it’s you
        </h2>
        <p className="mt-1 text-sm text-slate-600">Enter the current code from your authenticator app to confirm this change.</p>
        <label htmlFor={inputId} className="mt-4 block text-sm font-medium">
          Authenticator code
        </label>
        <input
          id={inputId}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          inputMode="numeric"
          autoComplete="one-time-code"
          className="mt-1 block w-full rounded-md border-0 px-3 py-2 font-mono tracking-widest ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
        />
        <div className="mt-5 flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit">Confirm</Button>
        </div>
      </form>
    </dialog>
  );
}
