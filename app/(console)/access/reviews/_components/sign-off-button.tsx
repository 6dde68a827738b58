'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { OperationDialog, type OperationFields } from '@/components/operation-dialog';
import { Button } from '@/components/ui/button';
import { usePerform, type UserAction } from '../../../users/[id]/_components/use-perform';
import { signOffReviewAction } from '../_actions/sign-off-review';

/**
 * "Sign off": the statement (recorded as the reason of review.sign_off), a
 * step-up, then the campaign closes. Pending rows are allowed but warned about:
 * their count goes into the event with the statement.
 */
export function SignOffButton({ reviewId, pending, total }: { reviewId: string; pending: number; total: number }) {
  const router = useRouter();
  const { perform, dialog } = usePerform();
  const [open, setOpen] = useState(false);
  const submit = (fields: OperationFields) => perform('review.sign_off', signOffReviewAction as UserAction, { reviewId, ...fields });
  return (
    <>
      <Button type="button" onClick={() => setOpen(true)}>
        Sign off
      </Button>
      {dialog}
      <OperationDialog
        open={open}
        title="Sign off this access review?"
        confirmLabel="Sign off and close"
        danger={false}
        reason="required"
        onSubmit={submit}
        onSuccess={() => router.refresh()}
        onClose={() => setOpen(false)}
      >
        <p>
          Your statement is recorded as the sign-off, with the coverage, in the audit trail, and the campaign closes: no further decision
          can be recorded in it. You will confirm it’s you (step-up).
        </p>
        {pending > 0 ? (
          <p className="rounded-md bg-amber-50 px-3 py-2 text-amber-900 ring-1 ring-amber-200" data-testid="sign-off-pending-warning">
            {pending} of {total} {total === 1 ? 'person is' : 'people are'} still undecided. Signing off now records that they were not
            reviewed.
          </p>
        ) : null}
      </OperationDialog>
    </>
  );
}
