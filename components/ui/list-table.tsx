import { Children, type ReactNode } from 'react';

/**
 * The console's list table: a screen-reader caption, a header row, and the rows
 * given as children — or, when there are none, one full-width row with `empty`.
 */
export function ListTable({
  caption,
  headers,
  empty,
  children,
}: {
  caption: string;
  headers: readonly string[];
  empty: ReactNode;
  children?: ReactNode;
}) {
  const rows = Children.toArray(children);
  return (
    <table className="min-w-full divide-y divide-slate-200 text-sm">
      <caption className="sr-only">{caption}</caption>
      <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
        <tr>
          {headers.map((h) => (
            <th key={h} scope="col" className="px-3 py-3">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.length === 0 ? (
          <tr>
            <td colSpan={headers.length} className="px-4 py-10 text-center text-slate-500">
              {empty}
            </td>
          </tr>
        ) : (
          rows
        )}
      </tbody>
    </table>
  );
}
