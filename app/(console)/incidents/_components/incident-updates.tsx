'use client';

import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import type { ActionResult } from '@/lib/authz/result';
import type { IncidentStatus } from '@/lib/validation/incidents';
import { addIncidentNoteAction } from '../_actions/add-incident-note';
import { linkIncidentAlertAction } from '../_actions/link-incident-alert';
import { setIncidentStatusAction } from '../_actions/set-incident-status';
import { failureText, UNREACHABLE } from './incident-format';

type Which = 'note' | 'link' | 'status';
type Notice = { which: Which; tone: 'success' | 'error'; text: string };

const control =
  'mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600';

/**
 * Working an incident: add a note, link another alert, mark it contained or
 * open again. Each call is decided again by the server and lands on the
 * timeline; the outcome stays on screen across the refresh that follows.
 */
export function IncidentUpdates({ id, status }: { id: string; status: Exclude<IncidentStatus, 'closed'> }) {
  const router = useRouter();
  const ids = { note: useId(), alert: useId() };
  const [pending, setPending] = useState<Which | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [note, setNote] = useState('');
  const [alertId, setAlertId] = useState('');

  async function call(which: Which, work: () => Promise<ActionResult<unknown>>, success: string, onOk?: () => void) {
    if (pending) return;
    setPending(which);
    setNotice(null);
    try {
      const result = await work();
      if (result.ok) {
        onOk?.();
        setNotice({ which, tone: 'success', text: success });
        router.refresh();
      } else {
        setNotice({ which, tone: 'error', text: failureText(result) });
        if (result.code === 'NOT_FOUND' || result.code === 'CONFLICT') router.refresh();
      }
    } catch {
      setNotice({ which, tone: 'error', text: UNREACHABLE });
    } finally {
      setPending(null);
    }
  }

  const message = (which: Which) =>
    notice?.which === which ? (
      <p
        className={`mt-2 rounded-md px-3 py-2 text-sm ring-1 ${
          notice.tone === 'success' ? 'bg-emerald-50 text-emerald-900 ring-emerald-200' : 'bg-red-50 text-red-800 ring-red-200'
        }`}
      >
        {notice.text}
      </p>
    ) : null;

  const next = status === 'open' ? 'contained' : 'open';

  return (
    <section aria-labelledby="incident-work" className="space-y-5 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="incident-work" className="text-base font-semibold text-slate-900">
          Work on this incident
        </h2>
        <Button
          type="button"
          variant="secondary"
          pending={pending === 'status'}
          disabled={pending !== null}
          onClick={() =>
            void call(
              'status',
              () => setIncidentStatusAction({ id, status: next }),
              next === 'contained' ? 'Marked contained.' : 'Reopened.',
            )
          }
        >
          {next === 'contained'
            ? pending === 'status'
              ? 'Marking contained…'
              : 'Mark contained'
            : pending === 'status'
              ? 'Reopening…'
              : 'Reopen'}
        </Button>
      </div>
      <div role="status" aria-live="polite">
        {message('status')}
      </div>

      <form
        aria-label="Add a note"
        onSubmit={(e) => {
          e.preventDefault();
          const text = note.trim();
          if (!text) {
            setNotice({ which: 'note', tone: 'error', text: 'Write the note first. Nothing was sent.' });
            return;
          }
          void call(
            'note',
            () => addIncidentNoteAction({ id, note: text }),
            'Note added.',
            () => setNote(''),
          );
        }}
      >
        <label htmlFor={ids.note} className="block text-sm font-medium text-slate-800">
          Note
        </label>
        <textarea id={ids.note} rows={3} maxLength={4000} value={note} onChange={(e) => setNote(e.target.value)} className={control} />
        <div className="mt-2 flex justify-end">
          <Button type="submit" pending={pending === 'note'} disabled={pending !== null}>
            {pending === 'note' ? 'Adding…' : 'Add note'}
          </Button>
        </div>
        <div role="status" aria-live="polite">
          {message('note')}
        </div>
      </form>

      <form
        aria-label="Link an alert"
        onSubmit={(e) => {
          e.preventDefault();
          const value = alertId.trim();
          if (!value) {
            setNotice({ which: 'link', tone: 'error', text: 'Enter the alert id (from the alert’s address). Nothing was sent.' });
            return;
          }
          void call(
            'link',
            () => linkIncidentAlertAction({ id, alertId: value }),
            'Alert linked.',
            () => setAlertId(''),
          );
        }}
      >
        <h3 className="text-sm font-semibold text-slate-800">Link an alert</h3>
        <div className="mt-1 flex flex-wrap items-end gap-2">
          <div className="min-w-64 flex-1">
            <label htmlFor={ids.alert} className="block text-sm font-medium text-slate-800">
              Alert id
            </label>
            <input
              id={ids.alert}
              value={alertId}
              maxLength={64}
              autoComplete="off"
              onChange={(e) => setAlertId(e.target.value)}
              className={`${control} font-mono`}
            />
          </div>
          <Button type="submit" variant="secondary" pending={pending === 'link'} disabled={pending !== null}>
            {pending === 'link' ? 'Linking…' : 'Link alert'}
          </Button>
        </div>
        <div role="status" aria-live="polite">
          {message('link')}
        </div>
      </form>
    </section>
  );
}
