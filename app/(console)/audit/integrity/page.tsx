import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui/page-header';
import { requireAuditCapability } from '@/lib/authz/audit-access';
import { auditIntegritySummary } from '@/lib/dal/audit-integrity';
import { ExportTools } from '../_components/export-tools';
import { IntegrityStatus } from '../_components/integrity-status';
import { VerifyTrail } from '../_components/verify-trail';

export const metadata: Metadata = { title: 'Audit integrity' };

/** Integrity panel: last checkpoint and key ids, verify now (audited), the verifier and the export bundle. */
export default async function AuditIntegrityPage() {
  const { viewer } = await requireAuditCapability('verify');
  const integrity = await auditIntegritySummary(viewer);
  return (
    <>
      <PageHeader
        title="Integrity"
        description="Each event is chained to the one before it by SHA-256, and the chain head is signed (Ed25519) into checkpoints kept in the database and in an append-only log outside it. Verify the whole trail here, or take a bundle and check it offline with the standalone verifier."
      />
      <IntegrityStatus summary={integrity} />
      <VerifyTrail />
      <ExportTools headSeq={integrity.head?.seq ?? null} />
    </>
  );
}
