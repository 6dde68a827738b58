import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { requireAuditCapability } from '@/lib/authz/audit-access';
import { recordAuditView } from '@/lib/dal/audit';
import { auditDashboard } from '@/lib/dal/audit-dashboard';
import { isPrefetch } from '@/lib/request/prefetch';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { parseAuditFilter } from '@/lib/validation/audit-filter';
import { firstValues } from '@/lib/validation/lists';
import { DashboardPanels } from './_components/panels';
import { StatCards } from './_components/stat-cards';
import { WindowPicker } from './_components/window-picker';

export const metadata: Metadata = { title: 'Audit dashboard' };

const fmt = new Intl.NumberFormat('en-US');

/** Activity dashboards for auditors and superadmins: one time window for every panel; every number opens its events. */
export default async function AuditDashboardPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { viewer, rule } = await requireAuditCapability('analyze');
  // A prefetch is not a view: render nothing, record nothing.
  if (await isPrefetch()) return null;
  const filter = parseAuditFilter({ tz: await viewerTimeZone(), ...firstValues(await searchParams) }, { window: '7d' });
  // Audit of the auditors: recorded before any count is read (fail closed).
  await recordAuditView(viewer, 'dashboard', { filter, rule });
  const data = await auditDashboard(viewer, filter);
  const { throughSeq, headSeq, updatedAt } = data.watermark;
  return (
    <>
      <PageHeader
        title="Activity dashboard"
        description="Who did what, what was refused, and how sign-ins and step-ups went — for the window you choose. Every bar and number opens exactly those events in the audit browser."
      />
      <WindowPicker filter={filter} from={data.from} to={data.to} />
      <StatCards data={data} filter={filter} />
      <DashboardPanels data={data} filter={filter} />
      <p className="mt-4 text-xs text-slate-500" data-testid="rollup-watermark">
        Counts are exact up to event #{fmt.format(headSeq)}. Hourly summaries cover events #1–#{fmt.format(throughSeq)}
        {updatedAt ? ` (refreshed ${updatedAt.toISOString().slice(0, 19).replace('T', ' ')} UTC)` : ''}; newer events and partial hours are
        counted from the trail itself.
      </p>
    </>
  );
}
