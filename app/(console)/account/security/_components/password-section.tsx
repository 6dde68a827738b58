'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';
import { Button } from '@/components/ui/button';
import { ChangePasswordSchema, type ChangePasswordInput } from '@/lib/validation/auth';
import { useStepUp } from '../../../_components/use-step-up';
import { changePasswordAction } from '../_actions/change-password';

const input = 'mt-1 block w-72 rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600';

/** Change password: current password, a new one (15+ characters, no composition rules), step-up first. */
export function PasswordSection({ enrolled }: { enrolled: boolean }) {
  const { run, dialog } = useStepUp({ enrolled });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, startTransition] = useTransition();
  const { register, handleSubmit, reset, setError, formState } = useForm<ChangePasswordInput>({
    resolver: zodResolver(ChangePasswordSchema),
    defaultValues: { currentPassword: '', newPassword: '', confirmPassword: '', signOutOthers: true },
  });
  const errors = formState.errors;

  const onSubmit = handleSubmit((values) =>
    startTransition(async () => {
      setMessage(null);
      const r = await run('account.password_change', changePasswordAction, { ...values, signOutOthers: values.signOutOthers ?? true });
      if (!r.ok) {
        for (const [field, msgs] of Object.entries('fieldErrors' in r ? (r.fieldErrors ?? {}) : {})) {
          setError(field as keyof ChangePasswordInput, { message: msgs[0] });
        }
        setMessage({ ok: false, text: r.message });
        return;
      }
      reset();
      setMessage({
        ok: true,
        text: `Password changed.${r.data.otherSessionsEnded ? ` ${r.data.otherSessionsEnded} other session(s) ended.` : ''}`,
      });
    }),
  );

  return (
    <>
      <form onSubmit={onSubmit} noValidate className="space-y-3 text-sm">
        <label className="block font-medium">
          Current password
          <input
            type="password"
            autoComplete="current-password"
            className={input}
            aria-invalid={errors.currentPassword ? true : undefined}
            {...register('currentPassword')}
          />
        </label>
        {errors.currentPassword ? <p className="text-red-700">{errors.currentPassword.message}</p> : null}
        <label className="block font-medium">
          New password <span className="font-normal text-slate-500">(at least 15 characters; a few words work well)</span>
          <input
            type="password"
            autoComplete="new-password"
            className={input}
            aria-invalid={errors.newPassword ? true : undefined}
            {...register('newPassword')}
          />
        </label>
        {errors.newPassword ? <p className="text-red-700">{errors.newPassword.message}</p> : null}
        <label className="block font-medium">
          Repeat the new password
          <input
            type="password"
            autoComplete="new-password"
            className={input}
            aria-invalid={errors.confirmPassword ? true : undefined}
            {...register('confirmPassword')}
          />
        </label>
        {errors.confirmPassword ? <p className="text-red-700">{errors.confirmPassword.message}</p> : null}
        <label className="flex items-center gap-2">
          <input type="checkbox" {...register('signOutOthers')} /> Sign out my other sessions
        </label>
        <p aria-live="polite" role="status" className={message?.ok ? 'text-green-700' : 'text-red-700'}>
          {message?.text}
        </p>
        <Button type="submit" pending={pending}>
          Change password
        </Button>
      </form>
      {dialog}
    </>
  );
}
