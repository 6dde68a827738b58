'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { INCIDENT_SEVERITIES } from '@/lib/validation/incidents';
import { REASON_MAX } from '@/lib/validation/reason';
import { openIncidentAction } from '../_actions/open-incident';
import { failureText, INCIDENT_SEVERITY_LABELS, UNREACHABLE } from './incident-format';

type Severity = (typeof INCIDENT_SEVERITIES)[number];

const control =
  'mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600';
const labelClass = 'block text-sm font-medium text-slate-800';

/**
 * "Open incident": a dialog with Title, Severity and an optional Reason; from
 * an alert, the title and severity come prefilled and the alert is linked. On
 * success the incident's page opens. The server decides again.
 */
export function OpenIncidentButton({
  defaultTitle = '',
  defaultSeverity = 'medium',
  alertId,
}: {
  defaultTitle?: string;
  defaultSeverity?: string;
  alertId?: string;
}) {
  const router = useRouter();
  const ref = useRef<HTMLDialogElement>(null);
  const ids = { title: useId(), name: useId(), severity: useId(), reason: useId(), error: useId() };
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const severity: Severity = (INCIDENT_SEVERITIES as readonly string[]).includes(defaultSeverity)
    ? (defaultSeverity as Severity)
    : 'medium';

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setError(null);
      setFieldErrors({});
      d.showModal();
    }
    if (!open && d.open) d.close();
  }, [open]);

  async function submit(form: FormData) {
    if (pending) return;
    setPending(true);
    setError(null);
    setFieldErrors({});
    const text = (name: string) => {
      const v = form.get(name);
      return typeof v === 'string' && v.trim() ? v.trim() : undefined;
    };
    const reason = text('reason');
    const input = {
      title: text('title') ?? '',
      severity: text('severity') ?? severity,
      ...(alertId ? { alertId } : {}),
      ...(reason ? { reason } : {}),
    };
    try {
      const result = await openIncidentAction(input);
      if (result.ok) {
        router.push(`/incidents/${result.data.id}`);
        return;
      }
      setFieldErrors(result.fieldErrors ?? {});
      setError(failureText(result));
      setPending(false);
    } catch {
      setError(UNREACHABLE);
      setPending(false);
    }
  }

  const fieldError = (name: string) =>
    fieldErrors[name]?.length ? (
      <p id={`${ids.error}-${name}`} className="mt-1 text-xs text-red-700">
        {fieldErrors[name]?.join(' ')}
      </p>
    ) : null;

  return (
    <>
      <Button type="button" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        Open incident
      </Button>
      <dialog
        ref={ref}
        aria-labelledby={ids.title}
        aria-modal="true"
        onCancel={(e) => {
          e.preventDefault();
          if (!pending) setOpen(false);
        }}
        className="m-auto w-full max-w-lg rounded-xl bg-white p-0 text-left font-normal shadow-xl backdrop:bg-slate-900/40"
      >
        {open ? (
          <form
            className="space-y-4 p-6"
            onSubmit={(e) => {
              e.preventDefault();
              void submit(new FormData(e.currentTarget));
            }}
          >
            <h2 id={ids.title} className="text-lg font-semibold text-slate-900">
              Open an incident
            </h2>
            <p className="text-sm text-slate-700">
              The current audit head and newest checkpoint are sealed into the incident; you become its owner.
              {alertId ? ' This alert is linked to it.' : null}
            </p>
            <div>
              <label htmlFor={ids.name} className={labelClass}>
                Title
              </label>
              <input
                id={ids.name}
                name="title"
                required
                minLength={3}
                maxLength={200}
                defaultValue={defaultTitle}
                aria-invalid={!!fieldErrors.title?.length}
                aria-describedby={fieldErrors.title?.length ? `${ids.error}-title` : undefined}
                className={control}
              />
              {fieldError('title')}
            </div>
            <div>
              <label htmlFor={ids.severity} className={labelClass}>
                Severity
              </label>
              <select
                id={ids.severity}
                name="severity"
                defaultValue={severity}
                aria-invalid={!!fieldErrors.severity?.length}
                className={control}
              >
                {[...INCIDENT_SEVERITIES].reverse().map((s) => (
                  <option key={s} value={s}>
                    {INCIDENT_SEVERITY_LABELS[s] ?? s}
                  </option>
                ))}
              </select>
              {fieldError('severity')}
            </div>
            <div>
              <label htmlFor={ids.reason} className={labelClass}>
                Reason <span className="text-slate-500">(optional, recorded in the audit trail)</span>
              </label>
              <textarea id={ids.reason} name="reason" rows={2} maxLength={REASON_MAX} className={control} />
              {fieldError('reason')}
            </div>
            <div aria-live="polite" role="status">
              {error ? <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">{error}</p> : null}
            </div>
            <div className="flex justify-end gap-2">
              <Button variant="secondary" type="button" onClick={() => setOpen(false)} disabled={pending}>
                Cancel
              </Button>
              <Button type="submit" pending={pending}>
                {pending ? 'Creating…' : 'Create incident'}
              </Button>
            </div>
          </form>
        ) : null}
      </dialog>
    </>
  );
}
