import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { PageHeader } from '@/components/ui/page-header';
import { showControlCharacters } from '@/lib/audit/display';
import { abilityFor, decide } from '@/lib/authz/ability';
import { requireArea } from '@/lib/authz/areas';
import { now } from '@/lib/clock';
import { setting } from '@/lib/config/settings';
import { getAlert, type AlertDetailDTO } from '@/lib/dal/alerts';
import { incidentsOfAlert } from '@/lib/dal/incidents';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { RecordIdSchema } from '@/lib/validation/users';
import { mayUseArea } from '@/policies/navigation';
import { AlertActions } from '../_components/alert-actions';
import { AlertStatusBadge, SeverityBadge } from '../_components/alert-badges';
import { AlertDeliveriesTable } from '../_components/alert-deliveries-table';
import { AlertEventsTable } from '../_components/alert-events-table';
import { OpenIncidentButton } from '../../incidents/_components/open-incident-button';
import { RelativeTime } from '@/components/ui/relative-time';

export const metadata: Metadata = { title: 'Alert' };

type Person = { id: string; name: string } | null;

/**
 * One alert: what the rule saw (summary, the triggering events the viewer may
 * read), who it concerns, how it was handled, its webhook deliveries, and —
 * for someone who may — Acknowledge / Resolve. An alert the viewer may not
 * read, or that does not exist, is a 404.
 */
export default async function AlertPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireArea('alerts');
  const id = RecordIdSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const mayIncidents = mayUseArea(viewer.role, 'incidents');
  const [alert, tz, webhookUrl, incidents] = await Promise.all([
    getAlert(viewer, id.data),
    viewerTimeZone(),
    setting('alerts.webhook_url'),
    mayIncidents ? incidentsOfAlert(viewer, id.data) : [],
  ]);
  if (!alert) notFound();
  const a = alert;
  const at = now();
  const linkUsers = mayUseArea(viewer.role, 'users');
  // The raising event has no actor (the monitor records it): link it only for viewers who may read such events.
  const mayReadRaise = decide(abilityFor(viewer), 'read', 'AuditEvent', { actorId: null }).allowed;
  const canOpenIncident = mayIncidents && decide(abilityFor(viewer), 'create', 'Incident', {}).allowed;
  // The incident's title, prefilled: one line, no control characters, within the 200 the schema allows.
  const incidentTitle = `${a.ruleTitle}: ${a.summary}`
    .replace(/[\u0000-\u001f\u007f\s]+/g, ' ')
    .slice(0, 200)
    .trim();

  const person = (p: Person, fallback: string) =>
    p ? (
      linkUsers ? (
        <Link href={`/users/${p.id}`} className="text-indigo-700 hover:underline">
          {showControlCharacters(p.name)}
        </Link>
      ) : (
        showControlCharacters(p.name)
      )
    ) : (
      <span className="text-slate-500">{fallback}</span>
    );

  return (
    <>
      <PageHeader
        title={showControlCharacters(a.ruleTitle)}
        description={<span className="font-mono text-xs">{a.rule}</span>}
        actions={
          <Link href="/alerts" className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
            ← All alerts
          </Link>
        }
      />
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <div className="flex flex-wrap items-center gap-4 text-sm text-slate-700">
            <p className="flex items-center gap-2" data-testid="alert-severity-line">
              <span className="font-medium">Severity:</span> <SeverityBadge severity={a.severity} />
            </p>
            <p className="flex items-center gap-2" data-testid="alert-status">
              <span className="font-medium">Status:</span> <AlertStatusBadge status={a.status} />
            </p>
          </div>
          <section aria-labelledby="alert-summary" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
            <h2 id="alert-summary" className="text-base font-semibold text-slate-900">
              Summary
            </h2>
            <p data-testid="alert-summary" className="mt-2 whitespace-pre-wrap break-words text-sm text-slate-900">
              {showControlCharacters(a.summary)}
            </p>
            {a.ruleDescription ? (
              <p className="mt-3 text-sm text-slate-600">
                <span className="font-medium text-slate-700">The rule: </span>
                {showControlCharacters(a.ruleDescription)}
              </p>
            ) : null}
            <p className="mt-3 text-xs text-slate-500">
              Runbook: <code className="font-mono">docs/runbooks/alert-{a.rule}.md</code>
            </p>
          </section>

          <AlertActions id={a.id} canAcknowledge={a.canAcknowledge} canResolve={a.canResolve} />
          {canOpenIncident ? (
            <div className="flex flex-wrap items-center gap-3">
              <OpenIncidentButton defaultTitle={incidentTitle} defaultSeverity={a.severity} alertId={a.id} />
              <p className="text-sm text-slate-600">Track the response to this alert as an incident, with its timeline and containment.</p>
            </div>
          ) : null}

          <AlertEventsTable events={a.events} hidden={a.hiddenEvents} tz={tz} />
          <AlertDeliveriesTable deliveries={a.deliveries} webhookConfigured={!!webhookUrl} tz={tz} />
        </div>

        <section aria-labelledby="alert-details" className="h-fit rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
          <h2 id="alert-details" className="text-base font-semibold text-slate-900">
            Alert
          </h2>
          <dl className="mt-3 space-y-3 text-sm">
            <Row label="Who">{person(a.actor, '— (not tied to one person)')}</Row>
            <Row label="Events">
              <span className="tabular-nums">{a.count}</span>
            </Row>
            <Row label="Raised">
              <RelativeTime stacked value={a.createdAt} now={at} tz={tz} />
            </Row>
            <Row label="Raised by">
              {a.raisedSeq === null ? (
                <span className="text-slate-500">—</span>
              ) : mayReadRaise ? (
                <Link href={`/audit/events/${a.raisedSeq}`} className="text-indigo-700 hover:underline">
                  Audit event #{a.raisedSeq}
                </Link>
              ) : (
                <span>Audit event #{a.raisedSeq} (recorded by the monitor)</span>
              )}
            </Row>
            {mayIncidents ? (
              <Row label="Incidents" testId="alert-incidents">
                {incidents.length === 0 ? (
                  <span className="text-slate-500">None</span>
                ) : (
                  <ul className="space-y-1">
                    {incidents.map((inc) => (
                      <li key={inc.id}>
                        <Link href={`/incidents/${inc.id}`} className="text-indigo-700 hover:underline">
                          INC-{inc.number}
                        </Link>{' '}
                        <span className="break-words text-slate-700">{showControlCharacters(inc.title)}</span>{' '}
                        <span className="text-xs text-slate-500">({inc.status})</span>
                      </li>
                    ))}
                  </ul>
                )}
              </Row>
            ) : null}
            <Handled label="Acknowledged" step={a.acknowledged} person={person} now={at} tz={tz} noteLabel="Note" />
            <Handled label="Resolved" step={a.resolved} person={person} now={at} tz={tz} noteLabel="Reason" />
          </dl>
        </section>
      </div>
    </>
  );
}

function Handled({
  label,
  step,
  person,
  now,
  tz,
  noteLabel,
}: {
  label: string;
  step: AlertDetailDTO['acknowledged'];
  person: (p: Person, fallback: string) => ReactNode;
  now: Date;
  tz?: string;
  noteLabel: string;
}) {
  if (!step) {
    return (
      <Row label={label}>
        <span className="text-slate-500">Not yet</span>
      </Row>
    );
  }
  return (
    <Row label={label} testId={`alert-${label.toLowerCase()}`}>
      <span className="block">by {person(step.by, 'an unknown user')}</span>
      <RelativeTime stacked value={step.at} now={now} tz={tz} />
      {step.note ? (
        <span className="mt-1 block whitespace-pre-wrap break-words text-slate-700">
          <span className="font-medium">{noteLabel}:</span> {showControlCharacters(step.note)}
        </span>
      ) : null}
    </Row>
  );
}

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div data-testid={testId}>
      <dt className="font-medium text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-slate-900">{children}</dd>
    </div>
  );
}
