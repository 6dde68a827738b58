import Link from 'next/link';
import { OutcomeBadge } from '@/components/ui/badge';
import { ZonedTime } from '@/components/ui/zoned-time';
import { showControlCharacters } from '@/lib/audit/display';
import type { AuditRowDTO } from '@/lib/dal/audit';
import type { PersonDTO } from '@/lib/dal/audit-people';
import { ActorCell, TargetCell } from './audit-people';

const REASON_PREVIEW = 80;

/** One page of audit events; each row opens the event's detail. */
export function AuditTable({ rows, people, tz }: { rows: AuditRowDTO[]; people: Record<string, PersonDTO>; tz: string }) {
  return (
    <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Audit events, newest first</caption>
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="px-3 py-3">
              Event
            </th>
            <th scope="col" className="px-3 py-3">
              Time
            </th>
            <th scope="col" className="px-3 py-3">
              Actor and address
            </th>
            <th scope="col" className="px-3 py-3">
              Operation and target
            </th>
            <th scope="col" className="px-3 py-3">
              Outcome
            </th>
            <th scope="col" className="px-3 py-3">
              Reason
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.length === 0 ? (
            <tr>
              <td colSpan={6} className="px-4 py-10 text-center text-slate-500">
                No events match these filters. Widen the time window or remove a filter.
              </td>
            </tr>
          ) : (
            rows.map((e) => {
              const reason = e.reason ? showControlCharacters(e.reason) : null;
              return (
                <tr key={e.seq} data-testid="audit-row" className="align-top hover:bg-slate-50">
                  <td className="px-3 py-2">
                    <Link
                      href={`/audit/events/${e.seq}`}
                      prefetch={false}
                      className="font-mono text-xs font-semibold text-indigo-700 hover:underline"
                    >
                      #{e.seq}
                    </Link>
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 text-xs">
                    <ZonedTime value={e.ts} tz={tz} />
                  </td>
                  <td className="max-w-60 px-3 py-2">
                    <ActorCell id={e.actorId} role={e.actorRole} people={people} />
                    <span className="mt-0.5 block font-mono text-xs text-slate-500">
                      {e.ip ? showControlCharacters(e.ip) : 'no address'}
                    </span>
                  </td>
                  <td className="max-w-64 px-3 py-2">
                    <span className="block font-mono text-xs text-slate-800">{e.operation}</span>
                    <TargetCell type={e.targetType} id={e.targetId} people={people} />
                  </td>
                  <td className="px-3 py-2">
                    <OutcomeBadge outcome={e.outcome} />
                    {e.reasonCode ? <span className="mt-1 block text-xs text-slate-500">{showControlCharacters(e.reasonCode)}</span> : null}
                  </td>
                  <td className="max-w-72 px-3 py-2 text-slate-700" title={reason ?? undefined}>
                    {reason ? (
                      <span className="line-clamp-2">
                        {reason.length > REASON_PREVIEW ? `${reason.slice(0, REASON_PREVIEW)}…` : reason}
                      </span>
                    ) : (
                      <span className="text-slate-400">—</span>
                    )}
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
