'use client';

import { startAuthentication } from '@simplewebauthn/browser';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { beginPasskeySignInAction } from '../_actions/begin-passkey-sign-in';
import { finishPasskeySignInAction } from '../_actions/finish-passkey-sign-in';

/**
 * Runs a WebAuthn sign-in ceremony: options from the server, the browser's
 * authenticator (with user verification), then server-side verification.
 */
export function PasskeySignInButton({ mode, redirectTo, label }: { mode: 'pending' | 'usernameless'; redirectTo: string; label: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);

  const run = () =>
    startTransition(async () => {
      setError(null);
      const begin = await beginPasskeySignInAction({ mode });
      if (!begin.ok) {
        setError(begin.message);
        return;
      }
      let response;
      try {
        response = await startAuthentication({ optionsJSON: begin.data.options });
      } catch {
        setError('The passkey prompt was closed or no passkey was available. Try again, or use another way to sign in.');
        return;
      }
      const finish = await finishPasskeySignInAction({ mode, response });
      if (!finish.ok) {
        setError(finish.message);
        return;
      }
      router.replace(redirectTo);
      router.refresh();
    });

  return (
    <div>
      <Button type="button" variant="secondary" className="w-full" pending={pending} onClick={run}>
        {pending ? 'Waiting for your passkey…' : label}
      </Button>
      <div aria-live="polite" role="status" className="mt-2">
        {error ? <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-inset ring-red-200">{error}</p> : null}
      </div>
    </div>
  );
}
