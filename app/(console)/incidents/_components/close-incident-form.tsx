'use client';

import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { closeIncidentAction } from '../_actions/close-incident';
import { failureText, UNREACHABLE } from './incident-format';

const FIELDS = [
  {
    name: 'whatHappened',
    label: 'What happened',
    max: 8000,
    rows: 5,
    hint: 'At least 10 characters: the sequence of events and the cause.',
  },
  { name: 'impact', label: 'Impact', max: 4000, rows: 3, hint: 'Who and what was affected.' },
  { name: 'followUps', label: 'Follow-ups', max: 4000, rows: 3, hint: 'What will change so it does not happen again.' },
] as const;

type Field = (typeof FIELDS)[number]['name'];

const control =
  'mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600';

/**
 * Closing an incident with its post-incident review. The audit head is sealed
 * again; server field errors are shown on their fields, other errors with
 * the correlation id.
 */
export function CloseIncidentForm({ id }: { id: string }) {
  const router = useRouter();
  const base = useId();
  const [values, setValues] = useState<Record<Field, string>>({ whatHappened: '', impact: '', followUps: '' });
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});

  async function submit() {
    if (pending) return;
    setPending(true);
    setError(null);
    setFieldErrors({});
    try {
      const result = await closeIncidentAction({
        id,
        whatHappened: values.whatHappened.trim(),
        impact: values.impact.trim(),
        followUps: values.followUps.trim(),
      });
      if (result.ok) {
        router.refresh();
        return;
      }
      setFieldErrors(result.fieldErrors ?? {});
      setError(failureText(result));
    } catch {
      setError(UNREACHABLE);
    } finally {
      setPending(false);
    }
  }

  return (
    <section aria-labelledby="incident-close" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <h2 id="incident-close" className="text-base font-semibold text-slate-900">
        Close incident
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        Closing needs a short post-incident review. The audit head is sealed again, and nothing more can be added afterwards.
      </p>
      <form
        className="mt-4 space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {FIELDS.map((f) => {
          const fid = `${base}-${f.name}`;
          const errs = fieldErrors[f.name];
          return (
            <div key={f.name}>
              <label htmlFor={fid} className="block text-sm font-medium text-slate-800">
                {f.label}
              </label>
              <p id={`${fid}-hint`} className="text-xs text-slate-500">
                {f.hint}
              </p>
              <textarea
                id={fid}
                rows={f.rows}
                maxLength={f.max}
                required
                value={values[f.name]}
                onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
                aria-invalid={errs?.length ? true : undefined}
                aria-describedby={errs?.length ? `${fid}-hint ${fid}-error` : `${fid}-hint`}
                className={control}
              />
              {errs?.length ? (
                <p id={`${fid}-error`} className="mt-1 text-xs text-red-700">
                  {errs.join(' ')}
                </p>
              ) : null}
            </div>
          );
        })}
        <div aria-live="polite" role="status">
          {error ? <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">{error}</p> : null}
        </div>
        <div className="flex justify-end">
          <Button type="submit" variant="danger" pending={pending}>
            {pending ? 'Closing…' : 'Close incident'}
          </Button>
        </div>
      </form>
    </section>
  );
}
