import { computeMatrix, computeReadMatrix, MATRIX_PRINCIPALS, scopesFor, type MatrixCell } from '@/policies/matrix';
import { OPERATIONS, type OperationDefinition } from '@/policies/operations';
import { DecisionCell } from './decision-cell';

// Fixed layout with the same column widths in every table, so the callers line up down the page.
const table = 'min-w-[60rem] w-full table-fixed divide-y divide-slate-200 text-sm';
const headCell = 'px-3 py-2 text-left text-xs font-semibold tracking-wide text-slate-600';

function PrincipalHeaders() {
  return (
    <>
      {MATRIX_PRINCIPALS.map((p) => (
        <th key={p} scope="col" className={headCell}>
          {p}
        </th>
      ))}
    </>
  );
}

/** One table per operation of the catalog: scope × caller → decision, with the rule that decided. */
export function OperationTables() {
  const cells = new Map<string, MatrixCell>(computeMatrix().map((c) => [`${c.op}|${c.scope}|${c.principal}`, c]));
  return (
    <div className="space-y-6">
      {(Object.values(OPERATIONS) as OperationDefinition[]).map((op) => (
        <div key={op.id} id={op.id} className="scroll-mt-6 overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
          <table className={table} data-testid="matrix-operation" data-op={op.id}>
            <caption className="px-4 pt-3 pb-2 text-left">
              <span className="font-mono text-sm font-semibold text-slate-900">{op.id}</span>
              <span className="text-sm text-slate-700"> — {op.description}</span>
              <span className="mt-1 block text-xs text-slate-500">
                Risk: {op.risk} · Step-up: {op.stepUp ? 'yes' : 'no'} · Reason: {op.reason} · Approval: {op.approval} · Ability:{' '}
                {op.ability ? `${op.ability[0]} on ${op.ability[1]}` : 'none (public)'}
              </span>
            </caption>
            <colgroup>
              <col className="w-64" />
            </colgroup>
            <thead className="bg-slate-50">
              <tr>
                <th scope="col" className={headCell}>
                  Scope
                </th>
                <PrincipalHeaders />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {scopesFor(op).map((scope) => (
                <tr key={scope.name}>
                  <th scope="row" className="px-3 py-1.5 text-left text-xs font-normal text-slate-800">
                    {scope.name}
                  </th>
                  {MATRIX_PRINCIPALS.map((p) => {
                    const cell = cells.get(`${op.id}|${scope.name}|${p}`);
                    return <DecisionCell key={p} decision={cell?.decision ?? 'deny'} rule={cell?.rule} />;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}

/** Read access (and configuration tiers), which no operation covers but every list and page depends on. */
export function ReadAccessTable() {
  return (
    <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      <table className={table}>
        <caption className="sr-only">Read access by caller</caption>
        <colgroup>
          <col className="w-36" />
          <col className="w-56" />
        </colgroup>
        <thead className="bg-slate-50">
          <tr>
            <th scope="col" className={headCell}>
              Ability
            </th>
            <th scope="col" className={headCell}>
              Scope
            </th>
            <PrincipalHeaders />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {computeReadMatrix().map((r) => (
            <tr key={`${r.action}|${r.subject}|${r.scope}`}>
              <td className="px-3 py-1.5 font-mono text-xs break-words">
                {r.action} {r.subject}
              </td>
              <th scope="row" className="px-3 py-1.5 text-left text-xs font-normal text-slate-800">
                {r.scope}
              </th>
              {MATRIX_PRINCIPALS.map((p) => (
                <DecisionCell key={p} decision={r.decisions[p]} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
