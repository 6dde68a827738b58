'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { OperationDialog } from '@/components/operation-dialog';
import { Button } from '@/components/ui/button';
import { requestRequesterMfaResetAction } from '../_actions/request-requester-mfa-reset';
import { withNotFoundHint } from './failure-note';

/**
 * Second-factor reset for the requester: support cannot do it, only ask; an
 * administrator approves by resetting on the user's page. Shows where the
 * request stands.
 */
export function MfaResetRequest({
  ticketId,
  requesterId,
  status,
  canRequest,
  canApprove,
}: {
  ticketId: string;
  requesterId: string;
  status: { status: string; createdAt: Date; decidedAt: Date | null } | null;
  canRequest: boolean;
  canApprove: boolean;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const pending = status?.status === 'pending';
  return (
    <div data-testid="mfa-reset" className="space-y-2 text-sm">
      {status ? (
        <p className={pending ? 'text-amber-800' : 'text-green-700'}>
          {pending
            ? 'A second-factor reset is waiting for an administrator.'
            : `Second factors reset by an administrator${status.decidedAt ? ` on ${status.decidedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}.`}
        </p>
      ) : null}
      {pending && canApprove ? (
        <Link href={`/users/${requesterId}`} className="font-medium text-indigo-700 hover:underline">
          Review and reset on the user’s page →
        </Link>
      ) : null}
      {canRequest && !pending ? (
        <>
          <Button variant="secondary" aria-haspopup="dialog" onClick={() => setOpen(true)}>
            Ask an admin to reset MFA
          </Button>
          <OperationDialog
            open={open}
            title="Ask an administrator to reset the requester’s second factors"
            confirmLabel="Send the request"
            danger={false}
            reason="required"
            onSubmit={async (fields) => withNotFoundHint(await requestRequesterMfaResetAction({ ticketId, ...fields }))}
            onSuccess={() => router.refresh()}
            onClose={() => setOpen(false)}
          >
            <p>
              Support cannot remove anyone’s authenticator app or passkeys. An administrator reviews your request and, if they agree, resets
              the second factors with their own confirmation. Say how you confirmed who the requester is.
            </p>
          </OperationDialog>
        </>
      ) : null}
    </div>
  );
}
