import type { ReviewDecision, ReviewListFilter } from '@/lib/validation/access-reviews';

/** "AR-7": a campaign's reference. */
export function reviewRef(n: number): string {
  return `AR-${n}`;
}

export const REVIEW_TABS: { status: ReviewListFilter; label: string }[] = [
  { status: 'open', label: 'Open' },
  { status: 'closed', label: 'Closed' },
  { status: 'all', label: 'All' },
];

export const DECISION_LABELS: Record<ReviewDecision, string> = {
  pending: 'Pending',
  keep: 'Kept',
  change_role: 'Role changed',
  suspend: 'Suspended',
};

export const KIND_LABELS: Record<string, string> = { campaign: 'Campaign', break_glass: 'Break-glass review' };

/**
 * The campaigns list's filter lives in the URL: `?reviews=closed&reviewsPage=2`
 * (prefixed, so it can share /access with other lists).
 */
export const REVIEW_LIST_PARAMS = { status: 'reviews', page: 'reviewsPage' } as const;

/** The campaign list's link for a tab or page; `keep` carries the page's other parameters (e.g. /access's `days`). */
export function reviewListHref(basePath: string, status: ReviewListFilter, page = 1, keep: Record<string, string> = {}): string {
  const q = new URLSearchParams(keep);
  if (status !== 'open') q.set(REVIEW_LIST_PARAMS.status, status);
  if (page > 1) q.set(REVIEW_LIST_PARAMS.page, String(page));
  const s = q.toString();
  return s ? `${basePath}?${s}` : basePath;
}

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
