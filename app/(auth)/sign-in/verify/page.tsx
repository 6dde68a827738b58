import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { readPendingLogin } from '@/lib/auth/pending-login';
import { safeRedirectPath } from '@/lib/auth/redirect';
import { getViewer } from '@/lib/auth/viewer';
import { env } from '@/lib/env';
import { firstValues } from '@/lib/validation/lists';
import { PasskeySignInButton } from '../_components/passkey-sign-in-button';
import { CodeForm } from './_components/code-form';

export const metadata: Metadata = { title: 'Verify it’s you' };

/** Step 2 of sign-in: reachable only with a live pending sign-in (password already checked). */
export default async function VerifyPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await getViewer()) redirect('/');
  const pending = await readPendingLogin();
  if (!pending) redirect('/sign-in');
  const sp = firstValues(await searchParams);
  const back = safeRedirectPath(sp.callbackUrl, env().APP_URL);
  const useRecovery = sp.method === 'recovery';
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 px-4">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <div className="mx-auto flex size-12 items-center justify-center rounded-xl bg-slate-900 text-lg font-bold text-white">W</div>
          <h1 className="mt-4 text-2xl font-semibold tracking-tight">Verify it’s you</h1>
          <p className="mt-1 text-sm text-slate-600">
            Second step for <span className="font-medium">{pending.email}</span>
          </p>
        </div>
        <div className="space-y-5 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
          {useRecovery ? (
            <CodeForm method="recovery" redirectTo={back} />
          ) : (
            <>
              {pending.passkeys > 0 ? <PasskeySignInButton mode="pending" redirectTo={back} label="Use my passkey" /> : null}
              {pending.hasTotp ? <CodeForm method="totp" redirectTo={back} /> : null}
            </>
          )}
          <p className="text-center text-sm">
            {useRecovery ? (
              <Link className="font-medium text-indigo-700 hover:underline" href="/sign-in/verify">
                Use my authenticator or passkey instead
              </Link>
            ) : pending.recoveryCodes > 0 ? (
              <Link className="font-medium text-indigo-700 hover:underline" href="/sign-in/verify?method=recovery">
                Lost your device? Use a recovery code
              </Link>
            ) : null}
          </p>
        </div>
        <p className="mt-4 text-center text-sm">
          <Link href="/sign-in" className="text-slate-600 hover:underline">
            Start again
          </Link>
        </p>
      </div>
    </main>
  );
}
