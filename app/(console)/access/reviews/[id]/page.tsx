import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { PageHeader } from '@/components/ui/page-header';
import { showControlCharacters } from '@/lib/audit/display';
import { requireArea } from '@/lib/authz/areas';
import { getReview } from '@/lib/dal/access-reviews';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { ReviewIdParamSchema } from '@/lib/validation/access-reviews';
import { reviewRef } from '../../_components/review-format';
import { ReviewItemsTable } from '../_components/review-items-table';
import { ReviewSummary } from '../_components/review-summary';
import { SignOffButton } from '../_components/sign-off-button';

export const metadata: Metadata = { title: 'Access review' };

/**
 * One campaign: its facts, and a row per person with the usage evidence and the
 * decision; reviewers decide pending rows here. Auditors and superadmins find
 * the report (and the sign-off) one link away. A campaign the viewer may not
 * read, or that does not exist, is a 404.
 */
export default async function AccessReviewPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireArea('access');
  const id = ReviewIdParamSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const [review, tz] = await Promise.all([getReview(viewer, id.data), viewerTimeZone()]);
  if (!review) notFound();
  const r = review;
  return (
    <>
      <PageHeader
        title={`${reviewRef(r.number)} ${showControlCharacters(r.title)}`}
        description={
          r.status === 'open'
            ? r.isReviewer
              ? 'You are a reviewer: decide each pending row. Keep records your reason; a change runs the normal operation, with its step-up.'
              : 'Reviewers decide each row; the decisions and their audit events appear here as they are made.'
            : 'This campaign is signed off and closed.'
        }
        actions={
          <>
            <Link
              href={`/access/reviews/${r.id}/report`}
              className="rounded-md px-3 py-1.5 text-sm font-medium text-indigo-700 hover:bg-slate-100"
            >
              Report
            </Link>
            {r.canSignOff ? <SignOffButton reviewId={r.id} pending={r.coverage.pending} total={r.coverage.total} /> : null}
            <Link href="/access" className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
              ← Access reviews
            </Link>
          </>
        }
      />
      <div className="space-y-6">
        <ReviewSummary review={r} tz={tz} />
        {r.status === 'closed' ? (
          <p className="rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700 ring-1 ring-slate-200">
            Signed off by {r.closedBy ? showControlCharacters(r.closedBy.name) : 'a former user'}
            {r.closedAt ? ` on ${r.closedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''}.{' '}
            <Link href={`/access/reviews/${r.id}/report`} className="font-medium text-indigo-700 hover:underline">
              Read the report
            </Link>
          </p>
        ) : null}
        <section aria-labelledby="review-items">
          <h2 id="review-items" className="mb-3 text-lg font-semibold text-slate-900">
            People under review
          </h2>
          <ReviewItemsTable reviewId={r.id} items={r.items} usageDays={r.usageDays} />
        </section>
      </div>
    </>
  );
}
