'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { OperationDialog } from '@/components/operation-dialog';
import { OPERATIONS } from '@/policies/operations';
import { endElevationAction } from '../_actions/end-elevation';

/** Ends an elevation now (its holder, or a superadmin); the rights stop on the holder's next request. */
export function EndElevationButton({ id, label }: { id: string; label: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        className="rounded-md bg-white px-2.5 py-1.5 text-sm font-medium text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
      >
        {label}
      </button>
      <OperationDialog
        open={open}
        title="End this elevation now?"
        confirmLabel="End elevation"
        danger={false}
        reason={OPERATIONS['elevation.end'].reason}
        onSubmit={(fields) => endElevationAction({ id, ...fields })}
        onSuccess={() => router.refresh()}
        onClose={() => setOpen(false)}
      >
        <p>The extra rights stop at once: the holder’s next request is decided with their own role.</p>
      </OperationDialog>
    </>
  );
}
