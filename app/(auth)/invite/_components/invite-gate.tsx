'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { PasswordLinkForm, useFragmentToken } from '@/components/password-link';
import { AcceptInvitationSchema, InvitationTokenSchema } from '@/lib/validation/users';
import { acceptInvitationAction } from '../_actions/accept-invitation';

/**
 * The invitation flow on the client: token from the fragment → password form →
 * "sign in to finish". Without a usable token it says to ask for a new link.
 */
export function InviteGate() {
  const token = useFragmentToken(InvitationTokenSchema);
  const [done, setDone] = useState(false);
  if (done) return <Done />;
  if (token === 'reading') return <p className="text-sm text-slate-600">Reading your invitation link…</p>;
  if (token === null) return <InvalidLink />;
  return (
    <PasswordLinkForm
      key={token}
      token={token}
      schema={AcceptInvitationSchema}
      submit={acceptInvitationAction}
      submitLabel="Set password"
      onDone={() => setDone(true)}
    />
  );
}

function InvalidLink() {
  return (
    <div role="alert" className="space-y-2 text-sm">
      <h2 className="font-semibold text-slate-900">This invitation link is not valid</h2>
      <p className="text-slate-700">
        The link is incomplete, has already been used or has expired. Ask your administrator for a new invitation link, and open it exactly
        as you received it.
      </p>
    </div>
  );
}

function Done() {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <div className="space-y-3 text-sm">
      <h2 ref={heading} tabIndex={-1} className="font-semibold text-green-800 focus:outline-none">
        Invitation accepted
      </h2>
      <p className="text-slate-700">
        Your password is set. Sign in to finish: you will set up a second factor (an authenticator app or a passkey) first.
      </p>
      <Link
        href="/sign-in"
        className="inline-flex w-full items-center justify-center rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
      >
        Sign in
      </Link>
    </div>
  );
}
