'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { OperationDialog } from '@/components/operation-dialog';
import { Button } from '@/components/ui/button';
import { OPERATIONS } from '@/policies/operations';
import { revokeUserSessionAction } from '../_actions/revoke-user-session';

/**
 * "End session" for one row: the operation dialog states who is signed out
 * where, takes the reason the catalog requires, and calls the action (no step-up
 * for this operation; the server decides again on the session record).
 */
export function EndSessionButton({ id, name, device, ip }: { id: string; name: string; device: string; ip: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="ghost" onClick={() => setOpen(true)} aria-haspopup="dialog">
        End session
      </Button>
      {/* The dialog inherits text styles from the table cell it sits in: reset them. */}
      <div className="text-left font-normal whitespace-normal">
        <OperationDialog
          open={open}
          title={`End ${name}’s session?`}
          confirmLabel="End session"
          reason={OPERATIONS['session.revoke_user'].reason}
          onSubmit={(fields) => revokeUserSessionAction({ id, reason: fields.reason, ticketRef: fields.ticketRef })}
          onSuccess={() => router.refresh()}
          onClose={() => setOpen(false)}
        >
          <p>
            <strong>{name}</strong> will be signed out of this browser ({device}, {ip}) at their next click.
          </p>
          <p>They can sign in again. To keep them out, suspend the account instead.</p>
        </OperationDialog>
      </div>
    </>
  );
}
