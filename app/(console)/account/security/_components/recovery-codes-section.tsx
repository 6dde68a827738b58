'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { useStepUp } from '../../../_components/use-step-up';
import { generateRecoveryCodesAction } from '../_actions/generate-recovery-codes';
import { RecoveryCodesList } from './recovery-codes-list';

/** Recovery codes: how many are left, a warning after one was used, and regeneration (step-up). */
export function RecoveryCodesSection({ left, usedAt, enrolled }: { left: number; usedAt: string | null; enrolled: boolean }) {
  const router = useRouter();
  const { run, dialog } = useStepUp({ enrolled });
  const [codes, setCodes] = useState<string[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <div className="space-y-3 text-sm">
      {usedAt ? (
        <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-amber-900 ring-1 ring-amber-200">
          A recovery code was used to sign in to your account on {usedAt}. If that was not you, end your other sessions and generate new
          codes.
        </p>
      ) : null}
      <p>
        <span className="font-medium tabular-nums" data-testid="recovery-codes-left">
          {left}
        </span>{' '}
        unused recovery {left === 1 ? 'code' : 'codes'}.
      </p>
      {enrolled ? (
        <Button
          variant="secondary"
          pending={pending}
          onClick={() =>
            startTransition(async () => {
              setMessage(null);
              const r = await run('account.recovery_codes_generate', generateRecoveryCodesAction, {});
              if (!r.ok) setMessage(r.message);
              else {
                setCodes(r.data.codes);
                router.refresh();
              }
            })
          }
        >
          Generate new codes
        </Button>
      ) : null}
      <p aria-live="polite" role="status" className="text-red-700">
        {message}
      </p>
      {codes ? <RecoveryCodesList codes={codes} /> : null}
      {dialog}
    </div>
  );
}
