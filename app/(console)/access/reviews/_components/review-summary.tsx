import Link from 'next/link';
import { RoleBadge } from '@/components/ui/badge';
import { ZonedTime } from '@/components/ui/zoned-time';
import { showControlCharacters } from '@/lib/audit/display';
import type { ReviewDetailDTO } from '@/lib/dal/access-reviews';
import { CoverageBar, ReviewStatusBadge } from '../../_components/review-badges';
import { KIND_LABELS } from '../../_components/review-format';

/** The campaign's facts: status, due date (red when overdue), coverage, scope, reviewers, who started it. */
export function ReviewSummary({ review: r, tz }: { review: ReviewDetailDTO; tz?: string }) {
  return (
    <section aria-labelledby="review-facts" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <h2 id="review-facts" className="sr-only">
        Campaign details
      </h2>
      <dl className="grid grid-cols-1 gap-4 text-sm sm:grid-cols-2 lg:grid-cols-4">
        <div>
          <dt className="font-medium text-slate-600">Status</dt>
          <dd className="mt-1">
            <ReviewStatusBadge status={r.status} overdue={r.coverage.overdue} />{' '}
            <span className="text-slate-500">{KIND_LABELS[r.kind] ?? r.kind}</span>
          </dd>
        </div>
        <div>
          <dt className="font-medium text-slate-600">Due</dt>
          <dd className={`mt-1 ${r.coverage.overdue ? 'font-medium text-red-700' : 'text-slate-800'}`} data-testid="review-due">
            <ZonedTime value={r.dueAt} tz={tz} compact />
            {r.coverage.overdue ? <span className="block text-xs">Overdue</span> : null}
          </dd>
        </div>
        <div>
          <dt className="font-medium text-slate-600">Coverage</dt>
          <dd className="mt-1">
            <CoverageBar decided={r.coverage.decided} total={r.coverage.total} label="Decided of everyone in this campaign" />
          </dd>
        </div>
        <div>
          <dt className="font-medium text-slate-600">Started</dt>
          <dd className="mt-1 text-slate-800">
            {r.createdBy ? showControlCharacters(r.createdBy.name) : '—'}
            <ZonedTime value={r.createdAt} tz={tz} compact />
            {r.startSeq !== null ? (
              <Link href={`/audit/events/${r.startSeq}`} className="text-xs text-indigo-700 hover:underline">
                Audit event #{r.startSeq}
              </Link>
            ) : null}
          </dd>
        </div>
        <div className="sm:col-span-2">
          <dt className="font-medium text-slate-600">Scope</dt>
          <dd className="mt-1 flex flex-wrap items-center gap-2 text-slate-800">
            {r.scope.roles.map((role) => (
              <RoleBadge key={role} role={role} />
            ))}
            {r.scope.userIds.length ? <span>{r.scope.userIds.length} people listed by name</span> : null}
            <span className="text-slate-500">· evidence over {r.usageDays} days</span>
          </dd>
        </div>
        <div className="sm:col-span-2">
          <dt className="font-medium text-slate-600">Reviewers</dt>
          <dd className="mt-1 text-slate-800" data-testid="review-reviewers">
            {r.reviewers.map((p) => `${showControlCharacters(p.name)} (${p.role})`).join(', ')}
          </dd>
        </div>
      </dl>
    </section>
  );
}
