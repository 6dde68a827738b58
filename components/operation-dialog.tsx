'use client';

import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import type { ActionResult } from '@/lib/authz/result';

/** The fields an operation dialog collects for the action (and the audit event). */
export interface OperationFields {
  reason?: string;
  ticketRef?: string;
  /** The target's email, typed by the operator for irreversible operations. */
  confirmEmail?: string;
}

type Outcome = ActionResult<unknown> | { ok: false; code: 'CANCELLED'; message: string };

/**
 * The dialog every privileged operation goes through (house style 17): it states
 * the blast radius (`children`), collects the reason and an optional ticket
 * reference, asks to type the target's email for irreversible operations, shows
 * a pending state that blocks double submission, maps server field errors back
 * to the fields, announces form errors in an aria-live region with the
 * correlation id, and closes only on success. A native <dialog> opened with
 * showModal(): focus is trapped, Escape cancels.
 */
export function OperationDialog({
  open,
  title,
  children,
  confirmLabel,
  danger = true,
  reason,
  typeToConfirm,
  onSubmit,
  onSuccess,
  onClose,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** From the operation catalog: whether the reason is required, optional or not asked. */
  reason: 'none' | 'optional' | 'required';
  /** When set, the operator must type exactly this (the target's email) to confirm. */
  typeToConfirm?: string;
  onSubmit: (fields: OperationFields) => Promise<Outcome>;
  onSuccess?: () => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const ids = { title: useId(), body: useId(), reason: useId(), ticket: useId(), confirm: useId(), error: useId() };
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [typed, setTyped] = useState('');

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      setError(null);
      setFieldErrors({});
      setTyped('');
      dialog.showModal();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);

  const matches = !typeToConfirm || typed.trim().toLowerCase() === typeToConfirm.toLowerCase();

  async function submit(form: FormData) {
    if (pending) return;
    setPending(true);
    setError(null);
    setFieldErrors({});
    const text = (name: string) => {
      const v = form.get(name);
      return typeof v === 'string' && v.trim() ? v.trim() : undefined;
    };
    // Only fields with a value: an absent field and an empty one mean the same to the server.
    const fields: OperationFields = Object.fromEntries(
      Object.entries({
        reason: reason !== 'none' ? text('reason') : undefined,
        ticketRef: reason !== 'none' ? text('ticketRef') : undefined,
        confirmEmail: typeToConfirm ? typed.trim() : undefined,
      }).filter(([, v]) => v !== undefined),
    );
    try {
      const result = await onSubmit(fields);
      if (result.ok) {
        onSuccess?.();
        onClose();
        return;
      }
      setFieldErrors(('fieldErrors' in result && result.fieldErrors) || {});
      setError('correlationId' in result ? `${result.message} (Reference: ${result.correlationId})` : result.message);
    } catch {
      setError('The console could not be reached. Check your connection and try again. Nothing was changed.');
    } finally {
      setPending(false);
    }
  }

  const fieldError = (name: string) =>
    fieldErrors[name]?.length ? (
      <p id={`${ids.error}-${name}`} className="mt-1 text-xs text-red-700">
        {fieldErrors[name]?.join(' ')}
      </p>
    ) : null;
  const inputClass =
    'mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600';

  return (
    <dialog
      ref={ref}
      aria-labelledby={ids.title}
      aria-describedby={ids.body}
      onCancel={(e) => {
        e.preventDefault();
        if (!pending) onClose();
      }}
      className="m-auto w-full max-w-lg rounded-xl bg-white p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <form
        className="p-6"
        onSubmit={(e) => {
          // Not a form action: React resets a form after an action, which would lose the reason on an error.
          e.preventDefault();
          void submit(new FormData(e.currentTarget));
        }}
      >
        <h2 id={ids.title} className="text-lg font-semibold text-slate-900">
          {title}
        </h2>
        <div id={ids.body} className="mt-2 space-y-2 text-sm text-slate-700">
          {children}
        </div>
        {reason !== 'none' ? (
          <div className="mt-4 space-y-3">
            <label htmlFor={ids.reason} className="block text-sm font-medium text-slate-800">
              Reason{' '}
              {reason === 'required' ? (
                <span className="text-slate-500">(required, recorded in the audit trail)</span>
              ) : (
                <span className="text-slate-500">(optional)</span>
              )}
            </label>
            <textarea
              id={ids.reason}
              name="reason"
              rows={2}
              maxLength={500}
              aria-invalid={!!fieldErrors.reason?.length}
              aria-describedby={fieldErrors.reason?.length ? `${ids.error}-reason` : undefined}
              className={inputClass}
            />
            {fieldError('reason')}
            <label htmlFor={ids.ticket} className="block text-sm font-medium text-slate-800">
              Ticket reference <span className="text-slate-500">(optional, e.g. INC-1234)</span>
            </label>
            <input id={ids.ticket} name="ticketRef" maxLength={32} aria-invalid={!!fieldErrors.ticketRef?.length} className={inputClass} />
            {fieldError('ticketRef')}
          </div>
        ) : null}
        {typeToConfirm ? (
          <div className="mt-4">
            <label htmlFor={ids.confirm} className="block text-sm font-medium text-slate-800">
              Type <span className="font-mono">{typeToConfirm}</span> to confirm
            </label>
            <input
              id={ids.confirm}
              name="confirmEmail"
              autoComplete="off"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              aria-invalid={!!fieldErrors.confirmEmail?.length}
              className={inputClass}
            />
            {fieldError('confirmEmail')}
          </div>
        ) : null}
        <div aria-live="polite" role="status" className="mt-3">
          {error ? <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">{error}</p> : null}
        </div>
        <div className="mt-5 flex justify-end gap-2">
          <Button variant="secondary" type="button" onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button variant={danger ? 'danger' : 'primary'} type="submit" pending={pending} disabled={!matches}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
