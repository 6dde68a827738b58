import Link from 'next/link';
import { TabLinks } from '@/components/ui/tab-links';
import type { ApprovalStatus } from '@/lib/validation/approvals';
import { APPROVAL_STATUS_LABELS } from './approval-format';

type Filter = ApprovalStatus | 'all';

const TABS: { status: Filter; label: string }[] = [
  { status: 'pending', label: 'Waiting' },
  { status: 'all', label: 'All' },
];

/** Statuses offered as finer filters next to the two tabs. */
const MORE: ApprovalStatus[] = ['executed', 'rejected', 'cancelled', 'expired', 'voided', 'failed'];

export function approvalsHref(status: Filter, page = 1): string {
  const q = new URLSearchParams();
  if (status !== 'pending') q.set('status', status);
  if (page > 1) q.set('page', String(page));
  const query = q.toString();
  return query ? `/approvals?${query}` : '/approvals';
}

/** The inbox's filters as links (shareable URLs): "Waiting" (decidable now), "All", and one per final status. */
export function ApprovalFilters({ current }: { current: Filter }) {
  return (
    <nav aria-label="Approval filters" className="mb-4 flex flex-wrap items-end justify-between gap-3 border-b border-slate-200">
      <TabLinks tabs={TABS.map((t) => ({ key: t.status, href: approvalsHref(t.status), label: t.label, active: current === t.status }))} />
      <ul aria-label="Only requests that are" className="flex flex-wrap items-center gap-2 pb-2 text-xs">
        {MORE.map((s) => {
          const active = current === s;
          return (
            <li key={s}>
              <Link
                href={approvalsHref(s)}
                aria-current={active ? 'page' : undefined}
                className={`rounded-full px-2.5 py-1 font-medium ring-1 ring-inset ${
                  active ? 'bg-indigo-50 text-indigo-700 ring-indigo-600/30' : 'text-slate-600 ring-slate-300 hover:bg-slate-50'
                }`}
              >
                {APPROVAL_STATUS_LABELS[s]}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
