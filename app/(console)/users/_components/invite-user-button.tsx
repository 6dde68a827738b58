'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { useStepUp } from '../../_components/use-step-up';
import { InviteForm, type InviteResult } from './invite-form';
import { InviteLinkResult } from './invite-link-result';

/**
 * "Invite user": a dialog with the invitation form (step-up first), then the
 * one-time link, shown once. The form is mounted afresh each time the dialog
 * opens, so nothing typed earlier lingers; the link is forgotten when it closes.
 */
export function InviteUserButton() {
  const router = useRouter();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<InviteResult | null>(null);
  const { run, dialog } = useStepUp({ enrolled: true });

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  const close = () => {
    if (pending) return;
    setOpen(false);
    if (result) {
      setResult(null);
      router.refresh();
    }
  };

  return (
    <>
      <Button onClick={() => setOpen(true)} aria-haspopup="dialog">
        Invite user
      </Button>
      <dialog
        ref={ref}
        aria-labelledby={titleId}
        onCancel={(e) => {
          e.preventDefault();
          close();
        }}
        className="m-auto w-full max-w-lg rounded-xl bg-white p-0 shadow-xl backdrop:bg-slate-900/40"
      >
        <div className="p-6">
          <h2 id={titleId} className="text-lg font-semibold text-slate-900">
            {result ? 'Invitation created' : 'Invite a user'}
          </h2>
          {!open ? null : result ? (
            <InviteLinkResult result={result} onDone={close} />
          ) : (
            <InviteForm run={run} onPendingChange={setPending} onInvited={setResult} onCancel={close} />
          )}
        </div>
      </dialog>
      {dialog}
    </>
  );
}
