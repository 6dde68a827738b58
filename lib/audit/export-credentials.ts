import 'server-only';
import { webauthnConfig } from '@/lib/auth/webauthn-config';
import type { Db } from '@/lib/db/client';
import { CREDENTIALS_FORMAT, INTENT_FORMAT, type BundleCredential } from './signed-intent';

/**
 * credentials.json of an export bundle (issue 13, "warden.credentials.v1"): for
 * every passkey whose signature an event of the range carries, its COSE public
 * key, owner, name, creation time and the seq of its registration event, plus
 * the relying party (RP ID and origin) the assertions must name. The public key
 * comes from the registration event when the trail has it (chained, so it cannot
 * be swapped without breaking the chain, and still there after the passkey was
 * removed); else from the stored credential.
 */
export interface CredentialsFile {
  format: typeof CREDENTIALS_FORMAT;
  rpId: string;
  origin: string;
  credentials: BundleCredential[];
}

/** The credential ids used by signed events in fromSeq..toSeq. */
async function usedCredentialIds(db: Db, fromSeq: number, toSeq: number): Promise<Set<string>> {
  const ids = new Set<string>();
  const pageSize = 1000;
  for (let after = fromSeq - 1; after < toSeq;) {
    const rows = await db.auditEvent.findMany({
      where: { seq: { gt: after, lte: toSeq }, details: { contains: INTENT_FORMAT } },
      orderBy: { seq: 'asc' },
      take: pageSize,
      select: { seq: true, details: true },
    });
    if (rows.length === 0) break;
    for (const row of rows) {
      const signature = (JSON.parse(row.details) as { signature?: { assertion?: { credentialId?: unknown } } }).signature;
      const id = signature?.assertion?.credentialId;
      if (typeof id === 'string') ids.add(id);
    }
    after = rows[rows.length - 1]!.seq;
  }
  return ids;
}

/** Builds credentials.json for the range. */
export async function credentialsFileFor(db: Db, fromSeq: number, toSeq: number): Promise<CredentialsFile> {
  const { rpID, expectedOrigin } = webauthnConfig();
  const ids = [...(await usedCredentialIds(db, fromSeq, toSeq))].sort();
  const credentials: BundleCredential[] = [];
  for (const credentialId of ids) {
    const record = await credentialRecord(db, credentialId);
    // Without a key there is nothing to verify with: the verifier reports the credential as unknown.
    if (record) credentials.push(record);
  }
  return { format: CREDENTIALS_FORMAT, rpId: rpID, origin: expectedOrigin, credentials };
}

/**
 * One passkey as credentials.json lists it: the key from its registration event when
 * the trail has one (events since issue 13 record it), else from the stored credential.
 * The key and its owner always come from the same place: the owner of a key taken from
 * the registration event is that event's actor, never the owner of whatever row holds
 * the credential id now (a removed passkey's id registered again by someone else must
 * not turn the first owner's signatures into someone else's).
 */
export async function credentialRecord(db: Db, credentialId: string): Promise<BundleCredential | null> {
  const row = await db.webAuthnCredential.findUnique({
    where: { credentialId },
    select: { id: true, userId: true, name: true, publicKey: true, algorithm: true, createdAt: true },
  });
  const registration = await registrationEvent(db, credentialId, row?.id ?? null);
  const registered = registration ? (JSON.parse(registration.details) as Record<string, unknown>) : {};
  let source: { userId: string; publicKey: string; name: string; algorithm: number; createdAt: Date };
  if (registration && typeof registered.publicKey === 'string') {
    if (!registration.actorId) return null;
    // The stored passkey adds its current name only when it is this registration's key and owner.
    const same = row && row.userId === registration.actorId && row.publicKey === registered.publicKey ? row : null;
    source = {
      userId: registration.actorId,
      publicKey: registered.publicKey,
      name: same?.name ?? (typeof registered.name === 'string' ? registered.name : 'passkey'),
      algorithm: typeof registered.algorithm === 'number' ? registered.algorithm : (same?.algorithm ?? 0),
      createdAt: same?.createdAt ?? registration.ts,
    };
  } else if (row) {
    source = row;
  } else {
    // Without a key there is nothing to verify with: the verifier reports the credential as unknown.
    return null;
  }
  const user = await db.user.findUnique({ where: { id: source.userId }, select: { name: true } });
  return {
    credentialId,
    userId: source.userId,
    name: source.name,
    userName: user?.name ?? null,
    publicKey: source.publicKey,
    algorithm: source.algorithm,
    createdAt: source.createdAt.toISOString(),
    registrationSeq: registration?.seq ?? null,
  };
}

/**
 * The registration event of a passkey: the first whose details name exactly this
 * credential id (events since issue 13), else the one targeting the passkey's row.
 * `contains` is a LIKE, where `_` matches any character and SQLite ignores ASCII case:
 * every candidate is compared exactly, so another credential id that merely matches
 * the pattern (registered earlier, perhaps on purpose) is never taken for this one.
 */
async function registrationEvent(db: Db, credentialId: string, rowId: string | null) {
  const select = { seq: true, ts: true, actorId: true, details: true } as const;
  const candidates = await db.auditEvent.findMany({
    where: { operation: 'account.passkey_register', outcome: 'success', details: { contains: `"credentialId":"${credentialId}"` } },
    orderBy: { seq: 'asc' },
    select,
  });
  const exact = candidates.find((e) => (JSON.parse(e.details) as Record<string, unknown>).credentialId === credentialId);
  if (exact) return exact;
  if (!rowId) return null;
  return db.auditEvent.findFirst({
    where: { operation: 'account.passkey_register', outcome: 'success', targetType: 'WebAuthnCredential', targetId: rowId },
    orderBy: { seq: 'asc' },
    select,
  });
}
