'use client';

import { useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { Button } from '@/components/ui/button';
import { setTicketStatusAction } from '../_actions/set-ticket-status';
import { FailureNote } from './failure-note';
import { useTicketAction, type ShownFailure } from './use-ticket-action';

type Target = 'open' | 'pending' | 'resolved';

/** The moves offered from each status (closing is offered separately, behind a confirmation). */
const MOVES: Record<string, { to: Target; label: string }[]> = {
  open: [
    { to: 'pending', label: 'Mark pending' },
    { to: 'resolved', label: 'Resolve' },
  ],
  pending: [
    { to: 'open', label: 'Reopen' },
    { to: 'resolved', label: 'Resolve' },
  ],
  resolved: [{ to: 'open', label: 'Reopen' }],
};

function describe(f: ShownFailure): string {
  const hint = f.code === 'NOT_FOUND' ? ' It may have been reassigned or closed while this page was open; go back to My tickets.' : '';
  return `${f.message}${hint}${f.correlationId ? ` (Reference: ${f.correlationId})` : ''}`;
}

/**
 * Moves the ticket between statuses. Closing is final (no rule lets anyone work
 * a closed ticket), so it asks first, in an accessible dialog that says so.
 */
export function StatusControl({ ticketId, status, label }: { ticketId: string; status: string; label: string }) {
  const { pending, failure, setFailure, run } = useTicketAction();
  const [confirming, setConfirming] = useState(false);
  const moves = MOVES[status] ?? [];
  if (status === 'closed') return null;

  const move = (to: Target | 'closed') => run(() => setTicketStatusAction({ ticketId, status: to }));

  return (
    <div data-testid="status-control" role="group" aria-label="Status">
      <div className="flex flex-wrap gap-2">
        {moves.map((m) => (
          <Button key={m.to} variant="secondary" pending={pending} onClick={() => void move(m.to)}>
            {m.label}
          </Button>
        ))}
        <Button
          variant="secondary"
          aria-haspopup="dialog"
          disabled={pending}
          onClick={() => {
            setFailure(null);
            setConfirming(true);
          }}
        >
          Close ticket
        </Button>
      </div>
      {confirming ? null : <FailureNote failure={failure} />}
      <ConfirmDialog
        open={confirming}
        title="Close this ticket?"
        confirmLabel="Close for good"
        pending={pending}
        error={confirming && failure ? describe(failure) : null}
        onConfirm={() => {
          void move('closed').then((ok) => {
            if (ok) setConfirming(false);
          });
        }}
        onCancel={() => setConfirming(false)}
      >
        <p>
          Closing {label} is final: nobody can reply, add notes, reopen or reassign it afterwards, and the assigned agent no longer sees the
          requester’s account. Resolve it instead if the requester might still come back.
        </p>
      </ConfirmDialog>
    </div>
  );
}
