import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { RoleBadge, StatusBadge, Badge } from '@/components/ui/badge';
import { PageHeader } from '@/components/ui/page-header';
import { RelativeTime } from '@/components/ui/relative-time';
import { showControlCharacters } from '@/lib/audit/display';
import type { Viewer } from '@/lib/auth/viewer';
import { requireArea } from '@/lib/authz/areas';
import { ActionError } from '@/lib/authz/result';
import { now } from '@/lib/clock';
import { elevationsOf } from '@/lib/dal/elevations';
import { mayReadUsage, recordUsageView, userReviewItems, userUsage } from '@/lib/dal/usage';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { firstValues } from '@/lib/validation/lists';
import { UserUsageQuerySchema } from '@/lib/validation/usage';
import { RecordIdSchema } from '@/lib/validation/users';
import { auditHref, usageHref } from '../../_components/usage-format';
import { ElevationsTable } from './_components/elevations-table';
import { GrantedTable, UsedNotGrantedTable } from './_components/granted-table';
import { ReviewsTable } from './_components/reviews-table';

export const metadata: Metadata = { title: 'Access profile' };

async function load(viewer: Viewer, id: string, days: number) {
  try {
    return await userUsage(viewer, id, { days });
  } catch (error) {
    if (error instanceof ActionError && error.code === 'NOT_FOUND') notFound();
    throw error;
  }
}

/**
 * One person's access profile (superadmins and auditors): what their role lets
 * them do and when they last did each thing, what they did that their role no
 * longer grants, the access reviews about them and every elevation they held.
 * `?days=` is the window (7–365, default 90); `?unused=1` shows only the
 * privileges not used in it.
 */
export default async function AccessUserPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requireArea('access');
  if (!mayReadUsage(viewer)) notFound();
  const id = RecordIdSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const query = UserUsageQuerySchema.parse(firstValues(await searchParams));
  const usage = await load(viewer, id.data, query.days);
  await recordUsageView(viewer, { view: 'usage_user', days: usage.days, userId: usage.user.id });
  const [reviews, elevations, tz] = await Promise.all([userReviewItems(viewer, id.data), elevationsOf(viewer, id.data), viewerTimeZone()]);
  const at = now();
  const u = usage.user;
  return (
    <>
      <PageHeader
        title={showControlCharacters(u.name)}
        description={showControlCharacters(u.email)}
        actions={
          <>
            <Link href={auditHref({ actor: u.id })} className="rounded-md px-3 py-1.5 text-sm text-indigo-700 hover:bg-slate-100">
              Their actions in the audit trail
            </Link>
            <Link
              href={usageHref('/access', { days: query.days })}
              className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100"
            >
              ← Access reviews
            </Link>
          </>
        }
      />
      <div className="space-y-10">
        <section aria-labelledby="who" className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
          <h2 id="who" className="sr-only">
            Who they are
          </h2>
          <dl className="grid grid-cols-2 gap-4 text-sm sm:grid-cols-4">
            <div>
              <dt className="text-xs font-medium text-slate-500">Role</dt>
              <dd className="mt-1">
                <RoleBadge role={u.role} />
              </dd>
            </div>
            <div>
              <dt className="text-xs font-medium text-slate-500">Status</dt>
              <dd className="mt-1 flex gap-1">
                <StatusBadge status={u.status} />
                {u.deleted ? <Badge tone="red">deleted</Badge> : null}
              </dd>
            </div>
            <div>
              <dt className="text-xs font-medium text-slate-500">Last active</dt>
              <dd className="mt-1 text-slate-800">
                {u.lastActiveAt ? <RelativeTime stacked value={u.lastActiveAt} now={at} tz={tz} /> : 'Never'}
              </dd>
            </div>
            <div>
              <dt className="text-xs font-medium text-slate-500">Privileges unused in {usage.days} days</dt>
              <dd className="mt-1 tabular-nums text-slate-800" data-testid="unused-count">
                {usage.unusedInWindow}
              </dd>
            </div>
          </dl>
        </section>
        <GrantedTable usage={usage} unusedOnly={query.unused} at={at} tz={tz} />
        <UsedNotGrantedTable usage={usage} at={at} tz={tz} />
        <ReviewsTable reviews={reviews} at={at} tz={tz} />
        <ElevationsTable elevations={elevations} at={at} tz={tz} />
        <p className="text-xs text-slate-500">
          Use counted from the usage rollup through event #{usage.watermark.throughSeq}
          {usage.watermark.tailEvents ? ` and ${usage.watermark.tailEvents} newer events read from the trail` : ''}. Only successful events
          count; refused and failed attempts are in the audit trail.
        </p>
      </div>
    </>
  );
}
