import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { requireArea } from '@/lib/authz/areas';
import { now } from '@/lib/clock';
import { findUsageUsers, mayReadUsage, recordUsageView, roleUsage } from '@/lib/dal/usage';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { firstValues } from '@/lib/validation/lists';
import { USAGE_DAYS, UsageOverviewQuerySchema } from '@/lib/validation/usage';
import { CampaignList } from './_components/campaign-list';
import { UsageByRole } from './_components/usage-by-role';
import { UserFinder } from './_components/user-finder';

export const metadata: Metadata = { title: 'Access reviews' };

/**
 * Access reviews: the campaigns (everyone with the area), then — for those who
 * may analyze the trail (superadmins, auditors) — the user finder and the usage
 * report by role (`?days=` 7–365, default 90; `?q=` the finder's text).
 */
export default async function AccessPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireArea('access');
  const raw = await searchParams;
  const canAnalyze = mayReadUsage(viewer);
  const query = UsageOverviewQuerySchema.parse(firstValues(raw));
  if (canAnalyze) await recordUsageView(viewer, { view: 'usage_by_role', days: query.days });
  const [report, hits, tz] = canAnalyze
    ? await Promise.all([roleUsage(viewer, { days: query.days }), query.q ? findUsageUsers(viewer, query.q) : [], viewerTimeZone()])
    : [null, [], undefined];
  return (
    <>
      <PageHeader title="Access reviews" description="Who may do what, what they actually did, and the campaigns that check it." />
      <div className="space-y-10">
        {/* campaigns */}
        <CampaignList viewer={viewer} searchParams={raw} basePath="/access" keep={usageParams(query)} />
        {report ? (
          <>
            <UserFinder q={query.q} days={query.days} hits={hits} />
            <UsageByRole report={report} q={query.q} at={now()} tz={tz} />
          </>
        ) : null}
      </div>
    </>
  );
}

/** The usage report's parameters, kept when the campaign tabs are used (validated above; the default days are left out). */
function usageParams(query: { days: number; q?: string }): Record<string, string> {
  return {
    ...(query.days !== USAGE_DAYS.default ? { days: String(query.days) } : {}),
    ...(query.q ? { q: query.q } : {}),
  };
}
