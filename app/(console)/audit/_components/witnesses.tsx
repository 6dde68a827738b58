'use client';

import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { OperationDialog } from '@/components/operation-dialog';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Time } from '@/components/ui/time';
import type { WitnessSummaryDTO } from '@/lib/dal/witnesses';
import { OPERATIONS } from '@/policies/operations';
import { useStepUp } from '../../_components/use-step-up';
import { cosignCheckpointAction } from '../_actions/cosign-checkpoint';
import { registerWitnessAction } from '../_actions/register-witness';
import { revokeWitnessAction } from '../_actions/revoke-witness';

const inputClass =
  'mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600';

/**
 * Witnesses: auditor-held Ed25519 keys that cosign checkpoints, so an auditor can
 * later prove offline that the trail they hold is the one their witness saw. The
 * private keys never come here: `warden-witness.mjs keygen` makes them on the
 * auditor's machine. Auditors register and revoke keys (reason and step-up) and
 * upload cosignatures made offline; everyone with the integrity page sees the list.
 */
export function Witnesses({ summary, mayManage }: { summary: WitnessSummaryDTO; mayManage: boolean }) {
  const router = useRouter();
  const { run, dialog } = useStepUp({ enrolled: true });
  const ids = { name: useId(), key: useId(), cosig: useId(), checkpoint: useId() };
  const [draft, setDraft] = useState<{ name: string; publicKey: string } | null>(null);
  const [revoking, setRevoking] = useState<{ keyId: string; name: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [upload, setUpload] = useState('');
  const [uploading, setUploading] = useState(false);
  const [uploadResult, setUploadResult] = useState<{ ok: boolean; text: string } | null>(null);

  async function submitUpload() {
    if (uploading) return;
    setUploading(true);
    setUploadResult(null);
    try {
      const result = await cosignCheckpointAction({ cosignature: upload });
      if (result.ok) {
        setUploadResult({
          ok: true,
          text:
            result.data.status === 'accepted'
              ? `Verified and recorded: checkpoint seq ${result.data.seq} is cosigned by witness ${result.data.witnessKeyId}.`
              : `Verified: witness ${result.data.witnessKeyId} had already cosigned checkpoint seq ${result.data.seq}; nothing changed.`,
        });
        setUpload('');
        router.refresh();
      } else {
        setUploadResult({ ok: false, text: `Refused: ${result.message} (Reference: ${result.correlationId})` });
      }
    } catch {
      setUploadResult({ ok: false, text: 'The console could not be reached. Check your connection and try again.' });
    } finally {
      setUploading(false);
    }
  }

  return (
    <section
      aria-labelledby="witnesses-heading"
      className="mb-4 rounded-xl bg-white p-5 text-sm shadow-sm ring-1 ring-slate-200"
      data-testid="witnesses"
    >
      <h2 id="witnesses-heading" className="text-base font-semibold">
        Witnesses
      </h2>
      <p className="mt-1 max-w-3xl text-slate-600">
        A witness is an Ed25519 key an auditor holds outside Warden. It cosigns checkpoints after checking they extend the ones it saw
        before, so a rewritten or rolled-back trail cannot be passed off later. Make a key with{' '}
        <a className="text-indigo-700 underline" href="/api/audit/verifier?tool=witness">
          the witness tool
        </a>{' '}
        (<code className="text-xs">node warden-witness.mjs keygen --out ~/warden-witness</code>), register its public key here, then run{' '}
        <code className="text-xs">warden-witness.mjs watch</code> or cosign checkpoints offline and upload them. Only auditors register,
        revoke and upload.
      </p>

      <p className="mt-3" data-testid="witness-latest">
        <span className="text-slate-500">Latest witnessed checkpoint: </span>
        {summary.latestWitnessed ? (
          <>
            <Badge tone={summary.newestCheckpoint?.witnessed ? 'green' : 'amber'}>
              {summary.newestCheckpoint?.witnessed ? 'newest checkpoint witnessed' : 'witnessed, not the newest'}
            </Badge>{' '}
            seq {summary.latestWitnessed.seq}, made <Time value={summary.latestWitnessed.checkpointTs} />, cosigned{' '}
            <Time value={summary.latestWitnessed.cosignedAt} /> by{' '}
            <span className="font-mono text-xs">{summary.latestWitnessed.witnessKeyIds.join(', ')}</span>
          </>
        ) : (
          <Badge tone="slate">not witnessed yet</Badge>
        )}
      </p>

      <table className="mt-4 w-full text-left text-sm" aria-label="Registered witness keys">
        <thead className="text-xs text-slate-500">
          <tr>
            <th className="py-1 font-medium">Name</th>
            <th className="py-1 font-medium">Key id</th>
            <th className="py-1 font-medium">Registered</th>
            <th className="py-1 font-medium">Status</th>
            <th className="py-1 font-medium">Cosignatures</th>
            {mayManage ? (
              <th className="py-1 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {summary.keys.length === 0 ? (
            <tr className="border-t border-slate-100">
              <td className="py-2 text-slate-500" colSpan={mayManage ? 6 : 5}>
                No witness key is registered.
              </td>
            </tr>
          ) : (
            summary.keys.map((k) => (
              <tr key={k.keyId} className="border-t border-slate-100" data-testid={`witness-${k.keyId}`}>
                <td className="py-1">{k.name}</td>
                <td className="py-1 font-mono text-xs" title={`public key ${k.publicKey}`}>
                  {k.keyId}
                </td>
                <td className="py-1">
                  {k.registeredBy}, <Time value={k.registeredAt} />
                </td>
                <td className="py-1">
                  {k.revokedAt ? (
                    <>
                      <Badge tone="red">revoked</Badge> <Time value={k.revokedAt} />
                      {k.revokedBy ? ` by ${k.revokedBy}` : ''}
                    </>
                  ) : (
                    <Badge tone="green">active</Badge>
                  )}
                </td>
                <td className="py-1 tabular-nums">
                  {k.cosignatures}
                  {k.lastCosignedSeq !== null ? ` (newest: seq ${k.lastCosignedSeq})` : ''}
                </td>
                {mayManage ? (
                  <td className="py-1 text-right">
                    {k.revokedAt ? null : (
                      <Button type="button" variant="secondary" onClick={() => setRevoking({ keyId: k.keyId, name: k.name })}>
                        Revoke {k.name}
                      </Button>
                    )}
                  </td>
                ) : null}
              </tr>
            ))
          )}
        </tbody>
      </table>

      <div aria-live="polite" role="status">
        {notice ? <p className="mt-3 rounded-md bg-emerald-50 px-3 py-2 text-emerald-900 ring-1 ring-emerald-200">{notice}</p> : null}
      </div>

      {mayManage ? (
        <div className="mt-5 grid gap-6 lg:grid-cols-2">
          <form
            aria-label="Register a witness key"
            className="space-y-2"
            onSubmit={(e) => {
              e.preventDefault();
              const form = new FormData(e.currentTarget);
              setNotice(null);
              setDraft({ name: String(form.get('name') ?? '').trim(), publicKey: String(form.get('publicKey') ?? '').trim() });
            }}
          >
            <h3 className="font-semibold">Register a witness key</h3>
            <label htmlFor={ids.name} className="block font-medium text-slate-800">
              Name
            </label>
            <input
              id={ids.name}
              name="name"
              required
              minLength={2}
              maxLength={80}
              className={inputClass}
              placeholder="Audit firm, laptop of J. Doe"
            />
            <label htmlFor={ids.key} className="block font-medium text-slate-800">
              Public key <span className="text-slate-500">(base64url, as keygen printed it)</span>
            </label>
            <input
              id={ids.key}
              name="publicKey"
              required
              maxLength={200}
              autoComplete="off"
              spellCheck={false}
              className={`${inputClass} font-mono`}
            />
            <Button type="submit" variant="secondary">
              Register witness key
            </Button>
          </form>

          <form
            aria-label="Upload a cosignature"
            className="space-y-2"
            onSubmit={(e) => {
              e.preventDefault();
              void submitUpload();
            }}
          >
            <h3 className="font-semibold">Upload a cosignature</h3>
            {summary.newestCheckpoint ? (
              <>
                <label htmlFor={ids.checkpoint} className="block font-medium text-slate-800">
                  Newest checkpoint (seq {summary.newestCheckpoint.seq}), to cosign offline
                </label>
                <textarea
                  id={ids.checkpoint}
                  readOnly
                  rows={3}
                  value={summary.newestCheckpoint.json}
                  className={`${inputClass} font-mono text-xs`}
                  data-testid="newest-checkpoint-json"
                />
                <p className="text-xs text-slate-500">
                  Save it as checkpoint.json, then{' '}
                  <code>
                    node warden-witness.mjs cosign --key witness-key.pem --checkpoint checkpoint.json --server-keys public-keys.json
                  </code>
                </p>
              </>
            ) : (
              <p className="text-slate-500">No checkpoint has been made yet.</p>
            )}
            <label htmlFor={ids.cosig} className="block font-medium text-slate-800">
              Cosignature <span className="text-slate-500">(the JSON line the tool printed)</span>
            </label>
            <textarea
              id={ids.cosig}
              name="cosignature"
              rows={3}
              required
              maxLength={2000}
              value={upload}
              onChange={(e) => setUpload(e.target.value)}
              spellCheck={false}
              className={`${inputClass} font-mono text-xs`}
            />
            <Button type="submit" variant="secondary" pending={uploading} disabled={uploading || upload.trim() === ''}>
              {uploading ? 'Verifying…' : 'Verify and record'}
            </Button>
            <div aria-live="polite" role="status" data-testid="cosignature-result">
              {uploadResult ? (
                <p
                  className={
                    uploadResult.ok
                      ? 'rounded-md bg-emerald-50 px-3 py-2 text-emerald-900 ring-1 ring-emerald-200'
                      : 'rounded-md bg-red-50 px-3 py-2 text-red-800 ring-1 ring-red-200'
                  }
                >
                  {uploadResult.text}
                </p>
              ) : null}
            </div>
          </form>
        </div>
      ) : null}

      <OperationDialog
        open={draft !== null}
        title="Register a witness key"
        confirmLabel="Register witness key"
        danger={false}
        reason={OPERATIONS['witness.register'].reason}
        onClose={() => setDraft(null)}
        onSubmit={async (fields) => {
          if (!draft) return { ok: false, code: 'CANCELLED', message: 'Cancelled.' };
          const result = await run('witness.register', registerWitnessAction, { ...draft, ...fields });
          if (result.ok) {
            setNotice(`Witness key ${result.data.keyId} registered. Its cosignatures are accepted from now on.`);
            router.refresh();
          }
          return result;
        }}
      >
        <p>
          Cosignatures by this key will be accepted for checkpoints, and exports will list it. Register only a key whose private half stays
          with the auditor who runs the witness. Name: <strong>{draft?.name}</strong>
        </p>
        <p className="break-all font-mono text-xs">{draft?.publicKey}</p>
      </OperationDialog>

      <OperationDialog
        open={revoking !== null}
        title={`Revoke witness key ${revoking?.name ?? ''}`}
        confirmLabel="Revoke witness key"
        reason={OPERATIONS['witness.revoke'].reason}
        onClose={() => setRevoking(null)}
        onSubmit={async (fields) => {
          if (!revoking) return { ok: false, code: 'CANCELLED', message: 'Cancelled.' };
          const result = await run('witness.revoke', revokeWitnessAction, { keyId: revoking.keyId, ...fields });
          if (result.ok) {
            setNotice(`Witness key ${result.data.keyId} revoked. Its earlier cosignatures stay; new ones are refused.`);
            router.refresh();
          }
          return result;
        }}
      >
        <p>
          New cosignatures by <span className="font-mono">{revoking?.keyId}</span> will be refused. Its earlier cosignatures stay in the
          trail and in exports. A revoked key can never be registered again.
        </p>
      </OperationDialog>
      {dialog}
    </section>
  );
}
