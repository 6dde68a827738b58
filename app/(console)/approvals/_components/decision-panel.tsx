'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import type { ActionFailure } from '@/lib/authz/result';
import { useStepUp } from '../../_components/use-step-up';
import { approveRequestAction } from '../_actions/approve-request';
import { cancelRequestAction } from '../_actions/cancel-request';
import { rejectRequestAction } from '../_actions/reject-request';
import { NoteDialog } from '@/components/note-dialog';

type Failure = ActionFailure | { ok: false; code: 'CANCELLED'; message: string };
type Notice = { tone: 'success' | 'warning' | 'error'; text: string };

const UNREACHABLE = 'The console could not be reached. Check your connection and try again. Nothing was changed.';

function failureText(result: Failure): string {
  return 'correlationId' in result && result.correlationId ? `${result.message} (Reference: ${result.correlationId})` : result.message;
}

/** Failures after which the request is no longer what the page shows (decided, ended, gone): reload it. */
const STALE_CODES = new Set(['CONFLICT', 'NOT_FOUND']);

const NOTICE_STYLES: Record<Notice['tone'], string> = {
  success: 'bg-emerald-50 text-emerald-900 ring-emerald-200',
  warning: 'bg-amber-50 text-amber-900 ring-amber-200',
  error: 'bg-red-50 text-red-800 ring-red-200',
};

/**
 * What the viewer may do with one request: approve it (a step-up bound to the
 * request id and the digest shown on this page; the note is optional), reject
 * it (with a reason), or withdraw their own. The server decides again on every
 * call. This panel stays mounted across the refresh that follows, so the
 * outcome stays on screen while the page shows the new status.
 */
export function DecisionPanel({
  id,
  digest,
  canDecide,
  canCancel,
  enrolled,
}: {
  id: string;
  digest: string;
  canDecide: boolean;
  canCancel: boolean;
  enrolled: boolean;
}) {
  const router = useRouter();
  const { run, dialog } = useStepUp({ enrolled });
  const [open, setOpen] = useState<'approve' | 'reject' | null>(null);
  const [pending, setPending] = useState<'approve' | 'reject' | 'withdraw' | null>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);

  const openDialog = (which: 'approve' | 'reject') => {
    setDialogError(null);
    setNotice(null);
    setOpen(which);
  };

  async function approve(note: string) {
    if (pending) return;
    setPending('approve');
    setDialogError(null);
    try {
      // The step-up is bound to {id, digest}; an empty note is left out, not sent as "".
      const result = await run('approval.approve', approveRequestAction, { id, digest, ...(note ? { reason: note } : {}) });
      if (result.ok) {
        setOpen(null);
        setNotice(
          result.data.status === 'executed'
            ? { tone: 'success', text: 'Approved. The change has been made and recorded in the audit trail.' }
            : { tone: 'warning', text: result.data.message },
        );
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

  async function reject(reason: string) {
    if (pending) return;
    setPending('reject');
    setDialogError(null);
    try {
      const result = await rejectRequestAction({ id, reason });
      if (result.ok) {
        setOpen(null);
        setNotice({ tone: 'success', text: 'Rejected. Nothing was changed; the person who asked can see your reason.' });
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

  async function withdraw() {
    if (pending) return;
    setPending('withdraw');
    setNotice(null);
    try {
      const result = await cancelRequestAction({ id });
      if (result.ok) {
        setNotice({ tone: 'success', text: 'Withdrawn. Nothing was changed.' });
      } else {
        setNotice({ tone: 'error', text: failureText(result) });
        if (!STALE_CODES.has(result.code)) return;
      }
      router.refresh();
    } catch {
      setNotice({ tone: 'error', text: UNREACHABLE });
    } finally {
      setPending(null);
    }
  }

  return (
    <section aria-label="Decision" className="space-y-3">
      <div role="status" aria-live="polite">
        {notice ? (
          <p data-testid="decision-outcome" className={`rounded-md px-4 py-3 text-sm ring-1 ${NOTICE_STYLES[notice.tone]}`}>
            {notice.text}
          </p>
        ) : null}
      </div>
      {canDecide || canCancel ? (
        <div className="flex flex-wrap gap-2">
          {canDecide ? (
            <>
              <Button type="button" aria-haspopup="dialog" onClick={() => openDialog('approve')} disabled={pending !== null}>
                Approve
              </Button>
              <Button
                type="button"
                variant="danger"
                aria-haspopup="dialog"
                onClick={() => openDialog('reject')}
                disabled={pending !== null}
              >
                Reject
              </Button>
            </>
          ) : null}
          {canCancel ? (
            <Button type="button" variant="secondary" onClick={() => void withdraw()} pending={pending === 'withdraw'}>
              {pending === 'withdraw' ? 'Withdrawing…' : 'Withdraw request'}
            </Button>
          ) : null}
        </div>
      ) : null}
      <NoteDialog
        open={open === 'approve'}
        title="Approve this request"
        label="Note (optional)"
        hint="Recorded with your approval in the audit trail."
        required={false}
        submitLabel="Approve with passkey"
        pendingLabel="Approving…"
        pending={pending === 'approve'}
        error={dialogError}
        onSubmit={(note) => void approve(note)}
        onCancel={() => setOpen(null)}
      >
        <p>
          You approve exactly the change shown on this page (its digest). It then runs once, as the person who asked, after the policy is
          checked again. Confirm with your passkey: its signature over this change is kept in the audit trail.
        </p>
      </NoteDialog>
      <NoteDialog
        open={open === 'reject'}
        title="Reject this request"
        label="Reason"
        hint="Required. The person who asked sees it, and it is recorded in the audit trail."
        required
        submitLabel="Reject request"
        pendingLabel="Rejecting…"
        danger
        pending={pending === 'reject'}
        error={dialogError}
        onSubmit={(reason) => void reject(reason)}
        onCancel={() => setOpen(null)}
      >
        <p>Nothing will change. The request ends; the person who asked can ask again.</p>
      </NoteDialog>
      {dialog}
    </section>
  );
}
