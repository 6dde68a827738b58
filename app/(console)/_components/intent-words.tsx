import { showControlCharacters as shown } from '@/lib/audit/display';
import type { IntentWords } from '@/lib/audit/intent-words';

/**
 * A signed intent in words (issue 13): the operation, what it acts on, the exact
 * input and the expiry. The step-up dialog shows it while the passkey signs; the
 * audit event detail shows the same list next to the verified signature.
 * Everything is user-supplied or recorded data: rendered as text only.
 */
export function IntentWordsList({ words }: { words: IntentWords }) {
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs" data-testid="intent-words">
      <dt className="font-medium text-slate-500">Operation</dt>
      <dd className="text-slate-900">
        {words.description} <span className="font-mono text-slate-500">({shown(words.operation)})</span>
      </dd>
      <dt className="font-medium text-slate-500">Acts on</dt>
      <dd className="break-all font-mono text-slate-900">{words.targets.length > 0 ? shown(words.targets.join(', ')) : '—'}</dd>
      {words.approvalIds.length > 0 ? (
        <>
          <dt className="font-medium text-slate-500">Decides request</dt>
          <dd className="break-all font-mono text-slate-900">{shown(words.approvalIds.join(', '))}</dd>
        </>
      ) : null}
      {words.fields.map((f) => (
        <FieldRow key={f.name} name={f.name} value={f.value} />
      ))}
      <dt className="font-medium text-slate-500">Valid until</dt>
      <dd className="font-mono text-slate-900">{words.expiresAt ? `${shown(words.expiresAt.slice(0, 19).replace('T', ' '))} UTC` : '—'}</dd>
    </dl>
  );
}

function FieldRow({ name, value }: { name: string; value: string }) {
  return (
    <>
      <dt className="font-mono text-slate-500">{shown(name)}</dt>
      <dd className="whitespace-pre-wrap break-all text-slate-900">{shown(value)}</dd>
    </>
  );
}
