import type { Metadata } from 'next';
import { InviteGate } from './_components/invite-gate';

export const metadata: Metadata = { title: 'Accept your invitation', referrer: 'no-referrer' };

/**
 * Public page for an invitation link (`/invite#<token>`). The token is in the
 * fragment, which browsers never send to a server, so it stays out of access
 * logs, proxies and Referer headers; only the client component reads it.
 */
export default function InvitePage() {
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 px-4">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <div className="mx-auto flex size-12 items-center justify-center rounded-xl bg-slate-900 text-lg font-bold text-white">W</div>
          <h1 className="mt-4 text-2xl font-semibold tracking-tight">Set your Warden password</h1>
          <p className="mt-1 text-sm text-slate-600">You were invited to the Warden console. Choose a password to activate your account.</p>
        </div>
        <div className="rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
          <InviteGate />
          <noscript>
            <p className="mt-2 text-sm text-red-800">This page needs JavaScript to read your invitation link. Turn it on and reload.</p>
          </noscript>
        </div>
      </div>
    </main>
  );
}
