import Link from 'next/link';
import { Badge, RoleBadge } from '@/components/ui/badge';
import { Time } from '@/components/ui/time';
import type { SessionRowDTO } from '@/lib/dal/session-admin';
import { describeUserAgent } from '@/lib/request/user-agent';
import { EndSessionButton } from './end-session-button';

/** RFC 8176 authentication method references, as Warden records them, in plain words. */
const AMR_LABELS: Record<string, string> = { pwd: 'password', otp: 'authenticator code', hwk: 'passkey', rc: 'recovery code' };

function methods(amr: string): string {
  return amr
    .split('+')
    .map((m) => AMR_LABELS[m] ?? m)
    .join(' + ');
}

// Wide enough for the date on one line and the time under it, never broken inside either.
const timeCell = 'min-w-[7.5rem] px-4 py-2.5 text-slate-600';

const COLUMNS = ['User', 'IP address', 'Device', 'Signed in', 'Last seen', 'Expires', 'Methods'];

/** The sessions table; each row links to its user and, where the policy allows, can be ended. */
export function SessionTable({ rows, filtered }: { rows: SessionRowDTO[]; filtered: boolean }) {
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Live sessions</caption>
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            {COLUMNS.map((c) => (
              <th key={c} scope="col" className="px-4 py-3">
                {c}
              </th>
            ))}
            <th scope="col" className="px-4 py-3">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.length === 0 ? (
            <tr>
              <td colSpan={COLUMNS.length + 1} className="px-4 py-8 text-center text-slate-500">
                {filtered ? 'No live sessions match these filters.' : 'No live sessions of accounts you manage.'}
              </td>
            </tr>
          ) : (
            rows.map((s) => {
              const device = describeUserAgent(s.userAgent);
              return (
                <tr key={s.id} data-testid="session-row" data-session-id={s.id}>
                  <td className="px-4 py-2.5">
                    <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                      <Link href={`/users/${s.user.id}`} className="font-medium whitespace-nowrap text-indigo-700 hover:underline">
                        {s.user.name}
                      </Link>
                      <RoleBadge role={s.user.role} />
                      {s.isCurrent ? (
                        <span className="whitespace-nowrap">
                          <Badge tone="green">This session</Badge>
                        </span>
                      ) : null}
                    </div>
                    <div className="text-xs text-slate-600">{s.user.email}</div>
                  </td>
                  <td className="px-4 py-2.5 font-mono text-xs">{s.ip ?? 'unknown'}</td>
                  <td className="px-4 py-2.5" title={s.userAgent ?? undefined}>
                    {device}
                  </td>
                  <td className={timeCell}>
                    <Time value={s.createdAt} />
                  </td>
                  <td className={timeCell}>
                    <Time value={s.lastSeenAt} />
                  </td>
                  <td className={timeCell}>
                    <Time value={s.expiresAt} />
                  </td>
                  <td className="px-4 py-2.5 text-slate-700" title={s.amr}>
                    {methods(s.amr)}
                  </td>
                  <td className="px-4 py-2.5 text-right whitespace-nowrap">
                    {s.canRevoke ? <EndSessionButton id={s.id} name={s.user.name} device={device} ip={s.ip ?? 'unknown IP'} /> : null}
                  </td>
                </tr>
              );
            })
          )}
        </tbody>
      </table>
    </div>
  );
}
