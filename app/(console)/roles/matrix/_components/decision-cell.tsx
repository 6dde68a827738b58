import Link from 'next/link';
import type { MatrixDecision } from '@/policies/matrix';

export const DECISION_STYLES: Record<MatrixDecision, string> = {
  allow: 'bg-green-50 text-green-800',
  'step-up': 'bg-amber-50 text-amber-900',
  approval: 'bg-violet-50 text-violet-800',
  deny: 'bg-slate-50 text-slate-500',
};

export const DECISION_SYMBOLS: Record<MatrixDecision, string> = { allow: '✓', 'step-up': '↑', approval: '⇄', deny: '✕' };

/** A decision as a small badge: the word is always there, the colour and symbol only repeat it (WCAG 1.4.1). */
export function DecisionBadge({ decision }: { decision: MatrixDecision }) {
  return (
    <span className={`inline-block rounded px-2 py-0.5 text-xs font-medium whitespace-nowrap ${DECISION_STYLES[decision]}`}>
      <span aria-hidden="true" className="mr-1">
        {DECISION_SYMBOLS[decision]}
      </span>
      {decision}
    </span>
  );
}

/**
 * One decision in a table cell. With `href`, the word links to the Explain view
 * of the cell (`label` says which cell, for screen readers).
 */
export function DecisionCell({ decision, rule, href, label }: { decision: MatrixDecision; rule?: string; href?: string; label?: string }) {
  const content = (
    <>
      <span aria-hidden="true" className="mr-1">
        {DECISION_SYMBOLS[decision]}
      </span>
      {decision}
    </>
  );
  return (
    <td
      className={`px-3 py-1.5 text-xs font-medium whitespace-nowrap ${DECISION_STYLES[decision]}`}
      title={rule ? `Rule: ${rule}` : undefined}
    >
      {href ? (
        <Link href={href} aria-label={label} className="underline decoration-dotted underline-offset-2 hover:decoration-solid">
          {content}
        </Link>
      ) : (
        content
      )}
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
          <dt className={`shrink-0 rounded px-2 py-0.5 text-xs font-medium ${DECISION_STYLES[d]}`}>
            <span aria-hidden="true" className="mr-1">
              {DECISION_SYMBOLS[d]}
            </span>
            {d}
          </dt>
          <dd className="text-slate-700">{text}</dd>
        </div>
      ))}
    </dl>
  );
}
