import { Badge } from '@/components/ui/badge';
import { Time } from '@/components/ui/time';
import type { AuditIntegritySummaryDTO } from '@/lib/dal/audit-integrity';
import type { WitnessSummaryDTO } from '@/lib/dal/witnesses';
import { relativeTime } from '@/components/ui/relative-time';

/**
 * Read-only integrity panel of the audit page: the newest signed checkpoint and how
 * much of the trail it covers. It states its own limit: the full verification is
 * `npm run audit:verify` (or the standalone verifier on an export), with pinned keys.
 */
export function IntegrityStatus({
  summary,
  witness = null,
  witnessKeys = 0,
}: {
  summary: AuditIntegritySummaryDTO;
  /** The newest checkpoint that carries a witness cosignature (lib/dal/witnesses.ts). */
  witness?: WitnessSummaryDTO['latestWitnessed'];
  /** How many unrevoked witness keys are registered. */
  witnessKeys?: number;
}) {
  const at = new Date();
  const { head, checkpoint, eventsSinceCheckpoint, externalLogSeq } = summary;
  const healthy = checkpoint !== null && checkpoint.isSignatureValid && checkpoint.isMatchingEvent;
  return (
    <section
      aria-labelledby="integrity-heading"
      className="mb-4 rounded-xl bg-white p-4 text-sm shadow-sm ring-1 ring-slate-200"
      data-testid="integrity-status"
    >
      <h2 id="integrity-heading" className="mb-2 flex items-center gap-2 font-semibold text-slate-900">
        Integrity
        {checkpoint === null ? (
          <Badge tone="amber">no checkpoint yet</Badge>
        ) : healthy ? (
          <Badge tone="green">newest checkpoint verified</Badge>
        ) : (
          <Badge tone="red">newest checkpoint does not verify</Badge>
        )}
      </h2>
      {checkpoint === null ? (
        <p className="text-slate-600">
          No signed checkpoint has been made{head ? ` for the ${head.seq} events so far` : ''}. Checkpoints need an audit signing key (
          <code className="font-mono text-xs">npm run audit:keys -- init</code>).
        </p>
      ) : (
        <dl className="grid grid-cols-1 gap-x-6 gap-y-1 sm:grid-cols-2">
          <div>
            <dt className="inline text-slate-500">Covers events up to </dt>
            <dd className="inline font-mono tabular-nums">seq {checkpoint.seq}</dd>
          </div>
          <div>
            <dt className="inline text-slate-500">Signed </dt>
            <dd className="inline">
              <Time value={checkpoint.ts} /> with key <span className="font-mono text-xs">{checkpoint.keyId}</span>
            </dd>
          </div>
          <div>
            <dt className="inline text-slate-500">Signature under the published keys: </dt>
            <dd className="inline">{checkpoint.isSignatureValid ? 'valid' : 'INVALID'}</dd>
          </div>
          <div>
            <dt className="inline text-slate-500">Event {checkpoint.seq} still has the signed hash: </dt>
            <dd className="inline">{checkpoint.isMatchingEvent ? 'yes' : 'NO'}</dd>
          </div>
          <div>
            <dt className="inline text-slate-500">Head: </dt>
            <dd className="inline">
              {head ? `seq ${head.seq}` : '—'}
              {eventsSinceCheckpoint > 0 ? ` (${eventsSinceCheckpoint} newer events not yet covered by a signature)` : ' (covered)'}
            </dd>
          </div>
          <div>
            <dt className="inline text-slate-500">External checkpoint log: </dt>
            <dd className="inline">{externalLogSeq === null ? 'not on this server' : `up to seq ${externalLogSeq}`}</dd>
          </div>
        </dl>
      )}
      <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-1 border-t border-slate-100 pt-3 sm:grid-cols-2">
        <div data-testid="last-verification">
          <dt className="inline text-slate-500">Last full verification from the console: </dt>
          <dd className="inline">
            {summary.lastVerification ? (
              <>
                {summary.lastVerification.intact ? (
                  <Badge tone="green">intact</Badge>
                ) : (
                  <Badge tone="red">
                    {summary.lastVerification.attackClass ?? 'failed'}
                    {summary.lastVerification.firstBadSeq ? ` at seq ${summary.lastVerification.firstBadSeq}` : ''}
                  </Badge>
                )}{' '}
                <Time value={summary.lastVerification.ts} />
                {summary.lastVerification.events !== null ? `, ${summary.lastVerification.events} events` : ''} (
                <a href={`/audit/events/${summary.lastVerification.seq}`} className="text-indigo-700 hover:underline">
                  event #{summary.lastVerification.seq}
                </a>
                )
              </>
            ) : (
              'never — use Verify now below'
            )}
          </dd>
        </div>
        <div data-testid="witness-status">
          <dt className="inline text-slate-500">Latest witnessed checkpoint: </dt>
          <dd className="inline">
            {witness ? (
              <>
                <Badge tone={checkpoint && witness.seq === checkpoint.seq ? 'green' : 'amber'}>witnessed</Badge> seq {witness.seq}, made{' '}
                <span title={witness.checkpointTs.toISOString()}>{relativeTime(witness.checkpointTs, at)}</span>
                {checkpoint && witness.seq < checkpoint.seq ? ` (newest checkpoint seq ${checkpoint.seq} not yet witnessed)` : ''}
              </>
            ) : witnessKeys > 0 ? (
              <Badge tone="amber">not witnessed yet</Badge>
            ) : (
              'no witness key registered'
            )}
          </dd>
        </div>
        <div data-testid="published-keys">
          <dt className="inline text-slate-500">Published checkpoint keys: </dt>
          <dd className="inline">
            {summary.keys && summary.keys.length > 0
              ? summary.keys.map((k) => (
                  <span
                    key={k.keyId}
                    className="mr-2 inline-block font-mono text-xs"
                    title={`valid from ${k.validFrom}${k.validUntil ? ` until ${k.validUntil}` : ''}`}
                  >
                    {k.keyId}
                    {k.validUntil ? ' (retired)' : ' (current)'}
                  </span>
                ))
              : 'none published'}
          </dd>
        </div>
      </dl>
      <p className="mt-2 text-xs text-slate-500">
        This checks the newest checkpoint only. To prove the whole trail, run{' '}
        <code className="font-mono">npm run audit:verify -- --keys &lt;pinned public-keys.json&gt;</code> or verify an export offline.
      </p>
    </section>
  );
}
