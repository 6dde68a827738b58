import Link from 'next/link';
import { RoleBadge } from '@/components/ui/badge';
import { ListTable } from '@/components/ui/list-table';
import { RelativeTime } from '@/components/ui/relative-time';
import { showControlCharacters, showControlCharactersOrNull } from '@/lib/audit/display';
import type { UserReviewItemDTO } from '@/lib/dal/usage';
import type { ReviewDecision } from '@/lib/validation/access-reviews';
import { DecisionBadge } from '../../../_components/review-badges';
import { reviewRef } from '../../../_components/review-format';

/** "Reviews": every access review item about this person, newest campaign first. */
export function ReviewsTable({ reviews, at, tz }: { reviews: UserReviewItemDTO[]; at: Date; tz?: string }) {
  return (
    <section aria-labelledby="reviews" className="space-y-3">
      <div>
        <h2 id="reviews" className="text-lg font-semibold text-slate-900">
          Reviews
        </h2>
        <p className="text-sm text-slate-600">Who reviewed this person’s access, what they decided and why.</p>
      </div>
      <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <ListTable
          caption="Access reviews about this person"
          headers={['Campaign', 'Role then', 'Decision', 'Reviewer', 'Reason', 'Decided']}
          empty="No access review has covered this person yet."
        >
          {reviews.map((r) => (
            <tr key={r.itemId} data-testid="user-review-row">
              <td className="max-w-xs px-3 py-2 align-top">
                <Link href={`/access/reviews/${r.review.id}`} className="font-medium break-words text-indigo-700 hover:underline">
                  {reviewRef(r.review.number)} {showControlCharacters(r.review.title)}
                </Link>
              </td>
              <td className="px-3 py-2 align-top">
                <RoleBadge role={r.roleAtStart} />
              </td>
              <td className="px-3 py-2 align-top">
                <DecisionBadge decision={r.decision as ReviewDecision} />
                {r.newRole ? <span className="block text-xs text-slate-500">to {r.newRole}</span> : null}
              </td>
              <td className="px-3 py-2 align-top text-slate-700">{r.reviewer ? showControlCharacters(r.reviewer.name) : '—'}</td>
              <td className="max-w-sm px-3 py-2 align-top break-words text-slate-700">{showControlCharactersOrNull(r.reason) ?? '—'}</td>
              <td className="whitespace-nowrap px-3 py-2 align-top text-slate-700">
                {r.decidedAt ? (
                  <RelativeTime stacked value={r.decidedAt} now={at} tz={tz} />
                ) : (
                  <span className="text-slate-500">pending</span>
                )}
              </td>
            </tr>
          ))}
        </ListTable>
      </div>
    </section>
  );
}
