import 'server-only';
import { piiDigest } from '@/lib/audit/record';
import { scopedWhere } from '@/lib/authz/ability';
import type { Authorization } from '@/lib/authz/authorization';
import { db } from '@/lib/db';
import { assertActorStillLive, recordAuthorized } from './audit-details';

export interface PersonalDataLookupDTO {
  /** The keyed digest the trail holds for this address (what was searched for). */
  digest: string;
  total: number;
  /** The newest matching events the viewer may read. */
  events: { seq: number; ts: Date; operation: string; outcome: string }[];
}

const SHOWN = 50;

/**
 * "Was this email address involved?" Events never hold a personal address, only
 * its keyed digest (`piiDigest`), so the trail is searched for the digest of the
 * address given. The lookup is itself an audit event, recorded with the digest
 * and the reason, never the address, in the same transaction as the search.
 */
export async function lookupPersonalData(authz: Authorization, email: string): Promise<PersonalDataLookupDTO> {
  const digest = piiDigest(email.trim().toLowerCase());
  const client = await db();
  return client.$transaction(async (tx) => {
    await assertActorStillLive(tx, authz);
    const where = scopedWhere(authz.ability, 'read', 'AuditEvent', { details: { contains: digest } });
    const [total, events] = await Promise.all([
      tx.auditEvent.count({ where }),
      tx.auditEvent.findMany({
        where,
        orderBy: { seq: 'desc' },
        take: SHOWN,
        select: { seq: true, ts: true, operation: true, outcome: true },
      }),
    ]);
    await recordAuthorized(tx, authz, { target: null, details: { digest, matches: total } });
    return { digest, total, events };
  });
}
