'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import type { ConfigKey, ConfigTier } from '@/lib/config/keys';
import type { ChangeSetDTO } from '@/lib/dal/config';
import { hasSufficientReason, REASON_MAX, reasonOf } from '@/lib/validation/reason';
import { useStepUp } from '../../_components/use-step-up';
import { applyConfigChangesAction } from '../_actions/apply-config-changes';
import { applySensitiveConfigChangesAction } from '../_actions/apply-sensitive-config-changes';
import { requestCriticalConfigChangesAction } from '../_actions/request-critical-config-changes';
import { unstageConfigChangeAction } from '../_actions/unstage-config-change';
import { failureText, UNREACHABLE } from './result-text';
import { TIER_REQUIREMENTS, TierBadge } from './tier-badge';

/** The draft as the review screen needs it (plain data). */
export interface ReviewDraft {
  id: string;
  digest: string;
  tier: ConfigTier;
  op: ChangeSetDTO['op'];
  demands: ChangeSetDTO['demands'];
  approvalText: string;
  items: { key: ConfigKey; label: string; tier: ConfigTier; kind: string; before: string; after: string; stale: boolean }[];
}

type Outcome = { kind: 'applied'; count: number } | { kind: 'sent'; approvalId: string; expiresAt: string };

const KIND_NOTES: Record<string, string> = { reset: 'back to the default', rollback: 'restored from history' };

/**
 * The review of the viewer's pending changes: every item before → after, what
 * applying demands (from the catalog, via the DTO), the reason, and the one
 * submit button. Normal sets are applied directly; sensitive ones through the
 * step-up; critical ones through the step-up into a two-person request, whose
 * APPROVAL_REQUIRED answer is the expected outcome ("Sent for approval"). The
 * server checks all of it again, including that the digest is still the one
 * reviewed here. This component stays mounted across the refresh that removes
 * the draft, so the outcome stays on screen.
 */
export function ReviewPanel({ draft, enrolled }: { draft: ReviewDraft | null; enrolled: boolean }) {
  const router = useRouter();
  const { run, dialog } = useStepUp({ enrolled });
  const ids = { reason: useId(), reasonHint: useId(), reasonError: useId() };
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [removing, setRemoving] = useState<ConfigKey | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const stale = draft?.items.filter((i) => i.stale) ?? [];
  const critical = draft?.op === 'config.apply_critical';

  async function remove(key: ConfigKey) {
    if (removing || pending) return;
    setRemoving(key);
    setError(null);
    setOutcome(null);
    try {
      const result = await unstageConfigChangeAction({ key });
      if (result.ok) router.refresh();
      else setError(failureText(result));
    } catch {
      setError(UNREACHABLE);
    } finally {
      setRemoving(null);
    }
  }

  async function submit(set: ReviewDraft) {
    if (pending) return;
    setError(null);
    setReasonError(null);
    setOutcome(null);
    const text = set.demands.reason === 'none' ? '' : reason.trim();
    if (set.demands.reason === 'required' && !hasSufficientReason(reasonOf({ reason: text }))) {
      setReasonError('Say why you are making this change (a few words). Nothing was sent.');
      return;
    }
    // The step-up is bound to this exact input: an empty reason is left out, not sent as "".
    const input: { changeSetId: string; digest: string; reason?: string } = {
      changeSetId: set.id,
      digest: set.digest,
      ...(text ? { reason: text } : {}),
    };
    setPending(true);
    try {
      const result =
        set.op === 'config.apply'
          ? await applyConfigChangesAction(input)
          : set.op === 'config.apply_sensitive'
            ? await run('config.apply_sensitive', applySensitiveConfigChangesAction, input)
            : await run('config.apply_critical', requestCriticalConfigChangesAction, input);
      if (result.ok) {
        setOutcome({ kind: 'applied', count: set.items.length });
        setReason('');
        router.refresh();
        return;
      }
      if (result.code === 'APPROVAL_REQUIRED' && 'approval' in result && result.approval) {
        setOutcome({ kind: 'sent', approvalId: result.approval.id, expiresAt: result.approval.expiresAt });
        setReason('');
        router.refresh();
        return;
      }
      const fieldReason = 'fieldErrors' in result ? result.fieldErrors?.reason?.join(' ') : undefined;
      if (fieldReason) setReasonError(fieldReason);
      setError(failureText(result));
    } catch {
      setError(UNREACHABLE);
    } finally {
      setPending(false);
    }
  }

  return (
    <>
      <div role="status" aria-live="polite">
        {outcome?.kind === 'applied' ? (
          <p className="mb-4 rounded-md bg-emerald-50 px-4 py-3 text-sm text-emerald-900 ring-1 ring-emerald-200">
            Applied. {outcome.count === 1 ? 'The change is' : `All ${outcome.count} changes are`} in effect and recorded in the audit trail.{' '}
            <Link href="/config" className="font-medium underline">
              Back to configuration
            </Link>
          </p>
        ) : null}
        {outcome?.kind === 'sent' ? (
          <p className="mb-4 rounded-md bg-emerald-50 px-4 py-3 text-sm text-emerald-900 ring-1 ring-emerald-200">
            Sent for approval. Nothing changes until a superadmin other than you approves it (the request expires at{' '}
            <time dateTime={outcome.expiresAt}>{outcome.expiresAt.slice(0, 16).replace('T', ' ')} UTC</time>).{' '}
            <Link href={`/approvals/${outcome.approvalId}`} className="font-medium underline">
              View request
            </Link>
          </p>
        ) : null}
      </div>

      {!draft ? (
        outcome ? null : (
          <p className="rounded-xl bg-white px-5 py-6 text-sm text-slate-600 shadow-sm ring-1 ring-slate-200">
            You have no pending changes. Changes you add from the{' '}
            <Link href="/config" className="text-indigo-700 hover:underline">
              configuration page
            </Link>{' '}
            are listed here for review before they take effect.
          </p>
        )
      ) : (
        <>
          <div className="overflow-x-auto rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Pending changes</caption>
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="px-4 py-3">
                    Setting
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Tier
                  </th>
                  <th scope="col" className="px-4 py-3">
                    Current
                  </th>
                  <th scope="col" className="px-4 py-3">
                    New
                  </th>
                  <th scope="col" className="px-4 py-3">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {draft.items.map((i) => (
                  <tr key={i.key} data-testid="pending-change-row" data-key={i.key} data-stale={i.stale || undefined}>
                    <td className="px-4 py-2.5 align-top">
                      <Link href={`/config/${i.key}`} className="font-medium text-indigo-700 hover:underline">
                        {i.label}
                      </Link>
                      {i.stale ? (
                        <p className="mt-1 max-w-xs rounded-md bg-amber-50 px-2 py-1 text-xs text-amber-900 ring-1 ring-amber-200">
                          Changed since you staged it — remove and stage again.
                        </p>
                      ) : null}
                    </td>
                    <td className="px-4 py-2.5 align-top">
                      <TierBadge tier={i.tier} />
                    </td>
                    <td className="max-w-xs [overflow-wrap:anywhere] px-4 py-2.5 align-top text-slate-600">{i.before}</td>
                    <td className="max-w-xs [overflow-wrap:anywhere] px-4 py-2.5 align-top text-slate-900">
                      <span aria-hidden="true" className="text-slate-400">
                        →{' '}
                      </span>
                      {i.after}
                      {KIND_NOTES[i.kind] ? <div className="text-xs text-slate-500">({KIND_NOTES[i.kind]})</div> : null}
                    </td>
                    <td className="px-4 py-2.5 text-right align-top">
                      <Button
                        type="button"
                        variant="ghost"
                        className="px-2.5 py-1 text-xs"
                        pending={removing === i.key}
                        disabled={pending || (removing !== null && removing !== i.key)}
                        onClick={() => void remove(i.key)}
                      >
                        {removing === i.key ? `Removing ${i.label}…` : `Remove ${i.label}`}
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <form
            className="mt-6 space-y-4 rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void submit(draft);
            }}
          >
            <div className="flex flex-wrap items-center gap-2 text-sm">
              <span className="font-medium text-slate-900">This change set is</span>
              <TierBadge tier={draft.tier} />
              <span className="text-slate-600">{TIER_REQUIREMENTS[draft.tier].short}</span>
            </div>
            <p className="text-sm text-slate-800">
              <span className="font-medium">Who must approve:</span> {draft.approvalText}
            </p>
            <p className="text-xs text-slate-600">
              <span className="font-medium">Digest</span>{' '}
              <code className="break-all font-mono" data-testid="change-set-digest">
                {draft.digest}
              </code>
              <span className="block text-slate-500">
                {critical
                  ? 'The approval request shows this digest as its change set digest; any change to the set needs a new request.'
                  : 'Applying checks that the set is still exactly this one.'}
              </span>
            </p>
            {draft.demands.reason !== 'none' ? (
              <div>
                <label htmlFor={ids.reason} className="block text-sm font-medium text-slate-800">
                  Reason
                </label>
                <textarea
                  id={ids.reason}
                  name="reason"
                  rows={3}
                  maxLength={REASON_MAX}
                  value={reason}
                  disabled={pending}
                  required={draft.demands.reason === 'required'}
                  aria-invalid={reasonError ? true : undefined}
                  aria-describedby={[ids.reasonHint, reasonError ? ids.reasonError : null].filter(Boolean).join(' ')}
                  onChange={(e) => {
                    setReason(e.target.value);
                    setReasonError(null);
                  }}
                  className="mt-1 block w-full rounded-md border-0 px-3 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
                />
                <p id={ids.reasonHint} className="mt-1 text-xs text-slate-500">
                  {draft.demands.reason === 'required' ? 'Required.' : 'Optional.'} Recorded in the audit trail
                  {critical ? ' and shown to the approver' : ''}.
                </p>
                {reasonError ? (
                  <p id={ids.reasonError} className="mt-1 text-xs text-red-700">
                    {reasonError}
                  </p>
                ) : null}
              </div>
            ) : null}
            {stale.length > 0 ? (
              <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200">
                {stale.map((i) => i.label).join(', ')} changed since you staged {stale.length === 1 ? 'it' : 'them'}: remove and stage again
                to review the new value before {critical ? 'submitting' : 'applying'}.
              </p>
            ) : null}
            <div role="alert">
              {error ? <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">{error}</p> : null}
            </div>
            <div className="flex flex-wrap items-center gap-3">
              <Button type="submit" pending={pending} disabled={stale.length > 0 || removing !== null}>
                {pending ? (critical ? 'Submitting…' : 'Applying…') : critical ? 'Submit for approval' : 'Apply changes'}
              </Button>
              {draft.demands.stepUp ? (
                <span className="text-xs text-slate-600">
                  {critical
                    ? 'You will sign the request with your passkey.'
                    : 'You will confirm with your passkey (or authenticator code).'}
                </span>
              ) : null}
            </div>
          </form>
        </>
      )}
      {dialog}
    </>
  );
}
