'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { revokeOtherSessionsAction } from '../_actions/revoke-other-sessions';
import { revokeSessionAction } from '../_actions/revoke-session';

export interface SessionRow {
  id: string;
  ip: string | null;
  device: string;
  createdAt: string;
  lastSeenAt: string;
  isCurrent: boolean;
}

type Pending = { kind: 'one'; session: SessionRow } | { kind: 'others' } | null;

/** The viewer's sessions with per-row "End session" and "End all other sessions". */
export function SessionList({ sessions }: { sessions: SessionRow[] }) {
  const router = useRouter();
  const [target, setTarget] = useState<Pending>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const others = sessions.filter((s) => !s.isCurrent).length;

  const confirm = () =>
    startTransition(async () => {
      setError(null);
      const result =
        target?.kind === 'one' ? await revokeSessionAction({ sessionId: target.session.id }) : await revokeOtherSessionsAction({});
      if (!result.ok) {
        setError(`${result.message} (reference ${result.correlationId})`);
        return;
      }
      setTarget(null);
      if ('signedOut' in result.data && result.data.signedOut) router.replace('/sign-in');
      router.refresh();
    });

  return (
    <>
      <div className="mb-3 flex justify-end">
        <Button variant="secondary" disabled={others === 0} onClick={() => setTarget({ kind: 'others' })}>
          End all other sessions
        </Button>
      </div>
      <div className="overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">Your active sessions</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="px-4 py-3">
                Device
              </th>
              <th scope="col" className="px-4 py-3">
                IP address
              </th>
              <th scope="col" className="px-4 py-3">
                Signed in
              </th>
              <th scope="col" className="px-4 py-3">
                Last active
              </th>
              <th scope="col" className="px-4 py-3">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {sessions.map((s) => (
              <tr key={s.id} data-testid="session-row" data-session-id={s.id}>
                <td className="px-4 py-3">
                  <span className="font-medium">{s.device}</span> {s.isCurrent ? <Badge tone="green">This browser</Badge> : null}
                </td>
                <td className="px-4 py-3 font-mono text-xs">{s.ip ?? 'unknown'}</td>
                <td className="px-4 py-3 tabular-nums">{s.createdAt}</td>
                <td className="px-4 py-3 tabular-nums">{s.lastSeenAt}</td>
                <td className="px-4 py-3 text-right">
                  <Button variant="ghost" onClick={() => setTarget({ kind: 'one', session: s })}>
                    {s.isCurrent ? 'Sign out here' : 'End session'}
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        open={target !== null}
        title={
          target?.kind === 'others'
            ? 'End all other sessions?'
            : target?.session.isCurrent
              ? 'Sign out of this browser?'
              : 'End this session?'
        }
        confirmLabel={target?.kind === 'others' ? `End ${others} ${others === 1 ? 'session' : 'sessions'}` : 'End session'}
        pending={pending}
        error={error}
        onConfirm={confirm}
        onCancel={() => {
          setTarget(null);
          setError(null);
        }}
      >
        {target?.kind === 'others' ? (
          <p>
            {others} other {others === 1 ? 'session' : 'sessions'} will be signed out on {others === 1 ? 'its' : 'their'} next request. This
            browser stays signed in.
          </p>
        ) : target?.session.isCurrent ? (
          <p>This browser will be signed out now. Your other sessions stay signed in.</p>
        ) : target ? (
          <p>
            The session on <strong>{target.session.device}</strong> ({target.session.ip ?? 'unknown IP'}) will be signed out on its next
            request.
          </p>
        ) : null}
      </ConfirmDialog>
    </>
  );
}
