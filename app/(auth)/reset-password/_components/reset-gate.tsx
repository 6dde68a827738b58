'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { PasswordLinkForm, useFragmentToken } from '@/components/password-link';
import { CompletePasswordResetSchema, PasswordResetTokenSchema } from '@/lib/validation/tickets';
import { completePasswordResetAction } from '../_actions/complete-password-reset';

/**
 * The password-reset flow on the client: token from the fragment → password
 * form → done. Without a usable token it says to ask support for a new link.
 */
export function ResetGate() {
  const token = useFragmentToken(PasswordResetTokenSchema);
  const [done, setDone] = useState<{ consoleAccount: boolean } | null>(null);
  if (done) return <Done consoleAccount={done.consoleAccount} />;
  if (token === 'reading') return <p className="text-sm text-slate-600">Reading your password-reset link…</p>;
  if (token === null) return <InvalidLink />;
  return (
    <PasswordLinkForm
      key={token}
      token={token}
      schema={CompletePasswordResetSchema}
      submit={completePasswordResetAction}
      submitLabel="Set new password"
      onDone={setDone}
    />
  );
}

function InvalidLink() {
  return (
    <div role="alert" className="space-y-2 text-sm">
      <h2 className="font-semibold text-slate-900">This password-reset link is not valid</h2>
      <p className="text-slate-700">
        The link is incomplete, has already been used or has expired (it works for one hour). Ask support for a new one, and open it exactly
        as you received it.
      </p>
    </div>
  );
}

/** The sign-in link only for a console account; an end user's account needs nothing more here. */
function Done({ consoleAccount }: { consoleAccount: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <div className="space-y-3 text-sm">
      <h2 ref={heading} tabIndex={-1} className="font-semibold text-green-800 focus:outline-none">
        Password changed
      </h2>
      <p className="text-slate-700">Your password is set. You have been signed out everywhere.</p>
      {consoleAccount ? (
        <Link
          href="/sign-in"
          className="inline-flex w-full items-center justify-center rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
        >
          Sign in to the console
        </Link>
      ) : (
        <p className="text-slate-600">You can close this page and sign in with your new password where you use your account.</p>
      )}
    </div>
  );
}
