import { Badge, type BadgeTone } from '@/components/ui/badge';

const TIER_TONES: Record<string, BadgeTone> = { normal: 'green', sensitive: 'amber', critical: 'red' };

/** A configuration sensitivity tier (normal, sensitive, critical), always with its name and the same colour everywhere. */
export function TierBadge({ tier }: { tier: string }) {
  return <Badge tone={TIER_TONES[tier] ?? 'slate'}>{tier}</Badge>;
}
