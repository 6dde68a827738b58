'use client';

import { useRouter } from 'next/navigation';
import { useTransition } from 'react';
import { signOutAction } from '../_actions/sign-out';

/**
 * Signs out and returns to the sign-in page, whatever the action answered: the
 * action revokes the session; /api/auth/signed-out then answers with
 * Clear-Site-Data so the browser forgets cached pages, cookies and storage.
 */
export function SignOutButton() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <button
      type="button"
      disabled={pending}
      aria-busy={pending || undefined}
      onClick={() =>
        startTransition(async () => {
          await signOutAction({});
          // Best effort: the server session is already over if this request fails.
          await fetch('/api/auth/signed-out', { method: 'POST', credentials: 'same-origin', cache: 'no-store' }).catch(() => undefined);
          router.replace('/sign-in');
          router.refresh();
        })
      }
      className="w-full rounded-md px-3 py-2 text-left text-sm font-medium text-slate-300 hover:bg-slate-800 hover:text-white disabled:opacity-60"
    >
      {pending ? 'Signing out…' : 'Sign out'}
    </button>
  );
}
