import { type CellIndex } from '@/policies/explorer';
import { computeReadMatrix, scopesFor, type MatrixPrincipal } from '@/policies/matrix';
import { signatureRequired, type OperationDefinition } from '@/policies/operations';
import { DecisionCell } from './decision-cell';
import { explainHref } from './explorer-href';

// Fixed layout with the same column widths in every table, so the callers line up down the page.
const tableClass = (columns: number) => `${columns > 2 ? 'min-w-[60rem]' : ''} w-full table-fixed divide-y divide-slate-200 text-sm`;
const headCell = 'px-3 py-2 text-left text-xs font-semibold tracking-wide text-slate-600';

function PrincipalHeaders({ principals }: { principals: readonly MatrixPrincipal[] }) {
  return (
    <>
      {principals.map((p) => (
        <th key={p} scope="col" className={headCell}>
          {p}
        </th>
      ))}
    </>
  );
}

/**
 * One collapsible table per operation: scope × caller → decision, with the rule
 * that decided (hover) and a link to the explanation of each cell.
 */
export function OperationTables({
  ops,
  cells,
  principals,
}: {
  ops: OperationDefinition[];
  cells: CellIndex;
  principals: readonly MatrixPrincipal[];
}) {
  return (
    <div className="space-y-4">
      {ops.map((op) => (
        <details key={op.id} id={op.id} open className="group scroll-mt-6 rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
          <summary className="cursor-pointer list-none px-4 py-3 marker:hidden">
            <span aria-hidden="true" className="mr-2 inline-block text-slate-400 transition-transform group-open:rotate-90">
              ▸
            </span>
            <span className="font-mono text-sm font-semibold text-slate-900">{op.id}</span>
            <span className="text-sm text-slate-700"> — {op.description}</span>
            <span className="mt-1 block pl-5 text-xs text-slate-500">
              Risk: {op.risk} · Step-up: {signatureRequired(op) ? 'yes, signed with a passkey' : op.stepUp ? 'yes' : 'no'} · Reason:{' '}
              {op.reason} · Approval: {op.approval} · Ability: {op.ability ? `${op.ability[0]} on ${op.ability[1]}` : 'none (public)'}
            </span>
          </summary>
          <div className="overflow-x-auto border-t border-slate-100">
            <table className={tableClass(principals.length)} data-testid="matrix-operation" data-op={op.id}>
              <caption className="sr-only">{op.id}: decision by scope and caller</caption>
              <colgroup>
                <col className="w-64" />
              </colgroup>
              <thead className="bg-slate-50">
                <tr>
                  <th scope="col" className={headCell}>
                    Scope
                  </th>
                  <PrincipalHeaders principals={principals} />
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {scopesFor(op).map((scope) => (
                  <tr key={scope.name}>
                    <th scope="row" className="px-3 py-1.5 text-left text-xs font-normal text-slate-800">
                      {scope.name}
                    </th>
                    {principals.map((p) => {
                      const cell = cells.get(`${op.id}|${scope.name}|${p}`);
                      return (
                        <DecisionCell
                          key={p}
                          decision={cell?.decision ?? 'deny'}
                          rule={cell?.rule}
                          href={explainHref(op.id, scope.name, p)}
                          label={`${cell?.decision ?? 'deny'}: explain ${op.id} on ${scope.name} for ${p}`}
                        />
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      ))}
    </div>
  );
}

/** Read access (and configuration tiers), which no operation covers but every list and page depends on. */
export function ReadAccessTable({ principals }: { principals: readonly MatrixPrincipal[] }) {
  return (
    <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      <table className={tableClass(principals.length + 1)}>
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
            <PrincipalHeaders principals={principals} />
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
              {principals.map((p) => (
                <DecisionCell key={p} decision={r.decisions[p]} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
