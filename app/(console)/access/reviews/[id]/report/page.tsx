import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ListTable } from '@/components/ui/list-table';
import { PageHeader } from '@/components/ui/page-header';
import { ZonedTime } from '@/components/ui/zoned-time';
import { showControlCharacters } from '@/lib/audit/display';
import { requireArea } from '@/lib/authz/areas';
import { getReview } from '@/lib/dal/access-reviews';
import { viewerTimeZone } from '@/lib/request/time-zone';
import { ReviewIdParamSchema } from '@/lib/validation/access-reviews';
import { DecisionBadge, ReviewStatusBadge } from '../../../_components/review-badges';
import { reviewRef } from '../../../_components/review-format';
import { ReviewSummary } from '../../_components/review-summary';
import { SignOffButton } from '../../_components/sign-off-button';

export const metadata: Metadata = { title: 'Access review report' };

/**
 * The campaign report for auditors: coverage, decisions by reviewer, every
 * decision with its reason and audit event, and the sign-off (who, when, the
 * statement). Auditors and superadmins sign off here while it is open.
 */
export default async function AccessReviewReportPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireArea('access');
  const id = ReviewIdParamSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const [review, tz] = await Promise.all([getReview(viewer, id.data), viewerTimeZone()]);
  if (!review) notFound();
  const r = review;
  const c = r.coverage;
  const decided = r.items.filter((i) => i.decision !== 'pending');
  const figures: [string, number | string][] = [
    ['People in scope', c.total],
    ['Decided', c.decided],
    ['Kept', c.kept],
    ['Role changed', c.changed],
    ['Suspended', c.suspended],
    ['Pending', c.pending],
    ['Awaiting approval', c.awaitingApproval],
    ['Overdue', c.overdue ? 'Yes' : 'No'],
  ];
  const events = [
    ...(r.startSeq !== null ? [{ seq: r.startSeq, what: 'Campaign started' }] : []),
    ...decided.flatMap((i) => [
      ...(i.decisionSeq !== null ? [{ seq: i.decisionSeq, what: `Decision on ${i.user.name}` }] : []),
      ...(i.appliedSeq !== null && i.appliedSeq !== i.decisionSeq ? [{ seq: i.appliedSeq, what: `Change applied to ${i.user.name}` }] : []),
    ]),
    ...(r.closeSeq !== null ? [{ seq: r.closeSeq, what: 'Signed off' }] : []),
  ].sort((a, b) => a.seq - b.seq);

  return (
    <>
      <PageHeader
        title={`Report: ${reviewRef(r.number)} ${showControlCharacters(r.title)}`}
        description="Coverage, every decision with its reason and audit event, and the sign-off."
        actions={
          <>
            {r.canSignOff ? <SignOffButton reviewId={r.id} pending={c.pending} total={c.total} /> : null}
            <Link href={`/access/reviews/${r.id}`} className="rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100">
              ← Campaign
            </Link>
          </>
        }
      />
      <div className="space-y-6">
        <ReviewSummary review={r} tz={tz} />

        <section aria-labelledby="report-coverage" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
          <h2 id="report-coverage" className="text-base font-semibold text-slate-900">
            Coverage
          </h2>
          <dl className="mt-3 grid grid-cols-2 gap-3 text-sm sm:grid-cols-4" data-testid="report-coverage">
            {figures.map(([label, value]) => (
              <div key={label}>
                <dt className="text-slate-600">{label}</dt>
                <dd className="text-lg font-semibold tabular-nums text-slate-900">{value}</dd>
              </div>
            ))}
          </dl>
        </section>

        <section aria-labelledby="report-signoff" className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
          <h2 id="report-signoff" className="text-base font-semibold text-slate-900">
            Sign-off
          </h2>
          {r.status === 'closed' ? (
            <div className="mt-2 space-y-1 text-sm text-slate-800" data-testid="report-signoff">
              <p>
                <ReviewStatusBadge status={r.status} /> Signed off by{' '}
                <strong>{r.closedBy ? showControlCharacters(r.closedBy.name) : 'a former user'}</strong>
              </p>
              {r.closedAt ? <ZonedTime value={r.closedAt} tz={tz} compact /> : null}
              {r.signOff ? (
                <blockquote className="border-l-4 border-slate-200 pl-3 whitespace-pre-wrap break-words text-slate-700">
                  {r.signOff}
                </blockquote>
              ) : null}
              {r.closeSeq !== null ? (
                <Link href={`/audit/events/${r.closeSeq}`} className="text-indigo-700 hover:underline">
                  Audit event #{r.closeSeq}
                </Link>
              ) : null}
            </div>
          ) : (
            <p className="mt-2 text-sm text-slate-600">
              Not signed off yet. {c.pending > 0 ? `${c.pending} of ${c.total} still undecided.` : 'Every person has been decided.'}
            </p>
          )}
        </section>

        <section aria-labelledby="report-reviewers">
          <h2 id="report-reviewers" className="mb-3 text-base font-semibold text-slate-900">
            Decisions by reviewer
          </h2>
          <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
            <ListTable
              caption="Decisions by reviewer"
              headers={['Reviewer', 'Kept', 'Role changed', 'Suspended']}
              empty="No decisions yet."
            >
              {r.byReviewer.map((b) => (
                <tr key={b.id} data-testid="report-reviewer">
                  <td className="px-3 py-2.5 text-slate-900">{showControlCharacters(b.name)}</td>
                  <td className="px-3 py-2.5 tabular-nums">{b.kept}</td>
                  <td className="px-3 py-2.5 tabular-nums">{b.changed}</td>
                  <td className="px-3 py-2.5 tabular-nums">{b.suspended}</td>
                </tr>
              ))}
            </ListTable>
          </div>
        </section>

        <section aria-labelledby="report-decisions">
          <h2 id="report-decisions" className="mb-3 text-base font-semibold text-slate-900">
            Decisions
          </h2>
          <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
            <ListTable
              caption="Every decision of this campaign"
              headers={['Person', 'Role (start → now)', 'Decision', 'By', 'When', 'Reason', 'Audit']}
              empty="No decisions yet."
            >
              {decided.map((i) => (
                <tr key={i.id} data-testid="report-decision" data-user-email={i.user.email} data-decision={i.decision}>
                  <td className="px-3 py-2.5 align-top">
                    <span className="font-medium text-slate-900">{showControlCharacters(i.user.name)}</span>
                    <span className="block text-xs text-slate-500">{i.user.email}</span>
                  </td>
                  <td className="whitespace-nowrap px-3 py-2.5 align-top text-slate-700">
                    {i.roleAtStart} → {i.user.role}
                  </td>
                  <td className="px-3 py-2.5 align-top">
                    <DecisionBadge decision={i.decision} />
                    {i.newRole ? <span className="block text-xs text-slate-600">to {i.newRole}</span> : null}
                  </td>
                  <td className="px-3 py-2.5 align-top text-slate-700">{i.decidedBy ? showControlCharacters(i.decidedBy.name) : '—'}</td>
                  <td className="whitespace-nowrap px-3 py-2.5 align-top text-slate-600">
                    {i.decidedAt ? <ZonedTime value={i.decidedAt} tz={tz} compact /> : '—'}
                  </td>
                  <td className="max-w-xs px-3 py-2.5 align-top break-words text-slate-700">{i.reason ?? '—'}</td>
                  <td className="whitespace-nowrap px-3 py-2.5 align-top">
                    {i.decisionSeq !== null ? (
                      <Link href={`/audit/events/${i.decisionSeq}`} className="text-indigo-700 hover:underline">
                        #{i.decisionSeq}
                      </Link>
                    ) : null}
                    {i.approval ? (
                      <Link href={`/approvals/${i.approval.id}`} className="block text-xs text-indigo-700 hover:underline">
                        Approval
                      </Link>
                    ) : null}
                  </td>
                </tr>
              ))}
            </ListTable>
          </div>
        </section>

        <section aria-labelledby="report-events">
          <h2 id="report-events" className="mb-3 text-base font-semibold text-slate-900">
            Audit events
          </h2>
          <ul className="space-y-1 rounded-xl bg-white p-5 text-sm shadow-sm ring-1 ring-slate-200" data-testid="report-events">
            {events.length === 0 ? <li className="text-slate-500">None recorded.</li> : null}
            {events.map((e) => (
              <li key={`${e.seq}-${e.what}`}>
                <Link href={`/audit/events/${e.seq}`} className="text-indigo-700 hover:underline">
                  #{e.seq}
                </Link>{' '}
                <span className="text-slate-700">{e.what}</span>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </>
  );
}
