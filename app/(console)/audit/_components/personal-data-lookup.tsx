'use client';

import { useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import type { ActionResult } from '@/lib/authz/result';
import type { PersonalDataLookupDTO } from '@/lib/dal/audit-lookup';
import { lookupPersonalDataAction } from '../_actions/lookup-personal-data';

const input =
  'mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600';

/**
 * "Was this email address involved?" The trail holds personal addresses only as
 * keyed digests; this asks the server to look for the digest of an address. The
 * lookup is recorded in the trail (with the digest and the reason, not the address).
 */
export function PersonalDataLookup() {
  const ids = { email: useId(), reason: useId(), ticket: useId() };
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<ActionResult<PersonalDataLookupDTO> | null>(null);

  async function submit(form: FormData) {
    if (pending) return;
    setPending(true);
    const text = (k: string) => {
      const v = form.get(k);
      return typeof v === 'string' && v.trim() ? v.trim() : undefined;
    };
    const fields = Object.fromEntries(
      Object.entries({ email: text('email'), reason: text('reason'), ticketRef: text('ticketRef') }).filter(([, v]) => v !== undefined),
    );
    try {
      setResult(await lookupPersonalDataAction(fields));
    } catch {
      setResult({ ok: false, code: 'INTERNAL', message: 'The console could not be reached. Try again.', correlationId: '—' });
    } finally {
      setPending(false);
    }
  }

  const errors = result && !result.ok ? (result.fieldErrors ?? {}) : {};
  return (
    <section aria-labelledby="pii-lookup" className="mt-6 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <h2 id="pii-lookup" className="text-base font-semibold">
        Was an email address involved?
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        Events never store an email address itself, only a keyed digest of it. Enter an address to find the events that mention it. Your
        lookup is recorded in the audit trail with its reason (the address is not).
      </p>
      <form
        className="mt-3 grid gap-3 sm:grid-cols-3"
        onSubmit={(e) => {
          e.preventDefault();
          void submit(new FormData(e.currentTarget));
        }}
      >
        <label htmlFor={ids.email} className="block text-xs font-medium text-slate-700">
          Email address
          <input id={ids.email} name="email" type="email" autoComplete="off" className={input} aria-invalid={!!errors.email} />
          {errors.email ? <span className="mt-1 block text-xs text-red-700">{errors.email.join(' ')}</span> : null}
        </label>
        <label htmlFor={ids.reason} className="block text-xs font-medium text-slate-700">
          Reason (required)
          <input id={ids.reason} name="reason" maxLength={500} className={input} aria-invalid={!!errors.reason} />
          {errors.reason ? <span className="mt-1 block text-xs text-red-700">{errors.reason.join(' ')}</span> : null}
        </label>
        <label htmlFor={ids.ticket} className="block text-xs font-medium text-slate-700">
          Ticket reference (optional)
          <input id={ids.ticket} name="ticketRef" maxLength={32} className={input} />
        </label>
        <div className="sm:col-span-3">
          <Button type="submit" pending={pending}>
            Look up
          </Button>
        </div>
      </form>
      <div aria-live="polite" className="mt-3 text-sm">
        {result && !result.ok ? (
          <p className="rounded-md bg-red-50 px-3 py-2 text-red-800 ring-1 ring-red-200">
            {result.message} (Reference: {result.correlationId})
          </p>
        ) : null}
        {result && result.ok ? <LookupResult data={result.data} /> : null}
      </div>
    </section>
  );
}

function LookupResult({ data }: { data: PersonalDataLookupDTO }) {
  return (
    <div data-testid="pii-lookup-result">
      <p>
        <strong className="tabular-nums">{data.total}</strong> {data.total === 1 ? 'event mentions' : 'events mention'} this address (digest{' '}
        <code className="font-mono text-xs">{data.digest}</code>).
      </p>
      {data.events.length > 0 ? (
        <ul className="mt-2 divide-y divide-slate-100 rounded-md ring-1 ring-slate-200">
          {data.events.map((e) => (
            <li key={e.seq} className="flex gap-4 px-3 py-1.5 font-mono text-xs">
              <span className="tabular-nums">#{e.seq}</span>
              <span>{new Date(e.ts).toISOString()}</span>
              <span>{e.operation}</span>
              <span>{e.outcome}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
