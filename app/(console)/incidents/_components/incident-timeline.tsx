import Link from 'next/link';
import { OutcomeBadge, RoleBadge } from '@/components/ui/badge';
import { ZonedTime } from '@/components/ui/zoned-time';
import { showControlCharacters } from '@/lib/audit/display';
import { AUDIT_OPERATIONS } from '@/lib/audit/operations';
import type { TimelineEntry } from '@/lib/dal/incidents';
import { OPERATIONS } from '@/policies/operations';
import { IncidentSeverityBadge } from './incident-badges';
import { multiline, plural } from './incident-format';

/** The most triggering events an alert entry links to. */
const MAX_EVENT_LINKS = 20;

/** What an audit operation is, in words (the operation catalog first, then the audit catalog). */
function operationLabel(op: string): string {
  return (
    (OPERATIONS as Record<string, { description: string } | undefined>)[op]?.description ??
    (AUDIT_OPERATIONS as Record<string, string | undefined>)[op] ??
    op
  );
}

const eventLink = 'text-indigo-700 hover:underline';

/**
 * The incident's timeline, oldest first: linked alerts, notes, and the audit
 * events of everything done for it. Everything stored is shown as text.
 */
export function IncidentTimeline({ entries, tz }: { entries: TimelineEntry[]; tz?: string }) {
  return (
    <section aria-labelledby="incident-timeline" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <h2 id="incident-timeline" className="text-base font-semibold text-slate-900">
        Timeline
      </h2>
      {entries.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600">Nothing on the timeline yet.</p>
      ) : (
        <ol className="mt-3 space-y-4 border-l border-slate-200 pl-4">
          {entries.map((e, i) => (
            <li key={i} data-testid="timeline-entry" data-kind={e.kind} className="text-sm">
              <div className="text-xs text-slate-500">
                <ZonedTime value={e.at} tz={tz} compact />
              </div>
              <div className="mt-1">
                <Entry entry={e} />
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Entry({ entry }: { entry: TimelineEntry }) {
  if (entry.kind === 'alert') {
    const a = entry.alert;
    const shown = a.eventSeqs.slice(0, MAX_EVENT_LINKS);
    return (
      <div>
        <p className="flex flex-wrap items-center gap-2">
          <span className="font-medium text-slate-700">Alert linked:</span>
          <Link href={`/alerts/${a.id}`} className={`font-medium ${eventLink}`}>
            {showControlCharacters(a.ruleTitle)}
          </Link>
          <IncidentSeverityBadge severity={a.severity} />
          <span className="text-xs text-slate-500">({showControlCharacters(a.status)})</span>
        </p>
        <p className="mt-1 whitespace-pre-wrap break-words text-slate-800">{showControlCharacters(a.summary)}</p>
        <p className="mt-1 text-xs text-slate-600">
          {plural(a.eventSeqs.length, 'event')}
          {shown.length > 0 ? ': ' : null}
          {shown.map((seq, i) => (
            <span key={seq}>
              {i > 0 ? ', ' : null}
              <Link href={`/audit/events/${seq}`} className={eventLink} aria-label={`Audit event #${seq}`}>
                #{seq}
              </Link>
            </span>
          ))}
          {a.eventSeqs.length > shown.length ? ` and ${a.eventSeqs.length - shown.length} more` : null}
        </p>
      </div>
    );
  }
  if (entry.kind === 'note') {
    return (
      <div>
        <p className="font-medium text-slate-700">
          Note by {entry.author ? showControlCharacters(entry.author.name) : <span className="text-slate-500">an unknown user</span>}
        </p>
        <p data-testid="incident-note" className="mt-1 whitespace-pre-wrap break-words text-slate-900">
          {multiline(entry.note)}
        </p>
      </div>
    );
  }
  const e = entry.event;
  if (!e) return <p className="text-slate-600">Audit event #{entry.seq} (not visible to you)</p>;
  return (
    <div>
      <p className="flex flex-wrap items-center gap-2">
        <span className="font-medium text-slate-800">{showControlCharacters(operationLabel(e.operation))}</span>
        <OutcomeBadge outcome={showControlCharacters(e.outcome)} />
      </p>
      <p className="mt-1 text-xs text-slate-600">
        <span className="font-mono">{showControlCharacters(e.operation)}</span>
        {' · by '}
        {e.actorRole ? <RoleBadge role={showControlCharacters(e.actorRole)} /> : <span>the system</span>}
        {e.targetType ? (
          <>
            {' · on '}
            {showControlCharacters(e.targetType)}
            {e.targetId ? <span className="font-mono"> {showControlCharacters(e.targetId)}</span> : null}
          </>
        ) : null}
        {' · '}
        <Link href={`/audit/events/${e.seq}`} className={eventLink}>
          Audit event #{e.seq}
        </Link>
      </p>
      {e.reason ? (
        <p className="mt-1 whitespace-pre-wrap break-words text-slate-700">
          <span className="font-medium">Reason:</span> {showControlCharacters(e.reason)}
        </p>
      ) : null}
    </div>
  );
}
