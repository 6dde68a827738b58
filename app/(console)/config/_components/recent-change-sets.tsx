import Link from 'next/link';
import { Time } from '@/components/ui/time';
import type { ChangeSetDTO } from '@/lib/dal/config';
import { ChangeSetStatusBadge, TierBadge } from './tier-badge';

/** The viewer's submitted change sets, newest first, with their status and (when waiting) their approval request. */
export function RecentChangeSets({ sets }: { sets: ChangeSetDTO[] }) {
  return (
    <section aria-labelledby="recent-change-sets" className="mt-8">
      <h2 id="recent-change-sets" className="text-base font-semibold text-slate-900">
        Your recent change sets
      </h2>
      {sets.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600">You have not applied or submitted any change sets yet.</p>
      ) : (
        <div className="mt-3 overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Your recent change sets</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-4 py-3">
                  Settings
                </th>
                <th scope="col" className="px-4 py-3">
                  Tier
                </th>
                <th scope="col" className="px-4 py-3">
                  Status
                </th>
                <th scope="col" className="px-4 py-3">
                  Updated
                </th>
                <th scope="col" className="px-4 py-3">
                  Approval
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sets.map((s) => (
                <tr key={s.id} data-testid="change-set-row" data-change-set-id={s.id} data-status={s.status}>
                  <td className="px-4 py-2.5 text-slate-800">
                    <ul>
                      {s.items.map((i) => (
                        <li key={i.key}>
                          {i.label} → <span className="break-all">{i.after}</span>
                        </li>
                      ))}
                    </ul>
                    {s.reason ? <p className="mt-1 text-xs text-slate-500">Reason: {s.reason}</p> : null}
                  </td>
                  <td className="px-4 py-2.5">
                    <TierBadge tier={s.tier} />
                  </td>
                  <td className="px-4 py-2.5">
                    <ChangeSetStatusBadge status={s.status} />
                  </td>
                  <td className="whitespace-nowrap px-4 py-2.5 text-slate-600">
                    <Time value={s.appliedAt ?? s.submittedAt ?? s.updatedAt} />
                  </td>
                  <td className="px-4 py-2.5">
                    {s.approvalId ? (
                      <Link href={`/approvals/${s.approvalId}`} className="text-indigo-700 hover:underline">
                        {s.status === 'pending_approval' ? 'Open approval request' : 'Approval record'}
                      </Link>
                    ) : (
                      <span className="text-slate-400">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
