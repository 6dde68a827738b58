import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/ui/page-header';
import { abilityFor, decide } from '@/lib/authz/ability';
import { requireArea } from '@/lib/authz/areas';
import { now } from '@/lib/clock';
import { reviewerCandidates, scopeCounts } from '@/lib/dal/access-reviews';
import { REVIEW_MAX_DUE_DAYS } from '@/lib/validation/access-reviews';
import { StartReviewForm } from '../_components/start-review-form';

export const metadata: Metadata = { title: 'Start an access review' };

const DAY_MS = 24 * 60 * 60 * 1000;

/** Start a campaign (superadmins only; anyone else gets a 404, as for a record they may not see). */
export default async function NewAccessReviewPage() {
  const viewer = await requireArea('access');
  if (!decide(abilityFor(viewer), 'create', 'AccessReview', {}).allowed) notFound();
  const [reviewers, counts] = await Promise.all([reviewerCandidates(viewer), scopeCounts(viewer)]);
  const at = now();
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return (
    <>
      <PageHeader
        title="Start an access review"
        description="Choose who is reviewed and by whom. Each person in scope becomes one row that a reviewer decides: keep, change role or suspend, with a reason."
        actions={
          <Link href="/access" className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
            ← Access reviews
          </Link>
        }
      />
      <StartReviewForm
        reviewers={reviewers}
        counts={counts}
        selfId={viewer.userId}
        minDue={day(new Date(at.getTime() + DAY_MS))}
        maxDue={day(new Date(at.getTime() + REVIEW_MAX_DUE_DAYS * DAY_MS))}
        defaultDue={day(new Date(at.getTime() + 14 * DAY_MS))}
      />
    </>
  );
}
