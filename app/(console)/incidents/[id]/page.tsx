import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { PageHeader } from '@/components/ui/page-header';
import { RelativeTime } from '@/components/ui/relative-time';
import { showControlCharacters } from '@/lib/audit/display';
import { requireArea } from '@/lib/authz/areas';
import { now } from '@/lib/clock';
import { lockdownState } from '@/lib/dal/containment';
import { getIncident, type Seal } from '@/lib/dal/incidents';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { RecordIdSchema } from '@/lib/validation/users';
import { CloseIncidentForm } from '../_components/close-incident-form';
import { ContainmentPanel } from '../_components/containment-panel';
import { IncidentSeverityBadge, IncidentStatusBadge } from '../_components/incident-badges';
import { incidentRef, multiline } from '../_components/incident-format';
import { IncidentTimeline } from '../_components/incident-timeline';
import { IncidentUpdates } from '../_components/incident-updates';

export const metadata: Metadata = { title: 'Incident' };

/**
 * One incident: its seals (the audit head when opened and when closed), its
 * timeline, and — for someone who may — notes, linked alerts, status,
 * containment and closing with a review. An incident the viewer may not read,
 * or that does not exist, is a 404.
 */
export default async function IncidentPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireArea('incidents');
  const id = RecordIdSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const [incident, tz, lockdown] = await Promise.all([getIncident(viewer, id.data), viewerTimeZone(), lockdownState()]);
  if (!incident) notFound();
  const i = incident;
  const at = now();
  const isSuperadmin = viewer.role === 'superadmin';
  const active = i.status !== 'closed';

  return (
    <>
      <PageHeader
        title={`${incidentRef(i.number)} ${showControlCharacters(i.title)}`}
        actions={
          <Link href="/incidents" className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
            ← All incidents
          </Link>
        }
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <div className="flex flex-wrap items-center gap-4 text-sm text-slate-700">
            <p className="flex items-center gap-2">
              <span className="font-medium">Severity:</span> <IncidentSeverityBadge severity={i.severity} />
            </p>
            <p className="flex items-center gap-2">
              <span className="font-medium">Status:</span> <IncidentStatusBadge status={i.status} />
            </p>
          </div>

          {i.status === 'closed' && i.review ? <Review review={i.review} /> : null}

          {i.canUpdate && i.status !== 'closed' ? <IncidentUpdates id={i.id} status={i.status} /> : null}

          {i.canUpdate && active ? (
            <ContainmentPanel
              incidentId={i.id}
              subjects={i.subjects}
              isSuperadmin={isSuperadmin}
              lockdown={{ enabled: lockdown.enabled, mode: lockdown.mode }}
            />
          ) : null}

          <IncidentTimeline entries={i.timeline} tz={tz} />

          {i.canClose && active ? <CloseIncidentForm id={i.id} /> : null}
        </div>

        <div className="space-y-6">
          <section aria-labelledby="incident-details" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
            <h2 id="incident-details" className="text-base font-semibold text-slate-900">
              Incident
            </h2>
            <dl className="mt-3 space-y-3 text-sm">
              <Row label="Owner">{name(i.owner)}</Row>
              <Row label="Opened by">{name(i.openedBy)}</Row>
              <Row label="Opened">
                <RelativeTime stacked value={i.openedAt} now={at} tz={tz} />
              </Row>
              <Row label="Alerts">
                <span className="tabular-nums">{i.alerts}</span>
              </Row>
              {i.closedAt ? (
                <>
                  <Row label="Closed by">{name(i.closedBy)}</Row>
                  <Row label="Closed">
                    <RelativeTime stacked value={i.closedAt} now={at} tz={tz} />
                  </Row>
                </>
              ) : null}
            </dl>
          </section>
          <section aria-labelledby="incident-evidence" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
            <h2 id="incident-evidence" className="text-base font-semibold text-slate-900">
              Evidence
            </h2>
            <p className="mt-1 text-xs text-slate-600">The audit head sealed into the incident, to check it against the trail.</p>
            <SealView label="When opened" seal={i.opened} testId="incident-seal-opened" />
            {i.closed ? <SealView label="When closed" seal={i.closed} testId="incident-seal-closed" /> : null}
          </section>
        </div>
      </div>
    </>
  );
}

function name(p: { name: string } | null): ReactNode {
  return p ? showControlCharacters(p.name) : <span className="text-slate-500">—</span>;
}

function SealView({ label, seal, testId }: { label: string; seal: Seal; testId: string }) {
  return (
    <div data-testid={testId} className="mt-4">
      <h3 className="text-sm font-semibold text-slate-800">{label}</h3>
      <dl className="mt-2 space-y-2 text-sm">
        <Row label="Audit head">
          {seal.headSeq > 0 ? (
            <Link href={`/audit/events/${seal.headSeq}`} className="text-indigo-700 hover:underline">
              Audit event #{seal.headSeq}
            </Link>
          ) : (
            <span className="text-slate-500">The trail was empty</span>
          )}
        </Row>
        <Row label="Head hash">
          {seal.headHash ? <code className="break-all font-mono text-xs">{showControlCharacters(seal.headHash)}</code> : '—'}
        </Row>
        <Row label="Checkpoint">
          {seal.checkpointSeq !== null ? (
            <span className="tabular-nums">#{seal.checkpointSeq}</span>
          ) : (
            <span className="text-slate-500">No checkpoint yet</span>
          )}
        </Row>
      </dl>
    </div>
  );
}

function Review({ review }: { review: { whatHappened: string; impact: string; followUps: string } }) {
  const parts = [
    { label: 'What happened', text: review.whatHappened },
    { label: 'Impact', text: review.impact },
    { label: 'Follow-ups', text: review.followUps },
  ];
  return (
    <section
      aria-labelledby="incident-review"
      data-testid="incident-review"
      className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200"
    >
      <h2 id="incident-review" className="text-base font-semibold text-slate-900">
        Post-incident review
      </h2>
      <dl className="mt-3 space-y-3 text-sm">
        {parts.map((p) => (
          <div key={p.label}>
            <dt className="font-medium text-slate-500">{p.label}</dt>
            <dd className="mt-0.5 whitespace-pre-wrap break-words text-slate-900">{multiline(p.text ?? '')}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="font-medium text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-slate-900">{children}</dd>
    </div>
  );
}
