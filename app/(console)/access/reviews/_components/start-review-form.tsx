'use client';

import { zodResolver } from '@hookform/resolvers/zod';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { Button } from '@/components/ui/button';
import { REVIEW_USAGE_DAYS, StartReviewSchema } from '@/lib/validation/access-reviews';
import { CONSOLE_ROLES } from '@/policies/roles';
import { compactInput } from '../../../users/_components/compact-input';
import { startReviewAction } from '../_actions/start-review';

type Values = z.output<typeof StartReviewSchema>;
interface FormValues {
  title: string;
  roles: string[];
  userEmails: string;
  reviewerIds: string[];
  dueAt: string;
  usageDays: string;
  reason: string;
  ticketRef: string;
}
type Field = keyof FormValues;
const FIELDS = ['title', 'roles', 'userEmails', 'reviewerIds', 'dueAt', 'usageDays', 'reason', 'ticketRef'] as const;

const control =
  'mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600';
const label = 'block text-sm font-medium text-slate-800';

/**
 * The start form (house style 14/16): the action's own zod schema on the client,
 * server field errors mapped back onto the fields, form errors with the
 * correlation id in an aria-live region, a pending state; on success it goes to
 * the new campaign. The server checks again who is in scope and who may review.
 */
export function StartReviewForm({
  reviewers,
  counts,
  selfId,
  minDue,
  maxDue,
  defaultDue,
}: {
  reviewers: { id: string; name: string; email: string; role: string }[];
  counts: Record<string, number>;
  selfId: string;
  minDue: string;
  maxDue: string;
  defaultDue: string;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const form = useForm<FormValues, unknown, Values>({
    resolver: zodResolver(StartReviewSchema) as never,
    defaultValues: {
      title: '',
      roles: [],
      userEmails: '',
      reviewerIds: [],
      dueAt: defaultDue,
      usageDays: String(REVIEW_USAGE_DAYS.default),
      reason: '',
      ticketRef: '',
    },
  });
  const { errors, isSubmitting } = form.formState;

  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    try {
      const raw = form.getValues();
      const r = await startReviewAction(
        compactInput({
          title: raw.title,
          roles: values.roles,
          userEmails: raw.userEmails,
          reviewerIds: values.reviewerIds,
          dueAt: raw.dueAt,
          usageDays: values.usageDays,
          reason: raw.reason,
          ticketRef: raw.ticketRef,
        }),
      );
      if (r.ok) {
        router.push(`/access/reviews/${r.data.id}`);
        return;
      }
      for (const [field, msgs] of Object.entries(('fieldErrors' in r && r.fieldErrors) || {})) {
        if ((FIELDS as readonly string[]).includes(field)) form.setError(field as Field, { message: msgs[0] });
      }
      setError(`${r.message} (Reference: ${r.correlationId})`);
    } catch {
      setError('The console could not be reached. Check your connection and try again. Nothing was changed.');
    }
  });

  const message = (name: Field) => {
    const e = errors[name] as { message?: string } | undefined;
    return e?.message;
  };
  const fieldError = (name: Field) =>
    message(name) ? (
      <p id={`review-${name}-error`} className="mt-1 text-xs text-red-700">
        {message(name)}
      </p>
    ) : null;
  const a11y = (name: Field) => ({
    'aria-invalid': message(name) ? true : undefined,
    'aria-describedby': message(name) ? `review-${name}-error` : undefined,
  });

  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      noValidate
      className="max-w-3xl space-y-5 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200"
    >
      <div>
        <label className={label}>
          Title
          <input autoComplete="off" maxLength={200} className={control} {...a11y('title')} {...form.register('title')} />
        </label>
        {fieldError('title')}
      </div>

      <fieldset {...a11y('roles')}>
        <legend className={label}>Roles to review</legend>
        <p className="text-xs text-slate-500">
          Everyone active or suspended in a role. Members have no console access and are never in scope; disabled accounts are left out.
        </p>
        <div className="mt-2 flex flex-wrap gap-4">
          {CONSOLE_ROLES.map((role) => (
            <label key={role} className="flex items-center gap-2 text-sm text-slate-800">
              <input type="checkbox" value={role} className="size-4 rounded border-slate-300" {...form.register('roles')} />
              {role} <span className="text-slate-500">({counts[role] ?? 0})</span>
            </label>
          ))}
        </div>
        {fieldError('roles')}
      </fieldset>

      <div>
        <label className={label}>
          People to review, by email <span className="font-normal text-slate-500">(optional; one per line)</span>
          <textarea rows={3} className={control} {...a11y('userEmails')} {...form.register('userEmails')} />
        </label>
        {fieldError('userEmails')}
      </div>

      <fieldset {...a11y('reviewerIds')}>
        <legend className={label}>Reviewers</legend>
        <p className="text-xs text-slate-500">
          1–10 active admins or superadmins. Nobody reviews their own access: if a reviewer is in scope, another reviewer decides their row.
        </p>
        <div className="mt-2 grid grid-cols-1 gap-2 sm:grid-cols-2">
          {reviewers.map((p) => (
            <label key={p.id} className="flex items-center gap-2 text-sm text-slate-800">
              <input type="checkbox" value={p.id} className="size-4 rounded border-slate-300" {...form.register('reviewerIds')} />
              <span>
                {p.name}{' '}
                <span className="text-slate-500">
                  ({p.role}
                  {p.id === selfId ? ', you' : ''}) · {p.email}
                </span>
              </span>
            </label>
          ))}
        </div>
        {fieldError('reviewerIds')}
      </fieldset>

      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <div>
          <label className={label}>
            Due date <span className="font-normal text-slate-500">(end of day, UTC)</span>
            <input type="date" min={minDue} max={maxDue} className={control} {...a11y('dueAt')} {...form.register('dueAt')} />
          </label>
          {fieldError('dueAt')}
        </div>
        <div>
          <label className={label}>
            Usage evidence window, in days
            <input
              type="number"
              inputMode="numeric"
              min={REVIEW_USAGE_DAYS.min}
              max={REVIEW_USAGE_DAYS.max}
              className={control}
              {...a11y('usageDays')}
              {...form.register('usageDays')}
            />
          </label>
          {fieldError('usageDays')}
        </div>
      </div>

      <div>
        <label className={label}>
          Reason <span className="font-normal text-slate-500">(optional, recorded in the audit trail)</span>
          <textarea rows={2} maxLength={500} className={control} {...a11y('reason')} {...form.register('reason')} />
        </label>
        {fieldError('reason')}
      </div>
      <div>
        <label className={label}>
          Ticket reference <span className="font-normal text-slate-500">(optional, e.g. INC-1234)</span>
          <input maxLength={32} className={control} {...a11y('ticketRef')} {...form.register('ticketRef')} />
        </label>
        {fieldError('ticketRef')}
      </div>

      <div aria-live="polite" role="status">
        {error ? <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">{error}</p> : null}
      </div>
      <div className="flex justify-end gap-2">
        <Button type="submit" pending={isSubmitting}>
          {isSubmitting ? 'Starting…' : 'Start campaign'}
        </Button>
      </div>
    </form>
  );
}
