import Link from 'next/link';

/** Previous/next links that keep the current filters in the URL (shareable). */
export function Pagination({
  basePath,
  params,
  page,
  pageSize,
  total,
}: {
  basePath: string;
  params: Record<string, string | undefined>;
  page: number;
  pageSize: number;
  total: number;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const href = (p: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
    q.set('page', String(p));
    return `${basePath}?${q.toString()}`;
  };
  const from = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  return (
    <nav aria-label="Pagination" className="flex items-center justify-between px-4 py-3 text-sm text-slate-600">
      <p>
        Showing <span className="font-medium tabular-nums">{from}</span>–<span className="font-medium tabular-nums">{to}</span> of{' '}
        <span className="font-medium tabular-nums">{total}</span>
      </p>
      <div className="flex gap-2">
        {page > 1 ? (
          <Link className="rounded-md px-3 py-1.5 ring-1 ring-slate-300 hover:bg-slate-50" href={href(page - 1)} rel="prev">
            Previous
          </Link>
        ) : null}
        <span className="px-2 py-1.5 tabular-nums">
          Page {page} of {pages}
        </span>
        {page < pages ? (
          <Link className="rounded-md px-3 py-1.5 ring-1 ring-slate-300 hover:bg-slate-50" href={href(page + 1)} rel="next">
            Next
          </Link>
        ) : null}
      </div>
    </nav>
  );
}
