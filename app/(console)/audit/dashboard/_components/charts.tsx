import Link from 'next/link';
import type { ReactNode } from 'react';
import { showControlCharacters } from '@/lib/audit/display';

/** One coloured series or segment; `href` drills down to exactly the events it counts. */
export interface ChartSeries {
  key: string;
  label: string;
  color: string;
  values: number[];
  href?: (index: number) => string | undefined;
}

const fmt = new Intl.NumberFormat('en-US');
const W = 640;
const H = 180;
const PAD = { left: 40, right: 8, top: 8, bottom: 22 };

function Legend({ items }: { items: { key: string; label: string; color: string }[] }) {
  return (
    <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700" aria-label="Legend">
      {items.map((s) => (
        <li key={s.key} className="flex items-center gap-1.5">
          <span aria-hidden="true" className="inline-block size-2.5 rounded-sm" style={{ backgroundColor: s.color }} />
          {showControlCharacters(s.label)}
        </li>
      ))}
    </ul>
  );
}

function Cell({ value, href }: { value: number; href?: string }) {
  if (!href || value === 0) return <td className="px-2 py-1 text-right tabular-nums">{fmt.format(value)}</td>;
  return (
    <td className="px-2 py-1 text-right tabular-nums">
      <Link href={href} prefetch={false} className="text-indigo-700 underline-offset-2 hover:underline">
        {fmt.format(value)}
      </Link>
    </td>
  );
}

function DataTable({ caption, head, children }: { caption: string; head: string[]; children: ReactNode }) {
  return (
    <details className="mt-3 text-sm">
      <summary className="cursor-pointer text-xs font-medium text-indigo-700 hover:text-indigo-600">Show data table</summary>
      <div className="mt-2 max-h-72 overflow-auto rounded-md ring-1 ring-slate-200">
        <table className="min-w-full text-xs">
          <caption className="sr-only">{caption}</caption>
          <thead className="sticky top-0 bg-slate-50 text-slate-600">
            <tr>
              {head.map((h, i) => (
                <th key={h} scope="col" className={`px-2 py-1 font-medium ${i === 0 ? 'text-left' : 'text-right'}`}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 text-slate-800">{children}</tbody>
        </table>
      </div>
    </details>
  );
}

/** Stacked bars over time, with the same numbers (and drill-down links) in a table behind it. */
export function TimeChart({
  caption,
  summary,
  labels,
  series,
  totalHref,
}: {
  caption: string;
  summary: string;
  labels: string[];
  series: ChartSeries[];
  totalHref?: (index: number) => string | undefined;
}) {
  const totals = labels.map((_, i) => series.reduce((a, s) => a + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, labels.length);
  const barW = Math.max(1, step * 0.78);
  const ticks = [0, Math.floor(labels.length / 2), labels.length - 1].filter((v, i, a) => v >= 0 && a.indexOf(v) === i);
  return (
    <figure>
      <figcaption className="sr-only">{caption}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} className="h-auto w-full">
        <line x1={PAD.left} x2={W - PAD.right} y1={PAD.top + plotH} y2={PAD.top + plotH} stroke="#94a3b8" />
        <line x1={PAD.left} x2={W - PAD.right} y1={PAD.top} y2={PAD.top} stroke="#e2e8f0" strokeDasharray="3 3" />
        <text x={PAD.left - 4} y={PAD.top + 4} textAnchor="end" fontSize="10" fill="#475569">
          {fmt.format(max)}
        </text>
        <text x={PAD.left - 4} y={PAD.top + plotH} textAnchor="end" fontSize="10" fill="#475569">
          0
        </text>
        {labels.map((label, i) => {
          let y = PAD.top + plotH;
          const x = PAD.left + i * step + (step - barW) / 2;
          return (
            <g key={i}>
              {series.map((s) => {
                const v = s.values[i] ?? 0;
                if (v === 0) return null;
                const h = (v / max) * plotH;
                y -= h;
                const rect = (
                  <rect x={x} y={y} width={barW} height={h} fill={s.color}>
                    <title>{`${label} · ${s.label}: ${fmt.format(v)}`}</title>
                  </rect>
                );
                const href = s.href?.(i);
                return href ? (
                  <a key={s.key} href={href} tabIndex={-1}>
                    {rect}
                  </a>
                ) : (
                  <g key={s.key}>{rect}</g>
                );
              })}
            </g>
          );
        })}
        {ticks.map((i) => (
          <text key={i} x={PAD.left + i * step + step / 2} y={H - 6} textAnchor="middle" fontSize="10" fill="#475569">
            {labels[i]}
          </text>
        ))}
      </svg>
      {series.length > 1 ? <Legend items={series} /> : null}
      <DataTable caption={caption} head={['Period', ...series.map((s) => showControlCharacters(s.label)), 'Total']}>
        {labels.map((label, i) => (
          <tr key={i}>
            <th scope="row" className="px-2 py-1 text-left font-normal whitespace-nowrap">
              {label}
            </th>
            {series.map((s) => (
              <Cell key={s.key} value={s.values[i] ?? 0} href={s.href?.(i)} />
            ))}
            <Cell value={totals[i] ?? 0} href={totalHref?.(i)} />
          </tr>
        ))}
      </DataTable>
    </figure>
  );
}

/** One category row of a horizontal bar chart: stacked segments (e.g. by outcome). */
export interface BarRow {
  key: string;
  label: string;
  href?: string;
  segments: { key: string; label: string; color: string; value: number; href?: string }[];
}

/** Horizontal bars for categories, with a table of the same numbers behind it. */
export function BarChart({
  caption,
  summary,
  rows,
  legend,
}: {
  caption: string;
  summary: string;
  rows: BarRow[];
  legend?: { key: string; label: string; color: string }[];
}) {
  const totals = rows.map((r) => r.segments.reduce((a, s) => a + s.value, 0));
  const max = Math.max(1, ...totals);
  const labelW = 190;
  const rowH = 24;
  const height = Math.max(rowH, rows.length * rowH);
  const barSpace = W - labelW - 56;
  const segmentKeys = legend ?? rows[0]?.segments.map((s) => ({ key: s.key, label: s.label, color: s.color })) ?? [];
  return (
    <figure>
      <figcaption className="sr-only">{caption}</figcaption>
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-label={summary} className="h-auto w-full">
        {rows.map((r, i) => {
          let x = labelW;
          const y = i * rowH + 4;
          return (
            <g key={r.key}>
              <text x={labelW - 8} y={y + 12} textAnchor="end" fontSize="11" fill="#334155">
                {showControlCharacters(r.label).slice(0, 30)}
              </text>
              {r.segments.map((s) => {
                if (s.value === 0) return null;
                const w = (s.value / max) * barSpace;
                const rect = (
                  <rect x={x} y={y} width={w} height={rowH - 8} rx={2} fill={s.color}>
                    <title>{`${showControlCharacters(r.label)} · ${s.label}: ${fmt.format(s.value)}`}</title>
                  </rect>
                );
                x += w;
                return s.href ? (
                  <a key={s.key} href={s.href} tabIndex={-1}>
                    {rect}
                  </a>
                ) : (
                  <g key={s.key}>{rect}</g>
                );
              })}
              <text x={x + 6} y={y + 12} fontSize="11" fill="#334155">
                {fmt.format(totals[i] ?? 0)}
              </text>
            </g>
          );
        })}
      </svg>
      {segmentKeys.length > 1 ? <Legend items={segmentKeys} /> : null}
      <DataTable caption={caption} head={['', ...(segmentKeys.length > 1 ? segmentKeys.map((s) => s.label) : []), 'Total']}>
        {rows.map((r, i) => (
          <tr key={r.key}>
            <th scope="row" className="px-2 py-1 text-left font-normal">
              {showControlCharacters(r.label)}
            </th>
            {segmentKeys.length > 1
              ? segmentKeys.map((k) => {
                  const s = r.segments.find((x) => x.key === k.key);
                  return <Cell key={k.key} value={s?.value ?? 0} href={s?.href} />;
                })
              : null}
            <Cell value={totals[i] ?? 0} href={r.href} />
          </tr>
        ))}
      </DataTable>
    </figure>
  );
}
