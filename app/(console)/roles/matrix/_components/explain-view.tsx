import Link from 'next/link';
import type { CellExplanation } from '@/policies/explorer';
import { scopesFor, MATRIX_PRINCIPALS, type MatrixPrincipal } from '@/policies/matrix';
import { signatureRequired, type OperationDefinition } from '@/policies/operations';
import { DecisionBadge, DecisionCell } from './decision-cell';
import { explainHref, explorerHref } from './explorer-href';

const field =
  'mt-1 block w-full rounded-md border-0 px-2.5 py-1.5 text-sm text-slate-900 ring-1 ring-slate-300 focus:ring-2 focus:ring-indigo-600';

/** Picks a cell: operation and caller in a GET form, then the operation's scopes as links. */
export function ExplainPicker({
  ops,
  op,
  principal,
}: {
  ops: OperationDefinition[];
  op: OperationDefinition | null;
  principal: MatrixPrincipal;
}) {
  return (
    <section aria-labelledby="explain-pick" className="mb-6 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
      <h2 id="explain-pick" className="mb-3 text-sm font-semibold text-slate-900">
        Choose a cell to explain
      </h2>
      <form method="get" action="/roles/matrix" className="grid gap-3 sm:grid-cols-3">
        <input type="hidden" name="view" value="explain" />
        <label className="block text-sm font-medium text-slate-700 sm:col-span-2">
          Operation
          <select name="op" defaultValue={op?.id ?? ''} className={field} required>
            <option value="" disabled>
              Choose an operation
            </option>
            {ops.map((o) => (
              <option key={o.id} value={o.id}>
                {o.id}
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm font-medium text-slate-700">
          Caller
          <select name="principal" defaultValue={principal} className={field}>
            {MATRIX_PRINCIPALS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <div>
          <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500">
            Apply
          </button>
        </div>
      </form>
      {op ? (
        <div className="mt-4">
          <h3 className="text-sm font-medium text-slate-900">Scopes of {op.id}</h3>
          <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-sm">
            {scopesFor(op).map((s) => (
              <li key={s.name}>
                <Link href={explainHref(op.id, s.name, principal)} className="text-indigo-700 hover:underline">
                  {s.name}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

function Row({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <div className="grid gap-1 py-2 sm:grid-cols-4">
      <dt className="text-sm font-medium text-slate-600">{term}</dt>
      <dd className="text-sm text-slate-900 sm:col-span-3">{children}</dd>
    </div>
  );
}

/** One cell explained: the decision, the rule that decided and what it says, and what the catalog demands. */
export function ExplainView({ cell }: { cell: CellExplanation }) {
  const { op, explanation } = cell;
  return (
    <section aria-labelledby="explain-title" className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200" data-testid="explain-cell">
      <h2 id="explain-title" className="text-lg font-semibold text-slate-900">
        <span className="font-mono">{op.id}</span> on {cell.scope}, for {cell.principal}
      </h2>
      <p className="mt-1 text-sm text-slate-600">{op.description}.</p>
      <dl className="mt-4 divide-y divide-slate-100">
        <Row term="Decision">
          <DecisionBadge decision={cell.decision} /> <span className="ml-2">{cell.summary}</span>
        </Row>
        <Row term="Rule that decided">
          <code className="font-mono" data-testid="explain-rule">
            {cell.rule}
          </code>
          {explanation?.text ? <p className="mt-1 text-slate-700">{explanation.text}</p> : null}
          {explanation?.rule ? (
            <div className="mt-1 text-slate-700">
              <p>
                {explanation.rule.inverted ? 'Refuses' : 'Allows'} <code className="font-mono">{explanation.rule.actions.join(', ')}</code>{' '}
                on <code className="font-mono">{explanation.rule.subject}</code>
                {explanation.rule.conditions ? ' where:' : ' (no conditions).'}
              </p>
              {explanation.rule.conditions ? (
                <pre className="mt-1 overflow-x-auto rounded bg-slate-50 p-2 font-mono text-xs">
                  {JSON.stringify(explanation.rule.conditions, null, 2)}
                </pre>
              ) : null}
              <p className="mt-1 text-xs text-slate-500">&lt;actor&gt; is the caller’s own id.</p>
            </div>
          ) : null}
        </Row>
        <Row term="Ability checked">{op.ability ? `${op.ability[0]} on ${op.ability[1]}` : 'none (public)'}</Row>
        <Row term="Risk">{op.risk}</Row>
        <Row term="Step-up">
          {!cell.demands.stepUp
            ? 'no'
            : signatureRequired(op)
              ? 'yes: a passkey signature over this exact operation and input (critical: an authenticator code is not accepted), kept in the audit event'
              : 'yes: a fresh passkey or authenticator-code proof bound to this operation and input'}
        </Row>
        <Row term="Reason">{cell.demands.reason === 'required' ? 'required (free text or a ticket reference)' : cell.demands.reason}</Row>
        <Row term="Two-person">
          {cell.demands.approval === 'two-person'
            ? `yes: a second person who may ${cell.demands.approver ?? 'act on the same record'}, other than the requester and the beneficiary, must approve`
            : 'no'}
        </Row>
      </dl>
      <div className="mt-4 overflow-x-auto">
        <table className="w-full table-fixed divide-y divide-slate-200 text-sm">
          <caption className="mb-2 text-left text-sm font-medium text-slate-900">The same scope for every caller</caption>
          <thead className="bg-slate-50">
            <tr>
              {cell.row.map((r) => (
                <th key={r.principal} scope="col" className="px-3 py-2 text-left text-xs font-semibold text-slate-600">
                  {r.principal}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              {cell.row.map((r) => (
                <DecisionCell
                  key={r.principal}
                  decision={r.decision}
                  rule={r.rule}
                  href={explainHref(op.id, cell.scope, r.principal)}
                  label={`${r.decision}: explain for ${r.principal}`}
                />
              ))}
            </tr>
          </tbody>
        </table>
      </div>
      <p className="mt-4 text-sm">
        <Link href={explorerHref({ q: op.id })} className="text-indigo-700 hover:underline">
          Every scope of {op.id}
        </Link>
      </p>
    </section>
  );
}
