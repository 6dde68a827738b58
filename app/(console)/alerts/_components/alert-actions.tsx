'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import type { ActionFailure } from '@/lib/authz/result';
import { NoteDialog } from '@/components/note-dialog';
import { acknowledgeAlertAction } from '../_actions/acknowledge-alert';
import { resolveAlertAction } from '../_actions/resolve-alert';

type Which = 'acknowledge' | 'resolve';
type Notice = { tone: 'success' | 'error'; text: string };

const UNREACHABLE = 'The console could not be reached. Check your connection and try again. Nothing was changed.';

function failureText(result: ActionFailure): string {
  return result.correlationId ? `${result.message} (Reference: ${result.correlationId})` : result.message;
}

/** Failures after which the alert is no longer what the page shows (handled by someone else, gone): reload it. */
const STALE_CODES = new Set(['CONFLICT', 'NOT_FOUND']);

const SUCCESS: Record<Which, string> = {
  acknowledge: 'Acknowledged. Others can see that you are looking into it.',
  resolve: 'Resolved. Your note is recorded in the audit trail.',
};

/**
 * Acknowledge (optional note) and Resolve (reason required) for one alert. The
 * server decides again on every call; this panel stays mounted across the
 * refresh that follows, so the outcome stays on screen.
 */
export function AlertActions({ id, canAcknowledge, canResolve }: { id: string; canAcknowledge: boolean; canResolve: boolean }) {
  const router = useRouter();
  const [open, setOpen] = useState<Which | null>(null);
  const [pending, setPending] = useState<Which | null>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);

  const openDialog = (which: Which) => {
    setDialogError(null);
    setNotice(null);
    setOpen(which);
  };

  async function submit(which: Which, text: string) {
    if (pending) return;
    setPending(which);
    setDialogError(null);
    try {
      // An empty note is left out, not sent as "".
      const input = { id, ...(text ? { reason: text } : {}) };
      const result = which === 'acknowledge' ? await acknowledgeAlertAction(input) : await resolveAlertAction(input);
      if (result.ok) {
        setOpen(null);
        setNotice({ tone: 'success', text: SUCCESS[which] });
        router.refresh();
        return;
      }
      setDialogError(failureText(result));
      if (STALE_CODES.has(result.code)) router.refresh();
    } catch {
      setDialogError(UNREACHABLE);
    } finally {
      setPending(null);
    }
  }

  return (
    <section aria-label="Handle this alert" className="space-y-3">
      <div role="status" aria-live="polite">
        {notice ? (
          <p
            data-testid="alert-action-outcome"
            className={`rounded-md px-4 py-3 text-sm ring-1 ${
              notice.tone === 'success' ? 'bg-emerald-50 text-emerald-900 ring-emerald-200' : 'bg-red-50 text-red-800 ring-red-200'
            }`}
          >
            {notice.text}
          </p>
        ) : null}
      </div>
      {canAcknowledge || canResolve ? (
        <div className="flex flex-wrap gap-2">
          {canAcknowledge ? (
            <Button type="button" aria-haspopup="dialog" onClick={() => openDialog('acknowledge')} disabled={pending !== null}>
              Acknowledge
            </Button>
          ) : null}
          {canResolve ? (
            <Button
              type="button"
              variant={canAcknowledge ? 'secondary' : 'primary'}
              aria-haspopup="dialog"
              onClick={() => openDialog('resolve')}
              disabled={pending !== null}
            >
              Resolve
            </Button>
          ) : null}
        </div>
      ) : null}
      <NoteDialog
        open={open === 'acknowledge'}
        title="Acknowledge this alert"
        label="Note (optional)"
        hint="Recorded with the acknowledgement in the audit trail; others see it on this page."
        required={false}
        submitLabel="Acknowledge alert"
        pendingLabel="Acknowledging…"
        pending={pending === 'acknowledge'}
        error={open === 'acknowledge' ? dialogError : null}
        onSubmit={(note) => void submit('acknowledge', note)}
        onCancel={() => setOpen(null)}
      >
        <p>Say that you are looking into this alert. It stays active until someone resolves it.</p>
      </NoteDialog>
      <NoteDialog
        open={open === 'resolve'}
        title="Resolve this alert"
        label="Reason"
        hint="Required (at least 3 characters): what you found and what was done. Recorded in the audit trail."
        required
        submitLabel="Resolve alert"
        pendingLabel="Resolving…"
        pending={pending === 'resolve'}
        error={open === 'resolve' ? dialogError : null}
        onSubmit={(reason) => void submit('resolve', reason)}
        onCancel={() => setOpen(null)}
      >
        <p>The alert leaves the active list. If the rule fires again later, a new alert is raised.</p>
      </NoteDialog>
    </section>
  );
}
