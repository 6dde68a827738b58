import Link from 'next/link';
import { OutcomeBadge, RoleBadge } from '@/components/ui/badge';
import { Time } from '@/components/ui/time';
import { showControlCharacters } from '@/lib/audit/display';
import type { UserDetailDTO } from '@/lib/dal/users';
import { Card } from './card';

/** The latest audit events about this user that the viewer may read, newest first. */
export function RecentEvents({ events, canOpenAudit }: { events: UserDetailDTO['recentEvents']; canOpenAudit: boolean }) {
  return (
    <Card
      title="Recent audit events"
      description={
        <>
          Events about this account that your role may read, newest first.{' '}
          {canOpenAudit ? (
            <Link href="/audit" className="font-medium text-indigo-700 hover:underline">
              Open the audit trail
            </Link>
          ) : null}
        </>
      }
    >
      {events.length === 0 ? (
        <p className="text-sm text-slate-500">No events you may read.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Recent audit events about this user</caption>
            <thead className="text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="py-2 pr-4">
                  Seq
                </th>
                <th scope="col" className="py-2 pr-4">
                  Time
                </th>
                <th scope="col" className="py-2 pr-4">
                  Operation
                </th>
                <th scope="col" className="py-2 pr-4">
                  Outcome
                </th>
                <th scope="col" className="py-2">
                  Actor role
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {events.map((e) => (
                <tr key={e.seq} data-testid="user-event-row">
                  <td className="py-2 pr-4 font-mono text-xs tabular-nums">{e.seq}</td>
                  <td className="whitespace-nowrap py-2 pr-4 text-slate-600">
                    <Time value={e.ts} />
                  </td>
                  <td className="py-2 pr-4 font-mono text-xs">{e.operation}</td>
                  <td className="py-2 pr-4">
                    <OutcomeBadge outcome={e.outcome} />
                    {e.reasonCode ? (
                      <span className="ml-1 font-mono text-xs text-slate-500">{showControlCharacters(e.reasonCode)}</span>
                    ) : null}
                  </td>
                  <td className="py-2">
                    {e.actorRole ? <RoleBadge role={e.actorRole} /> : <span className="text-slate-400">system</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
