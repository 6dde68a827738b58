import Link from 'next/link';
import { OutcomeBadge, RoleBadge } from '@/components/ui/badge';
import { ZonedTime } from '@/components/ui/zoned-time';
import { showControlCharacters } from '@/lib/audit/display';
import type { AlertEventDTO } from '@/lib/dal/alerts';

const HEADERS = ['Seq', 'Time', 'Operation', 'Outcome', 'Actor role', 'IP', 'Target'];

/** The audit events that triggered an alert (only those the viewer may read), each linking to the event. */
export function AlertEventsTable({ events, hidden, tz }: { events: AlertEventDTO[]; hidden: number; tz?: string }) {
  return (
    <section aria-labelledby="alert-events" className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      <h2 id="alert-events" className="px-5 pt-4 text-base font-semibold text-slate-900">
        Triggering events
      </h2>
      <table className="mt-2 min-w-full divide-y divide-slate-200 text-sm" aria-labelledby="alert-events">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            {HEADERS.map((h) => (
              <th key={h} scope="col" className="px-3 py-3">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {events.length === 0 ? (
            <tr>
              <td colSpan={HEADERS.length} className="px-4 py-6 text-center text-slate-500">
                {hidden > 0 ? 'None of the triggering events is in your view of the audit trail.' : 'This alert lists no events.'}
              </td>
            </tr>
          ) : (
            events.map((e) => (
              <tr key={e.seq} data-testid="alert-event-row" data-seq={e.seq}>
                <td className="whitespace-nowrap px-3 py-2 align-top tabular-nums">
                  <Link href={`/audit/events/${e.seq}`} className="font-medium text-indigo-700 hover:underline">
                    {e.seq}
                  </Link>
                </td>
                <td className="whitespace-nowrap px-3 py-2 align-top text-slate-600">
                  <ZonedTime value={e.ts} tz={tz} compact />
                </td>
                <td className="px-3 py-2 align-top font-mono text-xs text-slate-800">{showControlCharacters(e.operation)}</td>
                <td className="px-3 py-2 align-top">
                  <OutcomeBadge outcome={showControlCharacters(e.outcome)} />
                </td>
                <td className="px-3 py-2 align-top">
                  {e.actorRole ? <RoleBadge role={showControlCharacters(e.actorRole)} /> : <span className="text-slate-400">—</span>}
                </td>
                <td className="whitespace-nowrap px-3 py-2 align-top font-mono text-xs text-slate-700">
                  {e.ip ? showControlCharacters(e.ip) : <span className="text-slate-400">—</span>}
                </td>
                <td className="max-w-xs break-all px-3 py-2 align-top text-xs text-slate-700">
                  {e.targetType ? (
                    <>
                      {showControlCharacters(e.targetType)}
                      {e.targetId ? <span className="font-mono"> {showControlCharacters(e.targetId)}</span> : null}
                    </>
                  ) : (
                    <span className="text-slate-400">—</span>
                  )}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      {hidden > 0 ? (
        <p data-testid="alert-hidden-events" className="border-t border-slate-100 px-5 py-3 text-sm text-slate-600">
          {hidden === 1 ? '1 more event you may not see' : `${hidden} more events you may not see`} (outside your view of the audit trail).
        </p>
      ) : null}
    </section>
  );
}
