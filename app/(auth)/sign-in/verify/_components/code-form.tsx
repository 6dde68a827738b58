'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';
import { Button } from '@/components/ui/button';
import { SecondFactorSchema, type SecondFactorInput } from '@/lib/validation/auth';
import { verifySecondFactorAction } from '../../_actions/verify-second-factor';

/** The code field of the second step: an authenticator-app code or a recovery code. */
export function CodeForm({ method, redirectTo }: { method: 'totp' | 'recovery'; redirectTo: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string | null>(null);
  const { register, handleSubmit, formState } = useForm<SecondFactorInput>({
    resolver: zodResolver(SecondFactorSchema),
    defaultValues: { method, code: '' },
  });
  const label = method === 'totp' ? 'Authenticator code' : 'Recovery code';

  const onSubmit = handleSubmit((values) =>
    startTransition(async () => {
      setFormError(null);
      const result = await verifySecondFactorAction(values);
      if (result.ok) {
        router.replace(redirectTo);
        router.refresh();
        return;
      }
      if (result.code === 'UNAUTHENTICATED') {
        router.replace('/sign-in');
        return;
      }
      setFormError(result.message);
    }),
  );

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <div>
        <label htmlFor="code" className="block text-sm font-medium text-slate-800">
          {label}
        </label>
        <input
          id="code"
          autoComplete="one-time-code"
          inputMode={method === 'totp' ? 'numeric' : 'text'}
          autoFocus
          placeholder={method === 'totp' ? '123456' : 'xxxx-xxxx-xxxx'}
          aria-invalid={formState.errors.code ? true : undefined}
          className="mt-1 block w-full rounded-md border-0 px-3 py-2 font-mono tracking-widest text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
          {...register('code')}
        />
        {formState.errors.code ? <p className="mt-1 text-sm text-red-700">{formState.errors.code.message}</p> : null}
      </div>
      <div aria-live="polite" role="status">
        {formError ? (
          <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-inset ring-red-200">{formError}</p>
        ) : null}
      </div>
      <Button type="submit" className="w-full" pending={pending}>
        {pending ? 'Checking…' : 'Verify'}
      </Button>
    </form>
  );
}
