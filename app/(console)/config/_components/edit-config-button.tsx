'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { configKey, parseConfigInput } from '@/lib/config/keys';
import { stageConfigChangeAction } from '../_actions/stage-config-change';
import type { EditableEntry } from './editable';
import { failureText, UNREACHABLE } from './result-text';
import { TIER_REQUIREMENTS, TierBadge } from './tier-badge';

const control =
  'mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600 disabled:bg-slate-50 disabled:text-slate-400 aria-invalid:ring-red-500';

/**
 * "Edit <label>": a dialog that stages one key's new value (or its default) in
 * the viewer's pending change set. The value is checked here as it is typed, for
 * instant feedback, with the same parser the server action uses; the server's
 * answer is the one that counts. Nothing takes effect until the change set is
 * applied from the review page.
 */
export function EditConfigButton({ entry, onStaged }: { entry: EditableEntry; onStaged?: () => void }) {
  const [open, setOpen] = useState(false);
  // A fresh form (typed text, errors) every time the dialog opens.
  const [generation, setGeneration] = useState(0);
  return (
    <>
      <Button
        type="button"
        variant="secondary"
        className="px-2.5 py-1 text-xs"
        aria-haspopup="dialog"
        onClick={() => {
          setGeneration((g) => g + 1);
          setOpen(true);
        }}
      >
        Edit {entry.label}
      </Button>
      <EditConfigDialog
        key={generation}
        entry={entry}
        open={open}
        onClose={() => setOpen(false)}
        onStaged={() => {
          setOpen(false);
          onStaged?.();
        }}
      />
    </>
  );
}

function EditConfigDialog({
  entry,
  open,
  onClose,
  onStaged,
}: {
  entry: EditableEntry;
  open: boolean;
  onClose: () => void;
  onStaged: () => void;
}) {
  const router = useRouter();
  const ref = useRef<HTMLDialogElement>(null);
  const ids = { title: useId(), body: useId(), value: useId(), hint: useId(), valueError: useId(), reset: useId() };
  const [text, setText] = useState(entry.inputValue);
  const [reset, setReset] = useState(false);
  const [touched, setTouched] = useState(false);
  const [serverValueError, setServerValueError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  const local = reset ? null : parseConfigInput(configKey(entry.key), text);
  const localError = local && !local.ok ? local.message : null;
  const valueError = serverValueError ?? (touched ? localError : null);

  async function submit() {
    if (pending) return;
    setTouched(true);
    setError(null);
    setServerValueError(null);
    if (localError) return;
    setPending(true);
    try {
      const result = await stageConfigChangeAction(
        reset ? { key: entry.key, mode: 'reset' } : { key: entry.key, mode: 'set', value: text },
      );
      if (result.ok) {
        router.refresh();
        onStaged();
        return;
      }
      const fieldError = result.fieldErrors?.value?.join(' ');
      if (fieldError) setServerValueError(fieldError);
      else setError(failureText(result));
    } catch {
      setError(UNREACHABLE);
    } finally {
      setPending(false);
    }
  }

  const onChange = (value: string) => {
    setText(value);
    setTouched(true);
    setServerValueError(null);
  };
  const describedBy = [ids.hint, valueError ? ids.valueError : null].filter(Boolean).join(' ');
  const common = {
    id: ids.value,
    name: 'value',
    disabled: reset || pending,
    'aria-invalid': valueError ? true : undefined,
    'aria-describedby': describedBy,
    className: control,
  } as const;

  let input;
  if (entry.type === 'enum') {
    input = (
      <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
        {(entry.options ?? []).map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (entry.type === 'json') {
    input = <textarea {...common} rows={6} spellCheck={false} value={text} onChange={(e) => onChange(e.target.value)} />;
  } else if (entry.type === 'secret') {
    input = (
      <input
        {...common}
        type="password"
        autoComplete="new-password"
        spellCheck={false}
        value={text}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  } else {
    input = (
      <input
        {...common}
        type="text"
        inputMode={entry.type === 'number' ? 'numeric' : undefined}
        autoComplete="off"
        spellCheck={entry.type === 'string'}
        value={text}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }

  const hint =
    entry.type === 'duration'
      ? `A duration such as 30m, 12h or 1h30m, ${entry.boundsHint ?? 'within the allowed range'}.`
      : entry.type === 'json'
        ? 'JSON.'
        : entry.type === 'secret'
          ? 'Write-only: it is never shown again, only its fingerprint. Use a random secret of at least 32 characters.'
          : entry.type === 'enum'
            ? 'Choose one.'
            : null;

  return (
    <dialog
      ref={ref}
      aria-modal="true"
      aria-labelledby={ids.title}
      aria-describedby={ids.body}
      onCancel={(e) => {
        e.preventDefault();
        if (!pending) onClose();
      }}
      className="m-auto w-full max-w-lg rounded-xl bg-white p-0 text-left shadow-xl backdrop:bg-slate-900/40"
    >
      <form
        className="p-6"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="flex items-start justify-between gap-3">
          <h2 id={ids.title} className="text-lg font-semibold text-slate-900">
            Change {entry.label}
          </h2>
          <TierBadge tier={entry.tier} />
        </div>
        <div id={ids.body} className="mt-2 space-y-2 text-sm text-slate-700">
          <p>{entry.description}</p>
          <p>
            <span className="font-medium text-slate-900">Current value:</span> <span className="break-all">{entry.display}</span>
          </p>
          <p>
            <span className="font-medium text-slate-900">Takes effect:</span> {entry.effect}
          </p>
          <p className="text-slate-600">
            <span className="font-medium">{entry.tier} setting:</span> {TIER_REQUIREMENTS[entry.tier].long} Adding it to your pending
            changes changes nothing yet.
          </p>
        </div>
        <div className="mt-4">
          <label htmlFor={ids.value} className="block text-sm font-medium text-slate-800">
            New value
          </label>
          {input}
          <p id={ids.hint} className="mt-1 text-xs text-slate-500">
            {hint ? `${hint} ` : ''}Default: {entry.defaultDisplay}.
          </p>
          {valueError ? (
            <p id={ids.valueError} className="mt-1 text-xs text-red-700">
              {valueError}
            </p>
          ) : null}
        </div>
        <div className="mt-3 flex items-center gap-2">
          <input
            id={ids.reset}
            type="checkbox"
            name="reset"
            checked={reset}
            disabled={pending}
            onChange={(e) => {
              setReset(e.target.checked);
              setServerValueError(null);
            }}
            className="size-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-600"
          />
          <label htmlFor={ids.reset} className="text-sm text-slate-800">
            Reset to the default
          </label>
        </div>
        <div aria-live="polite" role="status" className="mt-3">
          {error ? <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">{error}</p> : null}
        </div>
        <div className="mt-5 flex justify-end gap-2">
          <Button variant="secondary" type="button" onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" pending={pending}>
            {pending ? 'Adding…' : 'Add to pending changes'}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
