'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';
import type { ActionResult } from '@/lib/authz/result';
import type { TrailVerificationDTO } from '@/lib/dal/audit-verify';
import { verifyTrailAction } from '../_actions/verify-trail';

/**
 * "Verify the whole trail now": the server replays every event and checks every
 * signed checkpoint and the external log, then says what was proven or names the
 * first problem with its attack class. The verification is itself recorded.
 */
export function VerifyTrail() {
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<ActionResult<TrailVerificationDTO> | null>(null);

  async function run() {
    if (pending) return;
    setPending(true);
    try {
      setResult(await verifyTrailAction({}));
    } catch {
      setResult({ ok: false, code: 'INTERNAL', message: 'The console could not be reached. Try again.', correlationId: '—' });
    } finally {
      setPending(false);
    }
  }

  return (
    <section aria-labelledby="verify-trail" className="mb-4 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h2 id="verify-trail" className="text-base font-semibold">
            Verify the whole trail
          </h2>
          <p className="mt-1 text-sm text-slate-600">
            Replays every event and checks every signed checkpoint and the external log (about 30 seconds per million events).
          </p>
        </div>
        <Button type="button" onClick={() => void run()} pending={pending}>
          {pending ? 'Verifying…' : 'Verify now'}
        </Button>
      </div>
      <div aria-live="polite" className="mt-3 text-sm">
        {result && !result.ok ? (
          <p className="rounded-md bg-red-50 px-3 py-2 text-red-800 ring-1 ring-red-200">
            {result.message} (Reference: {result.correlationId})
          </p>
        ) : null}
        {result && result.ok ? <Report data={result.data} /> : null}
      </div>
    </section>
  );
}

function Report({ data }: { data: TrailVerificationDTO }) {
  const cp = data.checkpoints;
  return (
    <div
      data-testid="verify-result"
      className={`rounded-md px-3 py-2 ring-1 ${data.ok ? 'bg-green-50 ring-green-200' : 'bg-red-50 ring-red-200'}`}
    >
      {data.ok ? (
        <p className="font-medium text-green-900">
          Intact: {data.events} events up to seq {data.headSeq}; {cp.verified} checkpoint{cp.verified === 1 ? '' : 's'} verified
          {cp.keyIds.length ? ` (keys ${cp.keyIds.join(', ')})` : ''}
          {cp.newestSeq ? `; signed through seq ${cp.newestSeq}` : ''}.
        </p>
      ) : (
        <p className="font-medium text-red-900">
          Broken: {data.finding?.attackClass} at seq {data.finding?.firstBadSeq} ({data.finding?.problem}) — {data.finding?.detail}. See the
          runbook “audit verification failed”.
        </p>
      )}
      {data.notes.length ? (
        <ul className="mt-2 list-disc pl-5 text-xs text-slate-700">
          {data.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
