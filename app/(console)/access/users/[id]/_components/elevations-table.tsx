import Link from 'next/link';
import { Badge, RoleBadge } from '@/components/ui/badge';
import { ListTable } from '@/components/ui/list-table';
import { RelativeTime } from '@/components/ui/relative-time';
import { showControlCharacters } from '@/lib/audit/display';
import type { ElevationRowDTO } from '@/lib/dal/elevations';

const END_REASONS: Record<string, string> = {
  expired: 'expired',
  ended_by_holder: 'ended by the holder',
  revoked: 'revoked',
  role_changed: 'ended by a role change',
};

function howItEnded(e: ElevationRowDTO): string {
  if (e.status === 'active') return e.inForce ? 'in force' : 'past its expiry';
  return e.endReason ? (END_REASONS[e.endReason] ?? e.endReason) : e.status;
}

/** "Elevations": every time-bound elevation the person held, newest first, linked to its audit events. */
export function ElevationsTable({ elevations, at, tz }: { elevations: ElevationRowDTO[]; at: Date; tz?: string }) {
  return (
    <section aria-labelledby="elevations" className="space-y-3">
      <div>
        <h2 id="elevations" className="text-lg font-semibold text-slate-900">
          Elevations
        </h2>
        <p className="text-sm text-slate-600">Every temporary elevation this person held: what, why, for how long, and who approved it.</p>
      </div>
      <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <ListTable
          caption="Elevations held by this person"
          headers={['Elevated to', 'Reason', 'Started', 'Expiry', 'How it ended', 'Approver', 'Audit']}
          empty="This person never held an elevation."
        >
          {elevations.map((e) => (
            <tr key={e.id} data-testid="user-elevation-row" data-scope={e.scope}>
              <td className="px-3 py-2 align-top">
                <span className="flex flex-wrap items-center gap-1">
                  {e.scope === 'break_glass' ? <Badge tone="red">break-glass</Badge> : <RoleBadge role={e.role} />}
                  {e.scope === 'operation' && e.operation ? (
                    <span className="font-mono text-xs text-slate-700">{e.operation} only</span>
                  ) : null}
                </span>
                <span className="block text-xs text-slate-500">from {e.baseRole}</span>
              </td>
              <td className="max-w-sm px-3 py-2 align-top break-words text-slate-700">
                {showControlCharacters(e.reason)}
                {e.ticketRef ? <span className="block text-xs text-slate-500">{showControlCharacters(e.ticketRef)}</span> : null}
              </td>
              <td className="whitespace-nowrap px-3 py-2 align-top text-slate-700">
                <RelativeTime stacked value={new Date(e.startsAt)} now={at} tz={tz} />
              </td>
              <td className="whitespace-nowrap px-3 py-2 align-top text-slate-700">
                <RelativeTime stacked value={new Date(e.expiresAt)} now={at} tz={tz} />
              </td>
              <td className="px-3 py-2 align-top text-slate-700">
                {e.inForce ? <Badge tone="green">in force</Badge> : howItEnded(e)}
                {e.endedAt ? (
                  <span className="block text-xs text-slate-500">
                    <RelativeTime value={new Date(e.endedAt)} now={at} tz={tz} />
                  </span>
                ) : null}
              </td>
              <td className="px-3 py-2 align-top text-slate-700">
                {e.approver ? showControlCharacters(e.approver) : e.scope === 'break_glass' ? 'none (break-glass)' : '—'}
              </td>
              <td className="whitespace-nowrap px-3 py-2 align-top">
                {e.startSeq ? (
                  <Link href={`/audit/events/${e.startSeq}`} className="block text-indigo-700 hover:underline">
                    Start #{e.startSeq}
                  </Link>
                ) : null}
                {e.endSeq ? (
                  <Link href={`/audit/events/${e.endSeq}`} className="block text-indigo-700 hover:underline">
                    End #{e.endSeq}
                  </Link>
                ) : null}
                {!e.startSeq && !e.endSeq ? <span className="text-slate-400">—</span> : null}
              </td>
            </tr>
          ))}
        </ListTable>
      </div>
    </section>
  );
}
