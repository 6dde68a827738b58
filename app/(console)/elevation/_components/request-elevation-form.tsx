'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { useStepUp } from '../../_components/use-step-up';
import { requestElevationAction } from '../_actions/request-elevation';

interface Target {
  role: string;
  operations: { id: string; description: string }[];
}

const inputClass =
  'mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600';

/**
 * Asking for time-bound access: a whole role or one operation of it, how long,
 * and why. Confirmed with a passkey (bound to this exact request); the server
 * then freezes it for a superadmin's approval and answers "Sent for approval".
 */
export function RequestElevationForm({
  userId,
  baseRole,
  targets,
  maxMinutes,
}: {
  userId: string;
  baseRole: string;
  targets: Target[];
  maxMinutes: number;
}) {
  const router = useRouter();
  const ids = { role: useId(), scope: useId(), op: useId(), minutes: useId(), reason: useId(), ticket: useId(), error: useId() };
  const [role, setRole] = useState(targets[0]?.role ?? '');
  const [scope, setScope] = useState<'role' | 'operation'>('role');
  const [operation, setOperation] = useState('');
  const [minutes, setMinutes] = useState(String(Math.min(60, maxMinutes)));
  const [reason, setReason] = useState('');
  const [ticketRef, setTicketRef] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [sent, setSent] = useState<{ id: string; expiresAt: string } | null>(null);
  const { run, dialog } = useStepUp({ enrolled: true });
  const operations = targets.find((t) => t.role === role)?.operations ?? [];

  async function submit() {
    if (pending) return;
    setPending(true);
    setError(null);
    setFieldErrors({});
    setSent(null);
    try {
      const input = {
        userId,
        baseRole,
        scope,
        role,
        ...(scope === 'operation' ? { operation } : {}),
        minutes: Number(minutes),
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        ...(ticketRef.trim() ? { ticketRef: ticketRef.trim() } : {}),
      };
      const result = await run('elevation.request', requestElevationAction, input);
      if (!result.ok && result.code === 'APPROVAL_REQUIRED' && 'approval' in result && result.approval) {
        setSent(result.approval);
        setReason('');
        setTicketRef('');
        router.refresh();
        return;
      }
      if (!result.ok) {
        setFieldErrors(('fieldErrors' in result && result.fieldErrors) || {});
        setError('correlationId' in result ? `${result.message} (Reference: ${result.correlationId})` : result.message);
      }
    } catch {
      setError('The console could not be reached. Check your connection and try again. Nothing was sent.');
    } finally {
      setPending(false);
    }
  }

  const errorOf = (name: string) =>
    fieldErrors[name]?.length ? <p className="mt-1 text-xs text-red-700">{fieldErrors[name]?.join(' ')}</p> : null;

  return (
    <>
      <form
        className="mt-4 grid max-w-2xl gap-4"
        aria-describedby={error ? ids.error : undefined}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div role="status" aria-live="polite">
          {sent ? (
            <p data-testid="elevation-sent" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 ring-1 ring-emerald-200">
              Sent for approval. Nothing changes until a superadmin approves it (the request expires at{' '}
              <time dateTime={sent.expiresAt}>{sent.expiresAt.slice(0, 16).replace('T', ' ')} UTC</time>).{' '}
              <Link href={`/approvals/${sent.id}`} className="font-medium underline">
                View request
              </Link>
            </p>
          ) : null}
        </div>
        <div>
          <label htmlFor={ids.role} className="block text-sm font-medium text-slate-800">
            Role to hold
          </label>
          <select id={ids.role} value={role} onChange={(e) => setRole(e.target.value)} className={inputClass}>
            {targets.map((t) => (
              <option key={t.role} value={t.role}>
                {t.role}
              </option>
            ))}
          </select>
          {errorOf('role')}
        </div>
        <fieldset>
          <legend className="text-sm font-medium text-slate-800">What you need</legend>
          <div className="mt-1 flex flex-wrap gap-4 text-sm">
            <label className="flex items-center gap-2">
              <input type="radio" name="scope" value="role" checked={scope === 'role'} onChange={() => setScope('role')} />
              The whole role
            </label>
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="scope"
                value="operation"
                checked={scope === 'operation'}
                onChange={() => setScope('operation')}
                disabled={operations.length === 0}
              />
              One operation of it
            </label>
          </div>
        </fieldset>
        {scope === 'operation' ? (
          <div>
            <label htmlFor={ids.op} className="block text-sm font-medium text-slate-800">
              Operation
            </label>
            <select id={ids.op} value={operation} onChange={(e) => setOperation(e.target.value)} required className={inputClass}>
              <option value="">Choose an operation</option>
              {operations.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.id} — {o.description}
                </option>
              ))}
            </select>
            {errorOf('operation')}
          </div>
        ) : null}
        <div>
          <label htmlFor={ids.minutes} className="block text-sm font-medium text-slate-800">
            For how many minutes
          </label>
          <input
            id={ids.minutes}
            type="number"
            min={5}
            max={maxMinutes}
            required
            value={minutes}
            onChange={(e) => setMinutes(e.target.value)}
            className={`${inputClass} w-32`}
          />
          <p className="mt-1 text-xs text-slate-500">At most {maxMinutes} minutes; it starts when approved.</p>
          {errorOf('minutes')}
        </div>
        <div>
          <label htmlFor={ids.reason} className="block text-sm font-medium text-slate-800">
            Reason
          </label>
          <textarea
            id={ids.reason}
            rows={3}
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            className={inputClass}
          />
          {errorOf('reason')}
        </div>
        <div>
          <label htmlFor={ids.ticket} className="block text-sm font-medium text-slate-800">
            Ticket reference (optional)
          </label>
          <input
            id={ids.ticket}
            value={ticketRef}
            onChange={(e) => setTicketRef(e.target.value)}
            placeholder="INC-1234"
            className={`${inputClass} w-48`}
          />
          {errorOf('ticketRef')}
        </div>
        {error ? (
          <p id={ids.error} role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
            {error}
          </p>
        ) : null}
        <div>
          <button
            type="submit"
            disabled={pending || !role}
            className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white shadow-xs hover:bg-indigo-500 disabled:opacity-60"
          >
            {pending ? 'Sending…' : 'Ask for approval'}
          </button>
        </div>
      </form>
      {dialog}
    </>
  );
}
