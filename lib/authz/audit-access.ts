import 'server-only';
import { notFound } from 'next/navigation';
import { requireViewer, type Viewer } from '@/lib/auth/viewer';
import type { PolicyAction } from '@/policies/rules';
import { abilityFor, decide, type PolicyAbility } from './ability';
import { ActionError } from './result';

/**
 * What a viewer may do in the audit area, from the policy's rules on AuditEvent
 * (policies/rules.ts), never from the role name:
 *
 * - browse: read some events (the browser lists only those the read rule allows:
 *   everything for auditors and superadmins, their own actions for admins);
 * - wholeTrail: read every event, whoever acted;
 * - analyze: the activity dashboards (they count the whole trail, so only
 *   unconditional analysts);
 * - export: download the events a filter matches (scoped like browse);
 * - verify: the integrity panel, "verify now" and the export bundle (the whole trail);
 * - lookup: the personal-data lookup.
 */
export interface AuditCapabilities {
  browse: boolean;
  wholeTrail: boolean;
  analyze: boolean;
  export: boolean;
  verify: boolean;
  lookup: boolean;
}

export type AuditCapability = keyof AuditCapabilities;

const ACTION: Record<AuditCapability, PolicyAction> = {
  browse: 'read',
  wholeTrail: 'read',
  analyze: 'analyze',
  export: 'export',
  verify: 'verify',
  lookup: 'lookup_personal_data',
};

/** Capabilities that need the rule to hold for every event (no condition). */
const UNCONDITIONAL: ReadonlySet<AuditCapability> = new Set(['wholeTrail', 'analyze', 'verify', 'lookup']);

/** Whether the viewer has one capability, and the id of the rule that decided. */
export function auditCapability(viewer: Pick<Viewer, 'userId' | 'role'>, capability: AuditCapability): { allowed: boolean; rule: string } {
  return capabilityOn(abilityFor(viewer), viewer.userId, capability);
}

function capabilityOn(ability: PolicyAbility, userId: string, capability: AuditCapability): { allowed: boolean; rule: string } {
  const action = ACTION[capability];
  if (UNCONDITIONAL.has(capability)) return decide(ability, action, 'AuditEvent', {});
  // Some events suffice: decide on the viewer's own actions, which is the
  // narrowest thing a conditional read rule can grant.
  const anyRule = ability.can(action, 'AuditEvent');
  if (!anyRule) return { allowed: false, rule: 'authz.default_deny' };
  const own = decide(ability, action, 'AuditEvent', { actorId: userId });
  return own.allowed ? own : decide(ability, action, 'AuditEvent', {});
}

/** Every capability at once, for pages that show or hide tools. */
export function auditCapabilities(viewer: Pick<Viewer, 'userId' | 'role'>): AuditCapabilities {
  const ability = abilityFor(viewer);
  const caps = Object.keys(ACTION) as AuditCapability[];
  return Object.fromEntries(caps.map((c) => [c, capabilityOn(ability, viewer.userId, c).allowed])) as unknown as AuditCapabilities;
}

/** DAL guard: the rule id that allows the capability, or NOT_FOUND (unauthorized looks like absent). */
export function assertAuditCapability(viewer: Viewer, capability: AuditCapability): string {
  const decision = auditCapability(viewer, capability);
  if (!decision.allowed) throw new ActionError('NOT_FOUND', 'Not found.');
  return decision.rule;
}

/** Page guard: the viewer and the deciding rule, or a 404 page. */
export async function requireAuditCapability(capability: AuditCapability): Promise<{ viewer: Viewer; rule: string }> {
  const viewer = await requireViewer();
  const decision = auditCapability(viewer, capability);
  if (!decision.allowed) notFound();
  return { viewer, rule: decision.rule };
}
