'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { OperationDialog } from '@/components/operation-dialog';
import { Button } from '@/components/ui/button';
import { resendRequesterInvitationAction } from '../_actions/resend-requester-invitation';
import { sendRequesterPasswordResetAction } from '../_actions/send-requester-password-reset';
import { withNotFoundHint } from './failure-note';

type Kind = 'invitation' | 'reset';

const hours = (ms: number) => Math.round(ms / 3_600_000);

/**
 * One-time links for the requester: a new invitation (no password yet) or a
 * password-reset link (has one). The server writes the link only into a message
 * to the requester's address on file; this page never receives it, so all it can
 * say afterwards is that it was sent.
 */
export function RequesterLinks({
  ticketId,
  canInvite,
  canReset,
  invitationTtlMs,
  resetTtlMs,
}: {
  ticketId: string;
  /** The configured link lifetimes (invitations.ttl, password_reset.ttl). */
  invitationTtlMs: number;
  resetTtlMs: number;
  /** can.resendInvitation && !requester.hasPassword */
  canInvite: boolean;
  /** can.sendPasswordReset && requester.hasPassword */
  canReset: boolean;
}) {
  const router = useRouter();
  const [open, setOpen] = useState<Kind | null>(null);
  const [sent, setSent] = useState<Kind | null>(null);
  if (!canInvite && !canReset) return null;

  const start = (kind: Kind) => {
    setSent(null);
    setOpen(kind);
  };
  const done = (kind: Kind) => () => {
    setSent(kind);
    router.refresh();
  };

  return (
    <div data-testid="requester-links" className="space-y-2 text-sm">
      <div className="flex flex-wrap gap-2">
        {canInvite ? (
          <Button data-testid="send-invitation" variant="secondary" aria-haspopup="dialog" onClick={() => start('invitation')}>
            Send a new invitation
          </Button>
        ) : null}
        {canReset ? (
          <Button data-testid="send-password-reset" variant="secondary" aria-haspopup="dialog" onClick={() => start('reset')}>
            Send password-reset link
          </Button>
        ) : null}
      </div>
      <div aria-live="polite" role="status">
        {sent ? <p className="text-green-700">Sent to the requester’s address.</p> : null}
      </div>
      {canInvite ? (
        <OperationDialog
          open={open === 'invitation'}
          title="Send the requester a new invitation"
          confirmLabel="Send invitation"
          danger={false}
          reason="optional"
          onSubmit={async (fields) => withNotFoundHint(await resendRequesterInvitationAction({ ticketId, ...fields }))}
          onSuccess={done('invitation')}
          onClose={() => setOpen(null)}
        >
          <p>
            A link to set a password goes to the requester’s email address on file, not to you: you will not see it, and neither will anyone
            else in the console.
          </p>
          <p>
            It works once, for {hours(invitationTtlMs)} hours. Invitation links sent earlier stop working. Sending it is recorded in the
            audit trail (the link is not).
          </p>
        </OperationDialog>
      ) : null}
      {canReset ? (
        <OperationDialog
          open={open === 'reset'}
          title="Send the requester a password-reset link"
          confirmLabel="Send link"
          danger={false}
          reason="required"
          onSubmit={async (fields) => withNotFoundHint(await sendRequesterPasswordResetAction({ ticketId, ...fields }))}
          onSuccess={done('reset')}
          onClose={() => setOpen(null)}
        >
          <p>
            A link to choose a new password goes to the requester’s email address on file, not to you: you will not see it, and neither will
            anyone else in the console. Confirm who the requester is first.
          </p>
          <p>
            It works once, for {hours(resetTtlMs) === 1 ? 'one hour' : `${hours(resetTtlMs)} hours`}. Reset links sent earlier stop working.
            Using it clears a sign-in lock and signs the requester out everywhere. Your reason is recorded in the audit trail (the link is
            not).
          </p>
        </OperationDialog>
      ) : null}
    </div>
  );
}
