import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { requireAuditCapability } from '@/lib/authz/audit-access';
import { loadSigningKey } from '@/lib/audit/key-store';
import { decide, abilityFor } from '@/lib/authz/ability';
import { auditIntegritySummary } from '@/lib/dal/audit-integrity';
import { recentKeyRotationAuthorizations } from '@/lib/dal/key-rotation';
import { witnessSummary } from '@/lib/dal/witnesses';
import { currentSettings } from '@/lib/config/settings';
import { ExportTools } from '../_components/export-tools';
import { IntegrityStatus } from '../_components/integrity-status';
import { KeyRotation } from '../_components/key-rotation';
import { VerifyTrail } from '../_components/verify-trail';
import { Witnesses } from '../_components/witnesses';

export const metadata: Metadata = { title: 'Audit integrity' };

/** Integrity panel: last checkpoint and key ids, verify now (audited), the verifier and the export bundle. */
export default async function AuditIntegrityPage() {
  const { viewer } = await requireAuditCapability('verify');
  const integrity = await auditIntegritySummary(viewer);
  const witnesses = await witnessSummary(viewer);
  const ability = abilityFor(viewer);
  const mayRotate = decide(ability, 'rotate_signing_key', 'AuditEvent', {}).allowed;
  const mayManageWitnesses = decide(ability, 'register_witness', 'AuditEvent', {}).allowed;
  const notes = (await currentSettings())['audit.trail_notes'];
  return (
    <>
      <PageHeader
        title="Integrity"
        description="Each event is chained to the one before it by SHA-256, and the chain head is signed (Ed25519) into checkpoints kept in the database and in an append-only log outside it. Verify the whole trail here, or take a bundle and check it offline with the standalone verifier."
      />
      <IntegrityStatus
        summary={integrity}
        witness={witnesses.latestWitnessed}
        witnessKeys={witnesses.keys.filter((k) => !k.revokedAt).length}
      />
      <section aria-labelledby="retention" className="mb-4 rounded-xl bg-white p-5 text-sm shadow-sm ring-1 ring-slate-200">
        <h2 id="retention" className="text-base font-semibold">
          Retention
        </h2>
        <p className="mt-1 text-slate-600">
          The database never deletes or changes audit events. Stated retention: {notes.retainDays} days
          {notes.exportedTo ? <>; exports are kept at {notes.exportedTo}</> : null}. (Configuration key{' '}
          <code className="text-xs">audit.trail_notes</code>, critical: changing it needs two people.)
        </p>
      </section>
      <VerifyTrail />
      <Witnesses summary={witnesses} mayManage={mayManageWitnesses} />
      {mayRotate ? <KeyRotation keyId={configuredKeyId()} recent={await recentKeyRotationAuthorizations()} /> : null}
      <ExportTools headSeq={integrity.head?.seq ?? null} />
    </>
  );
}

/** The configured signing key's id, or null when none is configured or it cannot be read. */
function configuredKeyId(): string | null {
  try {
    return loadSigningKey()?.keyId ?? null;
  } catch {
    return null;
  }
}
