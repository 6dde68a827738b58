import type { Metadata } from 'next';
import { ResetGate } from './_components/reset-gate';

export const metadata: Metadata = { title: 'Choose a new password', referrer: 'no-referrer' };

/**
 * Public page for a password-reset link (`/reset-password#<token>`), sent from a
 * support ticket to the requester's address. The token is in the fragment, which
 * browsers never send to a server, so it stays out of access logs, proxies and
 * Referer headers; only the client component reads it.
 */
export default function ResetPasswordPage() {
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 px-4">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <div className="mx-auto flex size-12 items-center justify-center rounded-xl bg-slate-900 text-lg font-bold text-white">W</div>
          <h1 className="mt-4 text-2xl font-semibold tracking-tight">Choose a new password</h1>
          <p className="mt-1 text-sm text-slate-600">Setting a new password signs you out on every device.</p>
        </div>
        <div className="rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
          <ResetGate />
          <noscript>
            <p className="mt-2 text-sm text-red-800">This page needs JavaScript to read your password-reset link. Turn it on and reload.</p>
          </noscript>
        </div>
      </div>
    </main>
  );
}
