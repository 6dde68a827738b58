import Link from 'next/link';
import type { ChangeSetDTO } from '@/lib/dal/config';
import { TierBadge } from './tier-badge';

/** "You have N pending changes": a status region linking to the review page (nothing when there is no draft). */
export function PendingChanges({ draft }: { draft: ChangeSetDTO | null }) {
  return (
    <div role="status" aria-live="polite">
      {draft ? (
        <div className="mb-4 flex flex-wrap items-center justify-between gap-3 rounded-xl bg-indigo-50 px-4 py-3 text-sm text-indigo-950 ring-1 ring-indigo-200">
          <p className="flex flex-wrap items-center gap-2">
            <span>
              You have {draft.items.length} pending {draft.items.length === 1 ? 'change' : 'changes'}. Nothing takes effect until you apply
              them.
            </span>
            <TierBadge tier={draft.tier} />
          </p>
          <Link href="/config/review" className="rounded-md bg-indigo-600 px-3 py-1.5 font-semibold text-white hover:bg-indigo-500">
            Review pending changes ({draft.items.length})
          </Link>
        </div>
      ) : null}
    </div>
  );
}
