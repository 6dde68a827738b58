import type { RoleUsageDTO } from '@/lib/dal/usage';
import { ROLE_LABELS } from './usage-format';

const BAR_H = 18;
const GAP = 14;
const LABEL_W = 120;
const CHART_W = 520;

/**
 * Granted vs used privileges per role, as horizontal bars (pure SVG). The SVG is
 * decorative for assistive technology: the same numbers are in the table under
 * it (visually hidden) and in each role's card.
 */
export function UsageChart({ roles, days }: { roles: RoleUsageDTO[]; days: number }) {
  const max = Math.max(1, ...roles.map((r) => r.privileges));
  const scale = (n: number) => (n / max) * (CHART_W - LABEL_W - 60);
  const height = roles.length * (BAR_H * 2 + GAP) + 8;
  return (
    <figure className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200" aria-labelledby="usage-chart-caption">
      <figcaption id="usage-chart-caption" className="text-sm font-medium text-slate-900">
        Privileges granted and used in the last {days} days, per role
      </figcaption>
      <div className="mt-2 flex gap-4 text-xs text-slate-600" aria-hidden="true">
        <span className="inline-flex items-center gap-1">
          <span className="inline-block h-2.5 w-2.5 rounded-sm bg-slate-300" /> Granted
        </span>
        <span className="inline-flex items-center gap-1">
          <span className="inline-block h-2.5 w-2.5 rounded-sm bg-indigo-600" /> Used by someone holding the role
        </span>
      </div>
      <svg
        viewBox={`0 0 ${CHART_W} ${height}`}
        className="mt-2 w-full max-w-2xl"
        aria-hidden="true"
        focusable="false"
        data-testid="usage-chart"
      >
        {roles.map((r, i) => {
          const y = 4 + i * (BAR_H * 2 + GAP);
          return (
            <g key={r.role}>
              <text x={0} y={y + BAR_H} className="fill-slate-700 text-[12px]">
                {ROLE_LABELS[r.role] ?? r.role}
              </text>
              <rect x={LABEL_W} y={y} width={Math.max(2, scale(r.privileges))} height={BAR_H - 2} rx={3} className="fill-slate-300" />
              <text x={LABEL_W + scale(r.privileges) + 6} y={y + BAR_H - 5} className="fill-slate-600 text-[11px]">
                {r.privileges}
              </text>
              <rect
                x={LABEL_W}
                y={y + BAR_H}
                width={Math.max(r.usedInWindow ? 2 : 0, scale(r.usedInWindow))}
                height={BAR_H - 2}
                rx={3}
                className="fill-indigo-600"
              />
              <text x={LABEL_W + scale(r.usedInWindow) + 6} y={y + 2 * BAR_H - 5} className="fill-slate-600 text-[11px]">
                {r.usedInWindow}
              </text>
            </g>
          );
        })}
      </svg>
      <table className="sr-only">
        <caption>Privileges granted and used in the last {days} days, per role</caption>
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Granted</th>
            <th scope="col">Used</th>
          </tr>
        </thead>
        <tbody>
          {roles.map((r) => (
            <tr key={r.role}>
              <th scope="row">{ROLE_LABELS[r.role] ?? r.role}</th>
              <td>{r.privileges}</td>
              <td>{r.usedInWindow}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
