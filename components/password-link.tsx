'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useRef, useState, useTransition } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { Button } from '@/components/ui/button';
import type { ActionResult } from '@/lib/authz/result';
import { PASSWORD_MAX, PASSWORD_MIN, type PasswordLinkInput, type PasswordLinkSchema } from '@/lib/validation/auth';

/**
 * The client half of a one-time link page (invitation, password reset): the
 * token is read from the URL fragment — never sent in a URL to the server —
 * and the new-password form posts it to the page's action.
 */

/** "reading" until the fragment is read; then the token, or null for a missing or malformed one. */
export type FragmentToken = 'reading' | string | null;

/**
 * Reads the token from the URL fragment once, removes it from the address bar
 * and history, and reads again when another link is pasted into the same tab.
 */
export function useFragmentToken(schema: z.ZodType<string>): FragmentToken {
  const [token, setToken] = useState<FragmentToken>('reading');
  const taken = useRef(false);
  useEffect(() => {
    const take = () => {
      const raw = window.location.hash.replace(/^#/, '');
      if (raw) window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
      const parsed = schema.safeParse(raw);
      setToken(parsed.success ? parsed.data : null);
    };
    // Once per page: the fragment is gone after the first read (Strict Mode runs effects twice).
    if (!taken.current) {
      taken.current = true;
      take();
    }
    const onHashChange = () => {
      if (window.location.hash.length > 1) take();
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, [schema]);
  return token;
}

const input =
  'mt-1 block w-full rounded-md border-0 px-3 py-2 text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600 aria-invalid:ring-red-500';

/**
 * New password + confirmation, validated with the action's own schema; server
 * field errors map back. An unusable link gets the server's one generic message
 * (it never says which check failed); only an unexpected failure shows a reference.
 */
export function PasswordLinkForm<T>({
  token,
  schema,
  submit,
  submitLabel,
  onDone,
}: {
  token: string;
  schema: PasswordLinkSchema;
  submit: (input: PasswordLinkInput) => Promise<ActionResult<T>>;
  submitLabel: string;
  onDone: (data: T) => void;
}) {
  const [pending, startTransition] = useTransition();
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<PasswordLinkInput>({ resolver: zodResolver(schema), defaultValues: { token, password: '', confirm: '' } });

  const onSubmit = handleSubmit((values) => {
    if (pending) return;
    setFormError(null);
    startTransition(async () => {
      try {
        const result = await submit({ token, password: values.password, confirm: values.confirm });
        if (result.ok) {
          onDone(result.data);
          return;
        }
        for (const field of ['password', 'confirm'] as const) {
          const message = result.fieldErrors?.[field]?.[0];
          if (message) setError(field, { message });
        }
        const reference =
          result.code === 'INTERNAL' && !result.message.includes(result.correlationId) ? ` (Reference: ${result.correlationId})` : '';
        setFormError(result.fieldErrors?.token?.[0] ?? `${result.message}${reference}`);
      } catch {
        setFormError('The console could not be reached. Check your connection and try again. Your password was not changed.');
      }
    });
  });

  const fieldError = (name: 'password' | 'confirm') =>
    errors[name] ? (
      <p id={`${name}-error`} className="mt-1 text-sm text-red-700">
        {errors[name]?.message}
      </p>
    ) : null;

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-5" aria-describedby="password-rules">
      <p id="password-rules" className="text-sm text-slate-600">
        Use {PASSWORD_MIN} to {PASSWORD_MAX} characters. Any characters work, including spaces; there are no rules about capitals, digits or
        symbols. A few unrelated words make a good password.
      </p>
      <div>
        <label htmlFor="password" className="block text-sm font-medium text-slate-800">
          New password
        </label>
        <input
          id="password"
          type="password"
          autoComplete="new-password"
          autoFocus
          aria-invalid={errors.password ? true : undefined}
          aria-describedby={errors.password ? 'password-error' : undefined}
          className={input}
          {...register('password')}
        />
        {fieldError('password')}
      </div>
      <div>
        <label htmlFor="confirm" className="block text-sm font-medium text-slate-800">
          Confirm password
        </label>
        <input
          id="confirm"
          type="password"
          autoComplete="new-password"
          aria-invalid={errors.confirm ? true : undefined}
          aria-describedby={errors.confirm ? 'confirm-error' : undefined}
          className={input}
          {...register('confirm')}
        />
        {fieldError('confirm')}
      </div>
      <div aria-live="polite" role="status">
        {formError ? (
          <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-inset ring-red-200">{formError}</p>
        ) : null}
      </div>
      <Button type="submit" pending={pending} className="w-full">
        {submitLabel}
      </Button>
    </form>
  );
}
