'use client';

import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { OperationDialog } from '@/components/operation-dialog';
import { OPERATIONS } from '@/policies/operations';
import { useStepUp } from '../../_components/use-step-up';
import { breakGlassAction } from '../_actions/break-glass';

/**
 * Break-glass for a superadmin: a clear warning, how long, why, then a passkey
 * (or authenticator-code) confirmation. The server starts it, raises the
 * critical alert and opens the mandatory review.
 */
export function BreakGlassButton({ userId, maxMinutes }: { userId: string; maxMinutes: number }) {
  const router = useRouter();
  const minutesId = useId();
  const [open, setOpen] = useState(false);
  const [minutes, setMinutes] = useState(String(Math.min(30, maxMinutes)));
  const { run, dialog } = useStepUp({ enrolled: true });
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        className="rounded-md bg-red-700 px-3 py-2 text-sm font-semibold text-white shadow-xs hover:bg-red-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700"
      >
        Break glass
      </button>
      <OperationDialog
        open={open}
        title="Break glass?"
        confirmLabel="Break glass with passkey"
        reason={OPERATIONS['elevation.break_glass'].reason}
        onSubmit={(fields) => run('elevation.break_glass', breakGlassAction, { userId, minutes: Number(minutes), ...fields })}
        onSuccess={() => router.refresh()}
        onClose={() => setOpen(false)}
      >
        <p className="rounded-md bg-red-50 px-3 py-2 text-red-900 ring-1 ring-red-200">
          For an emergency only. Until it ends, your two-person operations (granting or removing admin and superadmin, critical
          configuration, authorizing a signing-key rotation) run without waiting for a second approver. Every superadmin and auditor gets a
          critical alert now, and a mandatory access review of your account opens.
        </p>
        <label htmlFor={minutesId} className="block font-medium text-slate-800">
          For how many minutes
        </label>
        <input
          id={minutesId}
          name="minutes"
          type="number"
          min={5}
          max={maxMinutes}
          required
          value={minutes}
          onChange={(e) => setMinutes(e.target.value)}
          className="mt-1 block w-32 rounded-md border-0 px-3 py-1.5 text-sm shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
        />
      </OperationDialog>
      {dialog}
    </>
  );
}
