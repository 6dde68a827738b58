/** Shown while an audit page loads; also where a link prefetch stops, so a prefetch never renders (and audits) a view. */
export default function Loading() {
  return (
    <div role="status" aria-live="polite" className="rounded-xl bg-white p-8 text-sm text-slate-500 shadow-sm ring-1 ring-slate-200">
      Loading the audit trail…
    </div>
  );
}
