'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { Button } from '@/components/ui/button';
import { InviteUserSchema, type InviteUserInput } from '@/lib/validation/users';
import { OPERATIONS } from '@/policies/operations';
import type { ADMIN_MANAGED_ROLES } from '@/policies/rules';
import type { useStepUp } from '../../_components/use-step-up';
import { inviteUserAction } from '../_actions/invite-user';
import { compactInput } from './compact-input';

export interface InviteResult {
  email: string;
  name: string;
  link: string;
  expiresAt: Date;
}

type Values = z.output<typeof InviteUserSchema>;
type Field = keyof InviteUserInput;
const FIELDS = ['email', 'name', 'role', 'reason', 'ticketRef'] as const satisfies readonly Field[];

/** Roles offered: those an admin or superadmin may invite. The server decides again on the draft account. */
const INVITABLE_ROLES = ['member', 'support', 'auditor'] as const satisfies readonly (typeof ADMIN_MANAGED_ROLES)[number][];

const control =
  'mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600';
const label = 'block text-sm font-medium text-slate-800';

/**
 * The invitation form (house style 14/16): the same zod schema as the action,
 * server field errors mapped back onto the fields, form errors with the
 * correlation id in an aria-live region, and a pending state that covers the
 * step-up as well as the action.
 */
export function InviteForm({
  run,
  onPendingChange,
  onInvited,
  onCancel,
}: {
  run: ReturnType<typeof useStepUp>['run'];
  onPendingChange: (pending: boolean) => void;
  onInvited: (result: InviteResult) => void;
  onCancel: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const form = useForm<InviteUserInput, unknown, Values>({
    resolver: zodResolver(InviteUserSchema),
    defaultValues: { email: '', name: '', role: 'member', reason: '', ticketRef: '' },
  });
  const { errors, isSubmitting } = form.formState;
  useEffect(() => onPendingChange(isSubmitting), [isSubmitting, onPendingChange]);

  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    try {
      const r = await run('user.invite', inviteUserAction, compactInput(values));
      if (r.ok) {
        onInvited({ email: values.email, name: values.name, link: r.data.link, expiresAt: new Date(r.data.expiresAt) });
        return;
      }
      for (const [field, msgs] of Object.entries(('fieldErrors' in r && r.fieldErrors) || {})) {
        if ((FIELDS as readonly string[]).includes(field)) form.setError(field as Field, { message: msgs[0] });
      }
      setError('correlationId' in r ? `${r.message} (Reference: ${r.correlationId})` : r.message);
    } catch {
      setError('The console could not be reached. Check your connection and try again. Nothing was changed.');
    }
  });

  const fieldError = (name: Field) =>
    errors[name]?.message ? (
      <p id={`invite-${name}-error`} className="mt-1 text-xs text-red-700">
        {errors[name]?.message}
      </p>
    ) : null;
  const a11y = (name: Field) => ({
    'aria-invalid': errors[name] ? true : undefined,
    'aria-describedby': errors[name] ? `invite-${name}-error` : undefined,
  });

  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate className="mt-2 space-y-3">
      <p className="text-sm text-slate-600">
        The account is created without a password. You get a one-time link to hand over; with it they choose a password and, at their first
        sign-in, enrol a second factor.
      </p>
      <label className={label}>
        Email
        <input type="email" autoComplete="off" className={control} {...a11y('email')} {...form.register('email')} />
      </label>
      {fieldError('email')}
      <label className={label}>
        Name
        <input autoComplete="off" className={control} {...a11y('name')} {...form.register('name')} />
      </label>
      {fieldError('name')}
      <label className={label}>
        Role
        <select className={control} {...a11y('role')} {...form.register('role')}>
          {INVITABLE_ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      {fieldError('role')}
      <label className={label}>
        Reason <span className="font-normal text-slate-500">({OPERATIONS['user.invite'].reason}, recorded in the audit trail)</span>
        <textarea rows={2} maxLength={500} className={control} {...a11y('reason')} {...form.register('reason')} />
      </label>
      {fieldError('reason')}
      <label className={label}>
        Ticket reference <span className="font-normal text-slate-500">(optional, e.g. INC-1234)</span>
        <input maxLength={32} className={control} {...a11y('ticketRef')} {...form.register('ticketRef')} />
      </label>
      {fieldError('ticketRef')}
      <div aria-live="polite" role="status">
        {error ? <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">{error}</p> : null}
      </div>
      <div className="flex justify-end gap-2 pt-2">
        <Button variant="secondary" type="button" onClick={onCancel} disabled={isSubmitting}>
          Cancel
        </Button>
        <Button type="submit" pending={isSubmitting}>
          Create invitation
        </Button>
      </div>
    </form>
  );
}
