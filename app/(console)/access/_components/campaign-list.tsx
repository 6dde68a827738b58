import Link from 'next/link';
import { ListTable } from '@/components/ui/list-table';
import { RelativeTime } from '@/components/ui/relative-time';
import { TabLinks } from '@/components/ui/tab-links';
import { showControlCharacters } from '@/lib/audit/display';
import type { Viewer } from '@/lib/auth/viewer';
import { abilityFor, decide } from '@/lib/authz/ability';
import { now } from '@/lib/clock';
import { listReviews } from '@/lib/dal/access-reviews';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { ReviewListSchema, type ReviewListFilter } from '@/lib/validation/access-reviews';
import { firstValues } from '@/lib/validation/lists';
import { CoverageBar, ReviewStatusBadge } from './review-badges';
import { KIND_LABELS, REVIEW_LIST_PARAMS, REVIEW_TABS, reviewListHref, reviewRef } from './review-format';

const PAGE_SIZE = 25;
const HEADERS = ['Campaign', 'Kind', 'Status', 'Due', 'Coverage', 'Reviewers'];

/**
 * The access review campaigns the viewer may read (superadmins and auditors:
 * all; admins: those they review), newest first, "Open" by default. The filter
 * lives in the URL as `?reviews=open|closed|all&reviewsPage=N` on `basePath`
 * (pass the page's searchParams). Superadmins get "Start a campaign".
 */
export async function CampaignList({
  viewer,
  searchParams = {},
  basePath = '/access',
  keep = {},
}: {
  viewer: Viewer;
  searchParams?: Record<string, string | string[] | undefined>;
  basePath?: string;
  /** The page's own parameters the campaign links must keep (validated by the page). */
  keep?: Record<string, string>;
}) {
  const sp = firstValues(searchParams);
  const query = ReviewListSchema.parse({ status: sp[REVIEW_LIST_PARAMS.status], page: sp[REVIEW_LIST_PARAMS.page] });
  const canStart = decide(abilityFor(viewer), 'create', 'AccessReview', {}).allowed;
  const [list, tz] = await Promise.all([listReviews(viewer, query, PAGE_SIZE), viewerTimeZone()]);
  const at = now();
  const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
  return (
    <section aria-labelledby="access-review-campaigns" className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="access-review-campaigns" className="text-lg font-semibold text-slate-900">
            Access review campaigns
          </h2>
          <p className="text-sm text-slate-600">
            Who still needs the access they hold: reviewers decide keep, change role or suspend for each person, with a reason.
          </p>
        </div>
        {canStart ? (
          <Link
            href="/access/reviews/new"
            className="inline-flex items-center rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white shadow-xs hover:bg-indigo-500"
          >
            Start a campaign
          </Link>
        ) : null}
      </div>
      <nav aria-label="Campaign status" className="border-b border-slate-200">
        <TabLinks
          tabs={REVIEW_TABS.map((t) => ({
            key: t.status,
            href: reviewListHref(basePath, t.status, 1, keep),
            label: t.label,
            active: query.status === t.status,
          }))}
        />
      </nav>
      <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
        <ListTable caption="Access review campaigns" headers={HEADERS} empty={emptyText(query.status, canStart)}>
          {list.rows.map((r) => (
            <tr key={r.id} data-testid="review-row" data-review-id={r.id} data-status={r.status}>
              <td className="max-w-md px-3 py-2.5 align-top">
                <Link href={`/access/reviews/${r.id}`} className="font-medium break-words text-indigo-700 hover:underline">
                  {reviewRef(r.number)} {showControlCharacters(r.title)}
                </Link>
              </td>
              <td className="whitespace-nowrap px-3 py-2.5 align-top text-slate-700">{KIND_LABELS[r.kind] ?? r.kind}</td>
              <td className="whitespace-nowrap px-3 py-2.5 align-top">
                <ReviewStatusBadge status={r.status} overdue={r.overdue} />
              </td>
              <td className={`whitespace-nowrap px-3 py-2.5 align-top ${r.overdue ? 'font-medium text-red-700' : 'text-slate-600'}`}>
                <RelativeTime stacked value={r.dueAt} now={at} tz={tz} />
              </td>
              <td className="px-3 py-2.5 align-top">
                <CoverageBar decided={r.decided} total={r.total} label={`Coverage of ${reviewRef(r.number)}`} />
              </td>
              <td className="px-3 py-2.5 align-top text-slate-700">
                {r.reviewers.length ? r.reviewers.map((p) => showControlCharacters(p.name)).join(', ') : '—'}
              </td>
            </tr>
          ))}
        </ListTable>
        {pages > 1 ? (
          <nav aria-label="Campaign pages" className="flex items-center justify-between px-4 py-3 text-sm text-slate-600">
            <p>
              Page <span className="tabular-nums">{list.page}</span> of <span className="tabular-nums">{pages}</span> ({list.total}{' '}
              campaigns)
            </p>
            <div className="flex gap-3">
              {list.page > 1 ? (
                <Link href={reviewListHref(basePath, query.status, list.page - 1, keep)} className="text-indigo-700 hover:underline">
                  Previous
                </Link>
              ) : null}
              {list.page < pages ? (
                <Link href={reviewListHref(basePath, query.status, list.page + 1, keep)} className="text-indigo-700 hover:underline">
                  Next
                </Link>
              ) : null}
            </div>
          </nav>
        ) : null}
      </div>
    </section>
  );
}

function emptyText(status: ReviewListFilter, canStart: boolean): string {
  if (status === 'open') return canStart ? 'No campaign is open. Start one to review who holds which role.' : 'No campaign is open.';
  if (status === 'closed') return 'No campaign has been signed off yet.';
  return 'No access review campaigns yet.';
}
