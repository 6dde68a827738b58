import { showControlCharacters } from '@/lib/audit/display';

function text(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Before/after of the target as the event recorded it, field by field, with what changed marked. */
export function ChangeSummary({ details }: { details: Record<string, unknown> }) {
  const before = isRecord(details.before) ? details.before : null;
  const after = isRecord(details.after) ? details.after : null;
  if (!before && !after) return null;
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort();
  return (
    <div className="mt-4 border-t border-slate-100 pt-4" data-testid="change-summary">
      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Before and after</h3>
      <table className="mt-2 min-w-full text-sm">
        <caption className="sr-only">Fields of the target before and after the change</caption>
        <thead className="text-left text-xs text-slate-500">
          <tr>
            <th scope="col" className="py-1 pr-4 font-medium">
              Field
            </th>
            <th scope="col" className="py-1 pr-4 font-medium">
              Before
            </th>
            <th scope="col" className="py-1 font-medium">
              After
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {fields.map((f) => {
            const b = text(before?.[f]);
            const a = text(after?.[f]);
            const changed = b !== a;
            return (
              <tr key={f} className={changed ? 'bg-amber-50' : undefined}>
                <th scope="row" className="py-1 pr-4 text-left font-mono text-xs font-normal text-slate-600">
                  {showControlCharacters(f)}
                </th>
                <td className="py-1 pr-4 font-mono text-xs">{showControlCharacters(b)}</td>
                <td className="py-1 font-mono text-xs">
                  {showControlCharacters(a)}
                  {changed ? <span className="sr-only"> (changed)</span> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
