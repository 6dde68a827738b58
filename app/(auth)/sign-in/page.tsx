import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getViewer } from '@/lib/auth/viewer';
import { firstValues } from '@/lib/validation/lists';
import { PasskeySignInButton } from './_components/passkey-sign-in-button';
import { SignInForm } from './_components/sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await getViewer()) redirect('/');
  const { callbackUrl } = firstValues(await searchParams);
  return (
    <main className="flex min-h-screen items-center justify-center bg-slate-100 px-4">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <div className="mx-auto flex size-12 items-center justify-center rounded-xl bg-slate-900 text-lg font-bold text-white">W</div>
          <h1 className="mt-4 text-2xl font-semibold tracking-tight">Sign in to Warden</h1>
          <p className="mt-1 text-sm text-slate-600">Every action here is policy-checked and recorded.</p>
        </div>
        <div className="rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
          <SignInForm callbackUrl={callbackUrl?.slice(0, 2048)} />
          <div className="my-5 flex items-center gap-3 text-xs text-slate-500">
            <span className="h-px flex-1 bg-slate-200" />
            or
            <span className="h-px flex-1 bg-slate-200" />
          </div>
          <PasskeySignInButton mode="usernameless" redirectTo="/" label="Sign in with a passkey" />
        </div>
      </div>
    </main>
  );
}
