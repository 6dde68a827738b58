import 'server-only';
import { credentialRecord } from '@/lib/audit/export-credentials';
import { intentInWords, type IntentWords } from '@/lib/audit/intent-words';
import { checkSignedEvent, type BundleCredential } from '@/lib/audit/signed-intent';
import { webauthnConfig } from '@/lib/auth/webauthn-config';
import type { Viewer } from '@/lib/auth/viewer';
import { abilityFor, scopedWhere } from '@/lib/authz/ability';
import { assertAuditCapability } from '@/lib/authz/audit-access';
import { db } from '@/lib/db';
import type { Db } from '@/lib/db/client';

/**
 * The user signature an audit event carries (issue 13), checked on the server with
 * the same rules as the standalone verifier (lib/audit/signed-intent.ts): the
 * assertion against the passkey's public key (from its registration event when the
 * trail has one) and the intent against the event.
 */
export type EventSignatureDTO =
  | { status: 'none' }
  | { status: 'code' }
  | { status: 'valid'; passkeyName: string; userName: string | null; userId: string; words: IntentWords | null }
  | { status: 'invalid'; problem: string; message: string; words: IntentWords | null };

/** The signature check of event `seq` (no access check: callers check the viewer may read the event). */
export async function eventSignature(client: Db, seq: number): Promise<EventSignatureDTO | null> {
  const event = await client.auditEvent.findUnique({ where: { seq } });
  if (!event) return null;
  const details = JSON.parse(event.details) as Record<string, unknown>;
  const signature = details.signature as { assertion?: { credentialId?: unknown } } | undefined;
  const credentials = new Map<string, BundleCredential>();
  const credentialId = signature?.assertion?.credentialId;
  if (typeof credentialId === 'string') {
    const record = await credentialRecord(client, credentialId);
    if (record) credentials.set(credentialId, record);
  }
  const { rpID, expectedOrigin } = webauthnConfig();
  const checked = checkSignedEvent(
    {
      seq: event.seq,
      ts: event.ts.toISOString(),
      actorId: event.actorId,
      actorSessionId: event.actorSessionId,
      operation: event.operation,
      targetType: event.targetType,
      targetId: event.targetId,
      policyVersion: event.policyVersion,
      details,
    },
    credentials,
    { rpId: rpID, origin: expectedOrigin },
  );
  if (checked.status === 'valid') {
    // One intent (its nonce) authorizes one event: a later event carrying it again is a replay (as the verifier's intent_replayed).
    const earlier = await earlierEventWithIntent(client, event.seq, event.actorId, checked.intent.nonce);
    if (earlier !== null) {
      return {
        status: 'invalid',
        problem: 'intent_replayed',
        message: `its signed intent already authorized event ${earlier}`,
        words: intentInWords(checked.intent),
      };
    }
    return {
      status: 'valid',
      passkeyName: checked.credential.name,
      userName: checked.credential.userName,
      userId: checked.credential.userId,
      words: intentInWords(checked.intent),
    };
  }
  if (checked.status === 'invalid') {
    return {
      status: 'invalid',
      problem: checked.problem,
      message: checked.message,
      words: checked.intent ? intentInWords(checked.intent) : null,
    };
  }
  return { status: checked.status };
}

/**
 * The seq of an earlier event of the same actor whose signature carries an intent with
 * this nonce, or null. `contains` is a LIKE (`_` matches any character): every candidate's
 * intent is compared exactly.
 */
async function earlierEventWithIntent(client: Db, seq: number, actorId: string | null, nonce: unknown): Promise<number | null> {
  if (typeof nonce !== 'string' || nonce.length === 0) return null;
  const candidates = await client.auditEvent.findMany({
    where: { seq: { lt: seq }, actorId, details: { contains: nonce } },
    orderBy: { seq: 'asc' },
    select: { seq: true, details: true },
  });
  for (const candidate of candidates) {
    const signature = (JSON.parse(candidate.details) as { signature?: { intent?: unknown } }).signature;
    if (typeof signature?.intent !== 'string') continue;
    try {
      if ((JSON.parse(signature.intent) as { nonce?: unknown }).nonce === nonce) return candidate.seq;
    } catch {
      // Not an intent: not a use of this one.
    }
  }
  return null;
}

/** {@link eventSignature} for a viewer of the audit trail who may read that event (else null). */
export async function eventSignatureFor(viewer: Viewer, seq: number): Promise<EventSignatureDTO | null> {
  assertAuditCapability(viewer, 'browse');
  const client = await db();
  const visible = await client.auditEvent.findFirst({
    where: scopedWhere(abilityFor(viewer), 'read', 'AuditEvent', { seq }),
    select: { seq: true },
  });
  return visible ? eventSignature(client, seq) : null;
}
