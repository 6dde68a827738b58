import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination } from '@/components/ui/pagination';
import { abilityFor, decide } from '@/lib/authz/ability';
import { requireArea } from '@/lib/authz/areas';
import { now } from '@/lib/clock';
import { listIncidents } from '@/lib/dal/incidents';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { IncidentListSchema } from '@/lib/validation/incidents';
import { firstValues } from '@/lib/validation/lists';
import { IncidentTabs } from './_components/incident-tabs';
import { INCIDENT_STATUS_LABELS, incidentListParams, type IncidentStatusFilter } from './_components/incident-format';
import { IncidentsTable } from './_components/incidents-table';
import { OpenIncidentButton } from './_components/open-incident-button';

export const metadata: Metadata = { title: 'Incidents' };

const PAGE_SIZE = 25;

/**
 * The incident register: the incidents the viewer may read, newest first,
 * "Active" (open or contained) by default. The status filter lives in the URL.
 */
export default async function IncidentsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireArea('incidents');
  const query = IncidentListSchema.parse(firstValues(await searchParams));
  const canCreate = decide(abilityFor(viewer), 'create', 'Incident', {}).allowed;
  const [list, tz] = await Promise.all([listIncidents(viewer, { status: query.status, page: query.page }, PAGE_SIZE), viewerTimeZone()]);
  return (
    <>
      <PageHeader
        title="Incidents"
        description={
          canCreate
            ? 'Incidents opened from alerts or by hand: their timeline, the containment taken, and the review when closed.'
            : 'Incidents opened from alerts or by hand, their timeline and review (read only).'
        }
        actions={canCreate ? <OpenIncidentButton /> : null}
      />
      <IncidentTabs current={query.status} />
      <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <IncidentsTable rows={list.rows} now={now()} tz={tz} empty={emptyText(query.status)} />
        <Pagination
          basePath="/incidents"
          params={incidentListParams(query.status)}
          page={list.page}
          pageSize={PAGE_SIZE}
          total={list.total}
        />
      </div>
    </>
  );
}

function emptyText(status: IncidentStatusFilter): string {
  if (status === 'active') return 'No incidents are open or contained.';
  if (status === 'all') return 'No incidents yet. Open one from an alert, or by hand.';
  return `No ${INCIDENT_STATUS_LABELS[status].toLowerCase()} incidents.`;
}
