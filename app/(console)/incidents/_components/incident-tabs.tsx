import { TabLinks } from '@/components/ui/tab-links';
import { INCIDENT_STATUS_TABS, incidentsHref, type IncidentStatusFilter } from './incident-format';

/** The list's status tabs, as links (the filter lives in the URL). */
export function IncidentTabs({ current }: { current: IncidentStatusFilter }) {
  return (
    <nav aria-label="Incident status" className="mb-4 border-b border-slate-200">
      <TabLinks
        tabs={INCIDENT_STATUS_TABS.map((t) => ({
          key: t.status,
          href: incidentsHref(t.status),
          label: t.label,
          active: current === t.status,
        }))}
      />
    </nav>
  );
}
