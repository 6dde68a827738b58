'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { useStepUp } from '../../../_components/use-step-up';
import { disableTotpAction } from '../_actions/disable-totp';
import { enableTotpAction } from '../_actions/enable-totp';
import { RecoveryCodesList } from './recovery-codes-list';

/** Authenticator app: set up with a QR code and a first code, or remove (with step-up). */
export function TotpSection({
  enabledAt,
  setup,
  enrolled,
}: {
  enabledAt: string | null;
  setup: { sealed: string; secret: string; qr: string } | null;
  enrolled: boolean;
}) {
  const router = useRouter();
  const { run, dialog } = useStepUp({ enrolled });
  const [code, setCode] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [pending, startTransition] = useTransition();

  // The codes are shown once, right after enrolment, before anything else.
  if (codes) return <RecoveryCodesList codes={codes} />;
  if (enabledAt) {
    return (
      <div className="flex items-center justify-between gap-4">
        <p className="text-sm">
          <span className="font-medium text-green-700">On</span> since {enabledAt}
        </p>
        <Button
          variant="secondary"
          pending={pending}
          onClick={() =>
            startTransition(async () => {
              const r = await run('account.totp_disable', disableTotpAction, {});
              setMessage(r.ok ? null : r.message);
              if (r.ok) router.refresh();
            })
          }
        >
          Remove
        </Button>
        {dialog}
        <p aria-live="polite" role="status" className="text-sm text-red-700">
          {message}
        </p>
      </div>
    );
  }
  if (!setup) return null;
  return (
    <>
      <form
        className="flex flex-wrap gap-6"
        onSubmit={(e) => {
          e.preventDefault();
          startTransition(async () => {
            setMessage(null);
            const r = await run('account.totp_enable', enableTotpAction, { sealed: setup.sealed, code: code.trim() });
            if (!r.ok) {
              setMessage(r.message);
              return;
            }
            if (r.data.recoveryCodes) setCodes(r.data.recoveryCodes);
            router.refresh();
          });
        }}
      >
        {/* eslint-disable-next-line @next/next/no-img-element -- a data: URL made on the server */}
        <img
          src={setup.qr}
          alt="QR code to add Warden to your authenticator app"
          width={160}
          height={160}
          className="rounded ring-1 ring-slate-200"
        />
        <div className="min-w-64 flex-1 space-y-3 text-sm">
          <p>Scan the code with your authenticator app, or enter this key by hand:</p>
          <code className="block break-all rounded bg-slate-100 px-2 py-1 font-mono" data-testid="totp-secret">
            {setup.secret}
          </code>
          <label htmlFor="totp-code" className="block font-medium">
            Code from the app
          </label>
          <input
            id="totp-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            inputMode="numeric"
            autoComplete="one-time-code"
            className="block w-40 rounded-md border-0 px-3 py-2 font-mono tracking-widest ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
          />
          <p aria-live="polite" role="status" className="text-red-700">
            {message}
          </p>
          <Button type="submit" pending={pending}>
            Turn on
          </Button>
        </div>
      </form>
      {dialog}
    </>
  );
}
