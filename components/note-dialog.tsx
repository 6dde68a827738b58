'use client';

import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { REASON_MAX, REASON_MIN } from '@/lib/validation/reason';

/**
 * A decision dialog with one text field (the approver's note, or the reason
 * for rejecting): a native <dialog> opened with showModal (focus is trapped,
 * Escape cancels), a pending state that blocks double submission, and errors
 * announced in an aria-live region. It stays open until the parent closes it.
 */
export function NoteDialog({
  open,
  title,
  children,
  label,
  hint,
  required,
  submitLabel,
  pendingLabel,
  danger = false,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  label: string;
  hint: string;
  required: boolean;
  submitLabel: string;
  pendingLabel: string;
  danger?: boolean;
  pending: boolean;
  error: string | null;
  onSubmit: (text: string) => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const ids = { title: useId(), body: useId(), field: useId(), hint: useId(), fieldError: useId() };
  const [text, setText] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      setText('');
      setFieldError(null);
      dialog.showModal();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);

  function submit() {
    if (pending) return;
    const value = text.trim();
    if (required && [...value].length < REASON_MIN) {
      setFieldError(`Say why, in at least ${REASON_MIN} characters. Nothing was sent.`);
      return;
    }
    setFieldError(null);
    onSubmit(value);
  }

  return (
    <dialog
      ref={ref}
      aria-labelledby={ids.title}
      aria-describedby={ids.body}
      aria-modal="true"
      onCancel={(e) => {
        e.preventDefault();
        if (!pending) onCancel();
      }}
      className="m-auto w-full max-w-lg rounded-xl bg-white p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <form
        className="p-6"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <h2 id={ids.title} className="text-lg font-semibold text-slate-900">
          {title}
        </h2>
        <div id={ids.body} className="mt-2 space-y-2 text-sm text-slate-700">
          {children}
        </div>
        <div className="mt-4">
          <label htmlFor={ids.field} className="block text-sm font-medium text-slate-800">
            {label}
          </label>
          <p id={ids.hint} className="text-xs text-slate-500">
            {hint}
          </p>
          <textarea
            id={ids.field}
            name="reason"
            rows={3}
            maxLength={REASON_MAX}
            required={required}
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? `${ids.hint} ${ids.fieldError}` : ids.hint}
            className="mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
          />
          {fieldError ? (
            <p id={ids.fieldError} className="mt-1 text-xs text-red-700">
              {fieldError}
            </p>
          ) : null}
        </div>
        <div aria-live="polite" role="status" className="mt-3">
          {error ? <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">{error}</p> : null}
        </div>
        <div className="mt-5 flex justify-end gap-2">
          <Button variant="secondary" type="button" onClick={onCancel} disabled={pending}>
            Cancel
          </Button>
          <Button variant={danger ? 'danger' : 'primary'} type="submit" pending={pending}>
            {pending ? pendingLabel : submitLabel}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
