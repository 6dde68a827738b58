import { Badge, type BadgeTone } from '@/components/ui/badge';
import { TierBadge } from '@/components/ui/tier-badge';
import type { ConfigTier } from '@/lib/config/keys';
import type { ChangeSetStatus } from '@/lib/dal/config';

/** What each tier requires before a change takes effect (policies/operations.ts), in short and in full. */
export const TIER_REQUIREMENTS: Record<ConfigTier, { short: string; long: string }> = {
  normal: { short: 'Admin.', long: 'An admin or superadmin applies it at once; a reason is optional.' },
  sensitive: {
    short: 'Admin + passkey + reason.',
    long: 'Applies at once after you confirm with your passkey (or authenticator code) and give a reason.',
  },
  critical: {
    short: 'Superadmin approval by a second person.',
    long: 'You sign the request with your passkey and give a reason; a superadmin other than you approves the exact change with their passkey, and it applies then.',
  },
};

export { TierBadge };

/** A short legend: what each tier asks for. */
export function TierLegend() {
  return (
    <section aria-labelledby="tier-legend" className="rounded-xl bg-white p-4 text-sm shadow-sm ring-1 ring-slate-200">
      <h2 id="tier-legend" className="text-sm font-semibold text-slate-900">
        What each tier requires
      </h2>
      <dl className="mt-2 space-y-1.5 text-slate-700">
        {(Object.keys(TIER_REQUIREMENTS) as ConfigTier[]).map((tier) => (
          <div key={tier} className="flex flex-wrap items-baseline gap-2">
            <dt>
              <TierBadge tier={tier} />
            </dt>
            <dd className="min-w-0 flex-1">
              <span className="font-medium text-slate-900">{TIER_REQUIREMENTS[tier].short}</span> {TIER_REQUIREMENTS[tier].long}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

const STATUS_TONES: Record<ChangeSetStatus, BadgeTone> = {
  draft: 'sky',
  pending_approval: 'amber',
  applied: 'green',
  discarded: 'slate',
  voided: 'slate',
  failed: 'red',
};

const STATUS_LABELS: Record<ChangeSetStatus, string> = {
  draft: 'draft',
  pending_approval: 'pending approval',
  applied: 'applied',
  discarded: 'discarded',
  voided: 'voided',
  failed: 'failed',
};

/** A change set's status as a badge. */
export function ChangeSetStatusBadge({ status }: { status: ChangeSetStatus }) {
  return <Badge tone={STATUS_TONES[status] ?? 'slate'}>{STATUS_LABELS[status] ?? status}</Badge>;
}
