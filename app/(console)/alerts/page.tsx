import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/ui/page-header';
import { Pagination } from '@/components/ui/pagination';
import { requireArea } from '@/lib/authz/areas';
import { now } from '@/lib/clock';
import { ALERT_PAGE_SIZE, listAlerts } from '@/lib/dal/alerts';
import type { RuleId, Severity } from '@/lib/monitoring/rules';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { AlertListSchema } from '@/lib/validation/alerts';
import { firstValues } from '@/lib/validation/lists';
import { AlertFilters } from './_components/alert-filters';
import { ALERT_STATUS_LABELS, alertListParams, alertsHref, type AlertListParams } from './_components/alert-format';
import { AlertsTable } from './_components/alerts-table';

export const metadata: Metadata = { title: 'Alerts' };

const DESCRIPTIONS: Record<string, string> = {
  superadmin: 'What the anomaly rules noticed in the audit trail. Acknowledge an alert when you look into it; resolve it with a note.',
  admin: 'What the anomaly rules noticed in the audit trail. Acknowledge an alert when you look into it; resolve it with a note.',
  auditor: 'What the anomaly rules noticed in the audit trail, and how each alert was handled (read only).',
};

/**
 * The alerts inbox: the alerts the viewer may read, newest first, "Active"
 * (open or acknowledged) by default. Filters live in the URL.
 */
export default async function AlertsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireArea('alerts');
  const query = AlertListSchema.parse(firstValues(await searchParams));
  const current: AlertListParams = { status: query.status, severity: query.severity, rule: query.rule };
  const [list, tz] = await Promise.all([
    listAlerts(viewer, {
      status: query.status,
      severity: query.severity as Severity | undefined,
      rule: query.rule as RuleId | undefined,
      page: query.page,
    }),
    viewerTimeZone(),
  ]);
  return (
    <>
      <PageHeader title="Alerts" description={DESCRIPTIONS[viewer.role] ?? 'Alerts raised by the anomaly rules.'} />
      <AlertFilters current={current} />
      <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <AlertsTable rows={list.rows} now={now()} tz={tz} empty={<EmptyState current={current} />} />
        <Pagination basePath="/alerts" params={alertListParams(current)} page={list.page} pageSize={ALERT_PAGE_SIZE} total={list.total} />
      </div>
      <p className="mt-4 text-xs text-slate-500" data-testid="alert-runbooks">
        Each rule has a runbook: <code className="font-mono">docs/runbooks/alert-&lt;rule&gt;.md</code>
      </p>
    </>
  );
}

function EmptyState({ current }: { current: AlertListParams }) {
  const filtered = !!(current.severity || current.rule);
  const clear = filtered ? (
    <>
      {' '}
      <Link href={alertsHref({ status: current.status })} className="text-indigo-700 hover:underline">
        Clear filters
      </Link>
      .
    </>
  ) : null;
  if (current.status === 'active') {
    return (
      <>
        {filtered ? 'No matching alerts need attention.' : 'No alerts need attention.'}
        {clear}
      </>
    );
  }
  if (current.status === 'all') {
    return (
      <>
        {filtered ? 'No matching alerts.' : 'No alerts yet. When an anomaly rule fires, its alert appears here.'}
        {clear}
      </>
    );
  }
  return (
    <>
      No {filtered ? 'matching ' : ''}
      {ALERT_STATUS_LABELS[current.status].toLowerCase()} alerts.{clear}
    </>
  );
}
