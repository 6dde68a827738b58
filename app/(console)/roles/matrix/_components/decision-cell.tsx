import type { MatrixDecision } from '@/policies/matrix';

const STYLES: Record<MatrixDecision, string> = {
  allow: 'bg-green-50 text-green-800',
  'step-up': 'bg-amber-50 text-amber-900',
  approval: 'bg-violet-50 text-violet-800',
  deny: 'bg-slate-50 text-slate-500',
};

const SYMBOLS: Record<MatrixDecision, string> = { allow: '✓', 'step-up': '↑', approval: '⇄', deny: '✕' };

/** One decision: the word is always there, the colour and symbol only repeat it (WCAG 1.4.1). */
export function DecisionCell({ decision, rule }: { decision: MatrixDecision; rule?: string }) {
  return (
    <td className={`px-3 py-1.5 text-xs font-medium whitespace-nowrap ${STYLES[decision]}`} title={rule ? `Rule: ${rule}` : undefined}>
      <span aria-hidden="true" className="mr-1">
        {SYMBOLS[decision]}
      </span>
      {decision}
    </td>
  );
}

/** The legend: what each decision means. */
export function DecisionLegend() {
  const items: [MatrixDecision, string][] = [
    ['allow', 'permitted'],
    ['step-up', 'permitted after a fresh passkey or authenticator-code confirmation bound to this exact operation and input'],
    ['approval', 'permitted only with a second person’s approval'],
    ['deny', 'refused (shown as “not found” where the record exists)'],
  ];
  return (
    <dl className="grid gap-2 text-sm sm:grid-cols-2">
      {items.map(([d, text]) => (
        <div key={d} className="flex items-start gap-2">
          <dt className={`shrink-0 rounded px-2 py-0.5 text-xs font-medium ${STYLES[d]}`}>
            <span aria-hidden="true" className="mr-1">
              {SYMBOLS[d]}
            </span>
            {d}
          </dt>
          <dd className="text-slate-700">{text}</dd>
        </div>
      ))}
    </dl>
  );
}
