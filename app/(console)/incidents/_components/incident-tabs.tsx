import Link from 'next/link';
import { INCIDENT_STATUS_TABS, incidentsHref, type IncidentStatusFilter } from './incident-format';

/** The list's status tabs, as links (the filter lives in the URL). */
export function IncidentTabs({ current }: { current: IncidentStatusFilter }) {
  return (
    <nav aria-label="Incident status" className="mb-4 border-b border-slate-200">
      <ul className="-mb-px flex flex-wrap gap-6">
        {INCIDENT_STATUS_TABS.map((t) => {
          const active = current === t.status;
          return (
            <li key={t.status}>
              <Link
                href={incidentsHref(t.status)}
                aria-current={active ? 'page' : undefined}
                className={`inline-block border-b-2 px-1 pb-3 text-sm font-medium ${
                  active
                    ? 'border-indigo-600 text-indigo-700'
                    : 'border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900'
                }`}
              >
                {t.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
