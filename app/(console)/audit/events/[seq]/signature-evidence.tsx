import { Badge } from '@/components/ui/badge';
import { showControlCharacters as shown } from '@/lib/audit/display';
import type { EventSignatureDTO } from '@/lib/dal/audit-signature';
import { IntentWordsList } from '../../../_components/intent-words';

/**
 * The user signature of an event (issue 13): "Signed by <passkey> of <user> —
 * signature verified" with the signed intent in words; a step-up by authenticator
 * code (no signature); or a signature that does not verify, with why.
 */
export function SignatureEvidence({ signature }: { signature: EventSignatureDTO | null }) {
  if (!signature || signature.status === 'none') {
    return <span className="text-xs text-slate-500">None: no step-up with a passkey was recorded for this event.</span>;
  }
  if (signature.status === 'code') {
    return (
      <span className="text-xs text-slate-700" data-testid="event-signature">
        Step-up by authenticator code (no user signature).
      </span>
    );
  }
  if (signature.status === 'invalid') {
    return (
      <div className="space-y-2" data-testid="event-signature">
        <p className="text-xs text-red-800">
          <Badge tone="red">signature not valid</Badge> {shown(signature.message)} ({signature.problem}).
        </p>
        {signature.words ? <IntentWordsList words={signature.words} /> : null}
      </div>
    );
  }
  return (
    <div className="space-y-2" data-testid="event-signature">
      <p className="text-xs text-slate-800">
        Signed by passkey “{shown(signature.passkeyName)}” of {shown(signature.userName ?? signature.userId)} —{' '}
        <Badge tone="green">signature verified</Badge>
      </p>
      {signature.words ? (
        <details className="text-xs">
          <summary className="cursor-pointer text-indigo-700">What was signed</summary>
          <div className="mt-2 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200">
            <IntentWordsList words={signature.words} />
          </div>
        </details>
      ) : null}
    </div>
  );
}
