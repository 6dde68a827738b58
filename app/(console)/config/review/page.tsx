import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/ui/page-header';
import { requireArea } from '@/lib/authz/areas';
import { getDraft, listMyChangeSets } from '@/lib/dal/config';
import { RecentChangeSets } from '../_components/recent-change-sets';
import { ReviewPanel, type ReviewDraft } from '../_components/review-panel';
import { TierLegend } from '../_components/tier-badge';

export const metadata: Metadata = { title: 'Review pending changes' };

/** The viewer's pending configuration changes, reviewed and applied (or sent for approval) as one change set. */
export default async function ReviewPage() {
  const viewer = await requireArea('config');
  const [draft, recent] = await Promise.all([getDraft(viewer), listMyChangeSets(viewer)]);
  const review: ReviewDraft | null = draft
    ? {
        id: draft.id,
        digest: draft.digest,
        tier: draft.tier,
        op: draft.op,
        demands: draft.demands,
        approvalText: draft.approvalText,
        items: draft.items.map((i) => ({
          key: i.key,
          label: i.label,
          tier: i.tier,
          kind: i.kind,
          before: i.before,
          after: i.after,
          stale: i.stale,
        })),
      }
    : null;
  return (
    <>
      <PageHeader
        title="Review pending changes"
        description="Check every change before it takes effect. The whole set is applied at once, under the rules of its highest tier."
        actions={
          <Link href="/config" className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
            ← All settings
          </Link>
        }
      />
      <ReviewPanel draft={review} enrolled={viewer.mfaEnrolled} />
      <div className="mt-6">
        <TierLegend />
      </div>
      <RecentChangeSets sets={recent} />
    </>
  );
}
