'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { OperationDialog } from '@/components/operation-dialog';
import { Button } from '@/components/ui/button';
import { showControlCharacters } from '@/lib/audit/display';
import { revealRequesterFieldAction } from '../_actions/reveal-requester-field';
import { unlockRequesterAction } from '../_actions/unlock-requester';
import { withNotFoundHint } from './failure-note';

type Field = 'email' | 'phone';

/**
 * A masked personal field of the requester with a "Reveal" button: the reason
 * goes to the audit trail, the value is shown in place. It lives in this
 * component's state only, never in the page or a cache, so a reload masks it again.
 */
export function RevealField({
  ticketId,
  field,
  masked,
  canReveal,
}: {
  ticketId: string;
  field: Field;
  masked: string;
  canReveal: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [revealed, setRevealed] = useState<{ value: string | null } | null>(null);

  return (
    <div data-testid={canReveal ? `reveal-${field}` : undefined} className="flex flex-wrap items-center gap-x-3 gap-y-1">
      {revealed ? (
        <>
          <span className="font-mono text-sm text-slate-900">
            {revealed.value === null ? <span className="text-slate-500">Not on file</span> : showControlCharacters(revealed.value)}
          </span>
          <span className="text-xs text-slate-500">Revealed — recorded in the audit trail</span>
        </>
      ) : (
        <>
          <span className="font-mono text-sm text-slate-700">
            {masked}
            <span className="sr-only"> (masked)</span>
          </span>
          {canReveal ? (
            <button
              type="button"
              aria-haspopup="dialog"
              onClick={() => setOpen(true)}
              className="rounded-md px-2 py-1 text-xs font-semibold text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-50"
            >
              Reveal <span className="sr-only">{field}</span>
            </button>
          ) : null}
        </>
      )}
      {canReveal ? (
        <OperationDialog
          open={open}
          title={`Reveal the requester’s ${field}`}
          confirmLabel="Reveal"
          danger={false}
          reason="required"
          onSubmit={async (fields) => {
            // OperationDialog catches a failed request; the value stays in this state only.
            const result = await revealRequesterFieldAction({ ticketId, field, ...fields });
            if (result.ok) setRevealed({ value: result.data.value });
            return withNotFoundHint(result);
          }}
          onClose={() => setOpen(false)}
        >
          <p>
            The full {field === 'email' ? 'email address' : 'phone number'} is shown on this page only, until you reload it. Your reason is
            recorded in the audit trail with the ticket; the {field} itself is not.
          </p>
          <p>Reveal it only when you need it to help the requester, e.g. to confirm who they are.</p>
        </OperationDialog>
      ) : null}
    </div>
  );
}

/** Unlocks the requester's account (locked by failed sign-ins), with a reason for the audit trail. */
export function UnlockRequesterButton({ ticketId, name }: { ticketId: string; name: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button data-testid="unlock-account" variant="secondary" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        Unlock account
      </Button>
      <OperationDialog
        open={open}
        title="Unlock the requester’s account"
        confirmLabel="Unlock now"
        danger={false}
        reason="required"
        onSubmit={async (fields) => withNotFoundHint(await unlockRequesterAction({ ticketId, ...fields }))}
        onSuccess={() => router.refresh()}
        onClose={() => setOpen(false)}
      >
        <p>
          {showControlCharacters(name)}’s sign-in lock and failed sign-in count are cleared; they can try to sign in again at once. Make
          sure the failed sign-ins were theirs (confirm who they are first), not someone guessing their password.
        </p>
      </OperationDialog>
    </>
  );
}
