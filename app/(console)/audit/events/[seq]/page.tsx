import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { Badge, OutcomeBadge } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/page-header';
import { ZonedTime } from '@/components/ui/zoned-time';
import { showControlCharacters } from '@/lib/audit/display';
import { AUDIT_OPERATIONS } from '@/lib/audit/operations';
import { requireAuditCapability } from '@/lib/authz/audit-access';
import { recordAuditView } from '@/lib/dal/audit';
import { getAuditEventDetail, type RelatedEventDTO } from '@/lib/dal/audit-event';
import { eventSignatureFor } from '@/lib/dal/audit-signature';
import type { PersonDTO } from '@/lib/dal/audit-people';
import { isPrefetch } from '@/lib/request/prefetch';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { auditFilterParams } from '@/lib/validation/audit-filter';
import { ActorCell, TargetCell } from '../../_components/audit-people';
import { ChangeSummary } from './change-summary';
import { SignatureEvidence } from './signature-evidence';

export const metadata: Metadata = { title: 'Audit event' };

const SeqParam = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export default async function AuditEventPage({ params }: { params: Promise<{ seq: string }> }) {
  const { viewer, rule } = await requireAuditCapability('browse');
  // A prefetch is not a view: render nothing, record nothing.
  if (await isPrefetch()) return null;
  const parsed = SeqParam.safeParse((await params).seq);
  if (!parsed.success) notFound();
  const event = await getAuditEventDetail(viewer, parsed.data);
  if (!event) notFound();
  await recordAuditView(viewer, 'event', { seq: event.seq, rule });
  const tz = (await viewerTimeZone()) ?? 'UTC';
  // Signed intents (issue 13): the user signature, checked as the offline verifier checks it.
  const signature =
    event.details.stepUp === true || event.details.signature !== undefined ? await eventSignatureFor(viewer, event.seq) : null;
  const description = (AUDIT_OPERATIONS as Record<string, string>)[event.operation] ?? 'Unknown operation.';

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/audit" className="text-indigo-700 hover:underline">
          ← Audit trail
        </Link>
      </nav>
      <PageHeader
        title={`Event #${event.seq}`}
        description={
          <>
            <span className="font-mono text-slate-800">{event.operation}</span> — {description}
          </>
        }
        actions={<OutcomeBadge outcome={event.outcome} />}
      />
      <div className="grid gap-4 lg:grid-cols-3">
        <section aria-labelledby="what" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 lg:col-span-2">
          <h2 id="what" className="mb-3 text-sm font-semibold text-slate-900">
            What happened
          </h2>
          <dl className="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
            <Item label="When">
              <ZonedTime value={event.ts} tz={tz} />
            </Item>
            <Item label="Outcome">
              <span className="flex items-center gap-2">
                <OutcomeBadge outcome={event.outcome} />
                {event.reasonCode ? (
                  <span className="font-mono text-xs text-slate-600">{showControlCharacters(event.reasonCode)}</span>
                ) : null}
              </span>
            </Item>
            <Item label="Actor">
              <ActorCell id={event.actorId} role={event.actorRole} people={event.people} />
            </Item>
            <Item label="Target">
              <TargetCell type={event.targetType} id={event.targetId} people={event.people} />
            </Item>
            <Item label="From (IP address)">
              <span className="font-mono text-xs">{event.ip ? showControlCharacters(event.ip) : '—'}</span>
            </Item>
            <Item label="Browser (user agent)">
              <span className="break-all text-xs text-slate-700">{event.userAgent ? showControlCharacters(event.userAgent) : '—'}</span>
            </Item>
            <Item label="Correlation id (request)">
              <span className="break-all font-mono text-xs">{showControlCharacters(event.correlationId)}</span>
            </Item>
            <Item label="Session">
              <span className="break-all font-mono text-xs">
                {event.actorSessionId ? showControlCharacters(event.actorSessionId) : '—'}
              </span>
            </Item>
          </dl>
          <div className="mt-4 border-t border-slate-100 pt-4">
            <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Reason given</h3>
            <p className="mt-1 whitespace-pre-wrap break-words text-sm text-slate-900" data-testid="event-reason">
              {event.reason ? (
                showControlCharacters(event.reason)
              ) : (
                <span className="text-slate-500">
                  No reason was given
                  {event.requirements?.reason === 'required'
                    ? ' (the refusal happened before one was checked, or the event predates the rule)'
                    : ''}
                  .
                </span>
              )}
            </p>
            {typeof event.details.ticketRef === 'string' ? (
              <p className="mt-1 text-sm">
                Ticket: <span className="font-mono">{showControlCharacters(event.details.ticketRef)}</span>
              </p>
            ) : null}
          </div>
          <ChangeSummary details={event.details} />
        </section>

        <section aria-labelledby="why" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200" data-testid="why-allowed">
          <h2 id="why" className="mb-3 text-sm font-semibold text-slate-900">
            {event.outcome === 'success' ? 'Why it was allowed' : 'Why it ended this way'}
          </h2>
          <dl className="space-y-3 text-sm">
            <Item label="Decided by rule">
              <span className="font-mono text-xs font-semibold">
                {event.decision ? showControlCharacters(event.decision) : '— (no rule recorded)'}
              </span>
              {event.explanation?.rule ? (
                <span className="mt-1 block text-xs text-slate-600">
                  {event.explanation.rule.inverted ? 'Refuses' : 'Allows'}{' '}
                  <span className="font-mono">{event.explanation.rule.actions.join(', ')}</span> on{' '}
                  <span className="font-mono">{event.explanation.rule.subject}</span>
                  {event.explanation.rule.conditions ? (
                    <>
                      {' '}
                      where{' '}
                      <code className="block whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono text-[11px] text-slate-700">
                        {JSON.stringify(event.explanation.rule.conditions, null, 1)}
                      </code>
                    </>
                  ) : (
                    ' (no conditions)'
                  )}
                  <span className="mt-1 block">
                    For the role <span className="font-mono">{event.actorRole ?? '—'}</span>, in policies/rules.ts as it stands today.
                  </span>
                </span>
              ) : event.explanation?.text ? (
                <span className="mt-1 block text-xs text-slate-600">{event.explanation.text}</span>
              ) : null}
            </Item>
            <Item label="Policy version">
              <span className="break-all font-mono text-xs">{showControlCharacters(event.policyVersion.slice(0, 16))}</span>{' '}
              {event.policyChangedSince ? <Badge tone="amber">policy changed since</Badge> : <Badge tone="green">current policy</Badge>}
            </Item>
            {event.requirements ? (
              <Item label="The catalog demands">
                <ul className="mt-1 flex flex-wrap gap-1">
                  <li>
                    <Badge tone={event.requirements.risk === 'low' ? 'slate' : 'amber'}>risk {event.requirements.risk}</Badge>
                  </li>
                  <li>
                    <Badge tone={event.requirements.stepUp ? 'indigo' : 'slate'}>
                      {event.requirements.stepUp ? 'step-up' : 'no step-up'}
                    </Badge>
                  </li>
                  <li>
                    <Badge tone={event.requirements.reason === 'required' ? 'indigo' : 'slate'}>reason {event.requirements.reason}</Badge>
                  </li>
                  <li>
                    <Badge tone={event.requirements.approval === 'none' ? 'slate' : 'violet'}>
                      {event.requirements.approval === 'none' ? 'no approval' : 'two-person approval'}
                    </Badge>
                  </li>
                </ul>
              </Item>
            ) : null}
            <Item label="Step-up evidence">
              {event.details.stepUp === true ? (
                event.stepUp ? (
                  <span className="text-xs text-slate-700">
                    Confirmed with {event.stepUp.method ?? 'a second factor'} —{' '}
                    <Link href={`/audit/events/${event.stepUp.seq}`} prefetch={false} className="text-indigo-700 hover:underline">
                      event #{event.stepUp.seq}
                    </Link>
                    , <ZonedTime value={event.stepUp.ts} />
                  </span>
                ) : (
                  <span className="text-xs text-slate-700">A single-use step-up proof was spent (the event records it).</span>
                )
              ) : (
                <span className="text-xs text-slate-500">None recorded.</span>
              )}
            </Item>
            <Item label="User signature">
              <SignatureEvidence signature={signature} />
            </Item>
            <Item label="Approval evidence">
              {event.details.approval && typeof event.details.approval === 'object' ? (
                <ApprovalEvidence approval={event.details.approval as Record<string, unknown>} />
              ) : (
                <span className="text-xs text-slate-500">
                  {event.requirements?.approval === 'two-person'
                    ? 'No approval recorded: the change was not made.'
                    : 'Not required for this operation.'}
                </span>
              )}
            </Item>
          </dl>
        </section>

        <section aria-labelledby="integrity" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 lg:col-span-3">
          <h2 id="integrity" className="mb-3 text-sm font-semibold text-slate-900">
            Place in the chain
          </h2>
          <dl className="grid gap-3 text-sm sm:grid-cols-3">
            <Item label="Hash">
              <span className="break-all font-mono text-xs">{event.hash}</span>
            </Item>
            <Item label="Previous hash">
              <span className="break-all font-mono text-xs">{event.prevHash}</span>
            </Item>
            <Item label="Signed checkpoint">
              {event.checkpoint ? (
                <span className="text-xs text-slate-700">
                  Covered by checkpoint at #{event.checkpoint.seq} (key {showControlCharacters(event.checkpoint.keyId)}),{' '}
                  <ZonedTime value={event.checkpoint.ts} />
                </span>
              ) : (
                <span className="text-xs text-amber-800">Not yet covered by a signed checkpoint (the next one will include it).</span>
              )}
            </Item>
          </dl>
        </section>

        <Related
          title="Same request"
          id="same-request"
          events={event.sameCorrelation}
          people={event.people}
          more={`/audit?${auditFilterParams({ window: 'all', correlationId: event.correlationId }).toString()}`}
          empty="No other event came from this request."
          tz={tz}
        />
        <Related
          title="Same target"
          id="same-target"
          events={event.sameTarget}
          people={event.people}
          more={
            event.targetType && event.targetId
              ? `/audit?${auditFilterParams({ window: 'all', targetType: event.targetType as never, targetId: event.targetId }).toString()}`
              : null
          }
          empty={event.targetType ? 'No other event touched this target.' : 'This event has no target.'}
          tz={tz}
        />
        <section aria-labelledby="raw" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
          <h2 id="raw" className="mb-3 text-sm font-semibold text-slate-900">
            Recorded details
          </h2>
          <pre
            className="max-h-80 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-3 font-mono text-[11px] text-slate-800"
            data-testid="event-details"
          >
            {/* Pretty-printing puts the only raw line breaks in (string values have theirs escaped by JSON); each line is shown escaped. */}
            {JSON.stringify(event.details, null, 2)
              .split('\n')
              .map((line) => showControlCharacters(line))
              .join('\n')}
          </pre>
          <p className="mt-2 text-xs text-slate-500">Event id {event.id}. Exactly what was hashed, with control characters made visible.</p>
        </section>
      </div>
    </>
  );
}

function Item({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-slate-900">{children}</dd>
    </div>
  );
}

function Related({
  title,
  id,
  events,
  people,
  more,
  empty,
  tz,
}: {
  title: string;
  id: string;
  events: RelatedEventDTO[];
  people: Record<string, PersonDTO>;
  more: string | null;
  empty: string;
  tz: string;
}) {
  return (
    <section aria-labelledby={id} className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200" data-testid={id}>
      <div className="mb-3 flex items-center justify-between">
        <h2 id={id} className="text-sm font-semibold text-slate-900">
          {title}
        </h2>
        {more && events.length > 0 ? (
          <Link href={more} prefetch={false} className="text-xs font-medium text-indigo-700 hover:underline">
            Show all in the browser →
          </Link>
        ) : null}
      </div>
      {events.length === 0 ? (
        <p className="text-sm text-slate-500">{empty}</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm">
          {events.map((r) => (
            <li key={r.seq} className="flex items-start justify-between gap-3 py-2">
              <span className="min-w-0">
                <Link
                  href={`/audit/events/${r.seq}`}
                  prefetch={false}
                  className="font-mono text-xs font-semibold text-indigo-700 hover:underline"
                >
                  #{r.seq}
                </Link>{' '}
                <span className="font-mono text-xs">{r.operation}</span>
                <span className="block truncate text-xs text-slate-500">
                  {r.actorId ? showControlCharacters(people[r.actorId]?.name ?? r.actorId.slice(0, 12)) : 'anonymous'}
                </span>
              </span>
              <span className="shrink-0 text-right text-xs">
                <OutcomeBadge outcome={r.outcome} />
                <ZonedTime value={r.ts} tz={tz} compact />
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * The approval an executed two-person operation ran under: the request (its
 * page), who approved it, and the request and decision events in the chain.
 */
function ApprovalEvidence({ approval }: { approval: Record<string, unknown> }) {
  const id = typeof approval.id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(approval.id) ? approval.id : null;
  const seq = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : null);
  const requestSeq = seq(approval.requestSeq);
  const decisionSeq = seq(approval.decisionSeq);
  return (
    <div className="space-y-1 text-xs">
      <p>
        Two-person approval
        {id ? (
          <>
            {' '}
            <Link className="text-sky-700 underline" href={`/approvals/${id}`}>
              request {id}
            </Link>
          </>
        ) : null}
        , approved by <code>{showControlCharacters(String(approval.approverId ?? 'unknown'))}</code> (
        {showControlCharacters(String(approval.approverRole ?? 'unknown role'))}).
      </p>
      <p>
        {requestSeq ? (
          <Link className="text-sky-700 underline" href={`/audit/events/${requestSeq}`}>
            Request event #{requestSeq}
          </Link>
        ) : null}
        {requestSeq && decisionSeq ? ' · ' : null}
        {decisionSeq ? (
          <Link className="text-sky-700 underline" href={`/audit/events/${decisionSeq}`}>
            Approval event #{decisionSeq}
          </Link>
        ) : null}
      </p>
      <code className="block whitespace-pre-wrap break-all text-slate-500">{showControlCharacters(JSON.stringify(approval))}</code>
    </div>
  );
}
