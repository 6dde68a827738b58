const EXPORT_PATH = '/api/audit/events/export';

/** The export route's URL for a format and the current filter's params. */
function exportHref(format: 'csv' | 'jsonl', params: string): string {
  const query = new URLSearchParams(params);
  query.delete('format');
  query.set('format', format);
  return `${EXPORT_PATH}?${query.toString()}`;
}

const LINK =
  'inline-flex items-center rounded-md bg-white px-3 py-1.5 text-sm font-semibold text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50';

/**
 * Downloads of the events the browser's filter matches (GET /api/audit/events/export,
 * audited as audit.export_events). `params` is `auditFilterParams(filter).toString()`,
 * so the export is exactly the filter on screen. Plain links: the server decides
 * what the viewer may export, and a viewer without the capability gets 404.
 */
export function ExportEvents({ params }: { params: string }) {
  return (
    <section aria-label="Export events" className="mb-4 flex flex-wrap items-center gap-3">
      <a href={exportHref('csv', params)} download className={LINK}>
        Export CSV
      </a>
      <a href={exportHref('jsonl', params)} download className={LINK}>
        Export JSON Lines
      </a>
      <p className="text-xs text-slate-600">
        Exports the events matching these filters, oldest first, up to the newest event now; the download is recorded in the trail.
      </p>
    </section>
  );
}
