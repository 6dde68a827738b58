'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { OperationDialog } from '@/components/operation-dialog';
import { Button } from '@/components/ui/button';
import { Time } from '@/components/ui/time';
import { OPERATIONS } from '@/policies/operations';
import { revokeUserSessionAction } from '../../../sessions/_actions/revoke-user-session';
import { Card } from './card';
import { usePerform } from './use-perform';

export interface UserSessionRow {
  id: string;
  ip: string | null;
  device: string;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  canRevoke: boolean;
}

/**
 * The user's live sessions. "End session" signs one browser out on its next
 * request: a reason is required, no step-up (session.revoke_user), and the
 * server decides again on the session record.
 */
export function SessionsTable({ name, sessions }: { name: string; sessions: UserSessionRow[] }) {
  const router = useRouter();
  const { perform, dialog } = usePerform();
  // The last chosen session stays in state while the dialog closes, so its text does not flicker.
  const [target, setTarget] = useState<UserSessionRow | null>(null);
  const [open, setOpen] = useState(false);
  return (
    <Card title="Live sessions" description="Browsers signed in to this account now, most recently active first.">
      {sessions.length === 0 ? (
        <p className="text-sm text-slate-500">No live sessions you may see.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Live sessions of {name}</caption>
            <thead className="text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="py-2 pr-4">
                  Device
                </th>
                <th scope="col" className="py-2 pr-4">
                  IP address
                </th>
                <th scope="col" className="py-2 pr-4">
                  Started
                </th>
                <th scope="col" className="py-2 pr-4">
                  Last seen
                </th>
                <th scope="col" className="py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sessions.map((s) => (
                <tr key={s.id} data-testid="user-session-row" data-session-id={s.id}>
                  <td className="py-2 pr-4" title={s.userAgent ?? undefined}>
                    {s.device}
                  </td>
                  <td className="py-2 pr-4 font-mono text-xs">{s.ip ?? 'unknown'}</td>
                  <td className="whitespace-nowrap py-2 pr-4 text-slate-600">
                    <Time value={s.createdAt} />
                  </td>
                  <td className="whitespace-nowrap py-2 pr-4 text-slate-600">
                    <Time value={s.lastSeenAt} />
                  </td>
                  <td className="whitespace-nowrap py-2 text-right">
                    {s.canRevoke ? (
                      <Button
                        variant="ghost"
                        aria-haspopup="dialog"
                        onClick={() => {
                          setTarget(s);
                          setOpen(true);
                        }}
                      >
                        End session
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <OperationDialog
        open={open}
        title={`End this session of ${name}?`}
        confirmLabel="End session"
        reason={OPERATIONS['session.revoke_user'].reason}
        onSubmit={(fields) => perform('session.revoke_user', revokeUserSessionAction, { id: target?.id ?? '', ...fields })}
        onSuccess={() => router.refresh()}
        onClose={() => setOpen(false)}
      >
        <p>
          The browser on <strong>{target?.device}</strong> ({target?.ip ?? 'unknown IP'}) is signed out on its next request. Their other
          sessions stay signed in.
        </p>
        <p>They can sign in again. To keep them out, suspend the account instead.</p>
      </OperationDialog>
      {dialog}
    </Card>
  );
}
