import 'server-only';
import { recordAudit } from '@/lib/audit/record';
import type { SignatureEvidence } from '@/lib/audit/signed-intent';
import { hashPassword, verifyPassword } from '@/lib/auth/password';
import { recordAccountFailure } from '@/lib/auth/throttle';
import { now } from '@/lib/clock';
import { countRemainingRecoveryCodes, generateRecoveryCodes } from '@/lib/auth/recovery-codes';
import { openSecret, sealSecret, SecretBoxError } from '@/lib/auth/secret-box';
import { INTENT_WRITE_GRACE_MS } from '@/lib/auth/step-up';
import { disableTotp, enableTotp, generateTotpSecret, totpQrDataUrl, totpUri } from '@/lib/auth/totp';
import type { Viewer } from '@/lib/auth/viewer';
import { finishPasskeyRegistration, listPasskeys, removePasskey, renamePasskey, startPasskeyRegistration } from '@/lib/auth/webauthn';
import { readClientChallenge } from '@/lib/auth/webauthn-config';
import type { Authorization } from '@/lib/authz/authorization';
import { ActionError } from '@/lib/authz/result';
import { db, type Db, type Tx } from '@/lib/db';
import { stepUpDetails } from '@/lib/dal/audit-details';

/**
 * The viewer's own second factors: TOTP, passkeys and recovery codes. Every
 * change is one transaction with its audit event; ownership is always the
 * viewer's id in the WHERE clause.
 */

const actorOf = (v: Viewer) => ({ id: v.userId, role: v.role, sessionId: v.sessionId });
const enrolAad = (userId: string) => `totp-enrol:${userId}`;

/**
 * What a self-service step-up operation's event says about its step-up (issue 13):
 * as every step-up operation's, stepUpDetails — `stepUp`, `stepUpMethod` and, for
 * a passkey, the signed intent and assertion the offline verifier re-checks.
 * Enrolment is the exception: someone with no second factor yet has nothing to
 * step up with, and a sign-in within FRESH_SIGN_IN_MS stood in for the proof
 * (defineAction). That is recorded as what it is — no step-up, enrolment, and
 * when the sign-in was — not as a step-up without a signature.
 */
function stepUpEvidence(authz: Authorization): Record<string, unknown> {
  if (authz.steppedUp && !authz.stepUpProof && !authz.viewer.mfaEnrolled) {
    return { stepUp: false, enrolment: true, signedInAt: authz.viewer.authTime.toISOString() };
  }
  return stepUpDetails(authz);
}

export async function getSecurityOverview(viewer: Viewer) {
  const client = await db();
  const user = await client.user.findUniqueOrThrow({
    where: { id: viewer.userId },
    select: { email: true, totpEnabledAt: true, recoveryCodesAt: true, recoveryCodeUsedAt: true },
  });
  const [passkeys, recoveryCodesLeft] = await Promise.all([
    listPasskeys(client, viewer.userId),
    countRemainingRecoveryCodes(client, viewer.userId),
  ]);
  let totpSetup: { sealed: string; secret: string; qr: string } | null = null;
  if (!user.totpEnabledAt) {
    // A fresh secret for this render; it reaches the database only once a first code confirms it.
    const secret = generateTotpSecret();
    totpSetup = {
      secret,
      sealed: sealSecret(secret, enrolAad(viewer.userId)),
      qr: await totpQrDataUrl(totpUri({ secret, accountName: user.email })),
    };
  }
  return {
    totpEnabledAt: user.totpEnabledAt,
    totpSetup,
    passkeys,
    recoveryCodesLeft,
    recoveryCodesAt: user.recoveryCodesAt,
    recoveryCodeUsedAt: user.recoveryCodeUsedAt,
  };
}

/** Confirms TOTP enrolment with a first code. On a first factor, also issues recovery codes (shown once). */
export async function enableTotpForViewer(authz: Authorization, sealed: string, code: string): Promise<{ recoveryCodes: string[] | null }> {
  const viewer = authz.viewer;
  let secret: string;
  try {
    secret = openSecret(sealed, enrolAad(viewer.userId));
  } catch (error) {
    if (error instanceof SecretBoxError)
      throw new ActionError('VALIDATION', 'This setup has expired. Reload the page and scan the new code.');
    throw error;
  }
  const client = await db();
  return client.$transaction(async (tx) => {
    const result = await enableTotp(tx, viewer.userId, secret, code);
    if (!result.ok) {
      throw new ActionError(
        'VALIDATION',
        result.reason === 'already_enrolled'
          ? 'An authenticator app is already set up.'
          : 'That code did not match. Check the time on your phone and try the next code.',
        result.reason === 'invalid' ? { code: ['That code did not match.'] } : undefined,
      );
    }
    await recordAudit(tx, {
      actor: actorOf(viewer),
      operation: 'account.totp_enable',
      target: { type: 'User', id: viewer.userId },
      outcome: 'success',
      details: stepUpEvidence(authz),
      decision: 'account.own',
    });
    return { recoveryCodes: await issueFirstRecoveryCodes(tx, viewer, 'account.totp_enable') };
  });
}

export async function disableTotpForViewer(authz: Authorization): Promise<void> {
  const viewer = authz.viewer;
  const client = await db();
  await client.$transaction(async (tx) => {
    await assertAnotherFactor(tx, viewer, 'totp');
    await disableTotp(tx, viewer.userId);
    await recordAudit(tx, {
      actor: actorOf(viewer),
      operation: 'account.totp_disable',
      target: { type: 'User', id: viewer.userId },
      outcome: 'success',
      details: stepUpEvidence(authz),
      decision: 'account.own',
    });
  });
}

/**
 * Starts a passkey registration. The step-up is spent here, but the event is
 * written when the registration finishes (another action, without a step-up of
 * its own): the step-up's evidence is kept on the registration challenge it
 * authorized, and the finish that consumes that challenge — once — records it.
 */
export async function beginPasskeyRegistrationForViewer(authz: Authorization) {
  const viewer = authz.viewer;
  const client = await db();
  const options = await startPasskeyRegistration(
    client,
    { id: viewer.userId, email: viewer.email, name: viewer.name, role: viewer.role },
    { sessionId: viewer.sessionId },
  );
  // The client has not seen this challenge yet, so no finish can consume it before the evidence is on it.
  const kept = await client.authChallenge.updateMany({
    where: { challenge: options.challenge, purpose: 'webauthn.register', userId: viewer.userId, sessionId: viewer.sessionId },
    data: { operation: REGISTER_OP, intent: JSON.stringify(stepUpEvidence(authz)) },
  });
  if (kept.count !== 1) throw new Error('the registration challenge just issued was not found');
  return options;
}

const REGISTER_OP = 'account.passkey_register';

/**
 * The step-up evidence kept on the registration challenge this response answers
 * (beginPasskeyRegistrationForViewer), read before finishPasskeyRegistration
 * consumes the challenge; null for a challenge issued without it.
 */
async function registrationStepUp(client: Db, viewer: Viewer, response: unknown): Promise<Record<string, unknown> | null> {
  const challenge = readClientChallenge(response);
  if (challenge === null) return null;
  const row = await client.authChallenge.findFirst({
    where: { challenge, purpose: 'webauthn.register', userId: viewer.userId, sessionId: viewer.sessionId, operation: REGISTER_OP },
    select: { intent: true },
  });
  if (!row?.intent) return null;
  const evidence = JSON.parse(row.intent) as unknown;
  return typeof evidence === 'object' && evidence !== null && !Array.isArray(evidence) ? (evidence as Record<string, unknown>) : null;
}

/**
 * A passkey-signed intent authorizes an event recorded before it expires (the
 * verifier checks the event's ts against it). A registration finished too late
 * for that is not done: its event could not carry a valid signature.
 */
function assertSignatureStillValid(evidence: Record<string, unknown> | null) {
  const signature = evidence?.signature as SignatureEvidence | undefined;
  if (!signature) return;
  const expiresAt = Date.parse((JSON.parse(signature.intent) as { expiresAt?: string }).expiresAt ?? '');
  if (!(expiresAt - now().getTime() > INTENT_WRITE_GRACE_MS)) {
    throw new ActionError('VALIDATION', 'Adding this passkey took too long, so it was not added. Start again.');
  }
}

const REGISTRATION_MESSAGES: Record<string, string> = {
  credential_in_use: 'This passkey is already registered.',
  credential_registered_before: 'This passkey was registered before; create a new one on your authenticator.',
  device_bound_required: 'Your role requires a passkey that stays on one device (not a synced passkey).',
  user_not_verified: 'The passkey did not verify you (PIN or biometric). Try again.',
  algorithm_not_allowed: 'This passkey uses an algorithm Warden does not accept.',
};

export async function finishPasskeyRegistrationForViewer(viewer: Viewer, name: string, response: unknown) {
  const client = await db();
  const stepUp = await registrationStepUp(client, viewer, response);
  let recoveryCodes: string[] | null = null;
  // The credential, its audit event and any first recovery codes commit together.
  const result = await finishPasskeyRegistration(
    client,
    { id: viewer.userId, email: viewer.email, name: viewer.name, role: viewer.role },
    response,
    {
      name,
      sessionId: viewer.sessionId,
      onStored: async (tx, credential, key) => {
        assertSignatureStillValid(stepUp);
        await recordAudit(tx, {
          actor: actorOf(viewer),
          operation: 'account.passkey_register',
          target: { type: 'WebAuthnCredential', id: credential.id },
          outcome: 'success',
          // The public key goes into the chain, so signed intents stay verifiable offline
          // after the passkey is removed (issue 13; credentials.json in export bundles).
          details: {
            ...stepUp,
            name,
            deviceType: credential.deviceType,
            credentialId: key.credentialId,
            publicKey: key.publicKey,
            algorithm: key.algorithm,
          },
          decision: 'account.own',
        });
        recoveryCodes = await issueFirstRecoveryCodes(tx, viewer, 'account.passkey_register');
      },
    },
  );
  if (!result.ok)
    throw new ActionError('VALIDATION', REGISTRATION_MESSAGES[result.reason] ?? 'The passkey could not be registered. Start again.');
  return { recoveryCodes };
}

/** `authz`: the action's (its step-up is recorded); absent only where a test removes a passkey directly. */
export async function removePasskeyForViewer(viewer: Viewer, id: string, authz?: Authorization): Promise<void> {
  const client = await db();
  await client.$transaction(async (tx) => {
    await assertAnotherFactor(tx, viewer, 'passkey');
    const removed = await removePasskey(tx, viewer.userId, id);
    if (!removed) throw new ActionError('NOT_FOUND', 'That passkey does not exist.');
    await recordAudit(tx, {
      actor: actorOf(viewer),
      operation: 'account.passkey_remove',
      target: { type: 'WebAuthnCredential', id },
      outcome: 'success',
      ...(authz ? { details: stepUpEvidence(authz) } : {}),
      decision: 'account.own',
    });
  });
}

export async function regenerateRecoveryCodesForViewer(authz: Authorization): Promise<string[]> {
  const viewer = authz.viewer;
  const client = await db();
  return client.$transaction(async (tx) => {
    const codes = await generateRecoveryCodes(tx, viewer.userId);
    await tx.user.update({ where: { id: viewer.userId }, data: { recoveryCodeUsedAt: null } });
    await recordAudit(tx, {
      actor: actorOf(viewer),
      operation: 'account.recovery_codes_generate',
      target: { type: 'User', id: viewer.userId },
      outcome: 'success',
      details: { ...stepUpEvidence(authz), count: codes.length },
      decision: 'account.own',
    });
    return codes;
  });
}

/**
 * The first factor a user enrols comes with recovery codes, so losing that device is not the end.
 * Their event names the operation they come with (same transaction, same correlation id) and
 * carries no step-up evidence of its own: that operation's event holds it, and one signed intent
 * authorizes one event (the verifier refuses an intent replayed or recorded for another operation).
 */
async function issueFirstRecoveryCodes(
  tx: Tx,
  viewer: Viewer,
  issuedWith: 'account.totp_enable' | 'account.passkey_register',
): Promise<string[] | null> {
  const user = await tx.user.findUniqueOrThrow({ where: { id: viewer.userId }, select: { recoveryCodesAt: true } });
  if (user.recoveryCodesAt) return null;
  const codes = await generateRecoveryCodes(tx, viewer.userId);
  await recordAudit(tx, {
    actor: actorOf(viewer),
    operation: 'account.recovery_codes_generate',
    target: { type: 'User', id: viewer.userId },
    outcome: 'success',
    details: { count: codes.length, first: true, issuedWith },
    decision: 'account.own',
  });
  return codes;
}

/** Console roles must keep a second factor: the last one cannot be removed. */
async function assertAnotherFactor(tx: Tx, viewer: Viewer, removing: 'totp' | 'passkey') {
  const user = await tx.user.findUniqueOrThrow({
    where: { id: viewer.userId },
    select: { totpEnabledAt: true, _count: { select: { webauthnCredentials: true } } },
  });
  const totp = user.totpEnabledAt ? 1 : 0;
  const passkeys = user._count.webauthnCredentials;
  const others = removing === 'totp' ? passkeys : totp + passkeys - 1;
  if (others < 1) throw new ActionError('CONFLICT', 'This is your only second factor. Add another one before removing it.');
}

/**
 * Changes the viewer's password (after a step-up): the current password is
 * checked again, a wrong one counts on the account's failure counter, and other
 * sessions end unless the viewer chose to keep them (ASVS V6.2.3, V7.4.3).
 */
export async function changePasswordForViewer(
  authz: Authorization,
  input: { currentPassword: string; newPassword: string; signOutOthers: boolean },
) {
  const viewer = authz.viewer;
  const client = await db();
  const user = await client.user.findUniqueOrThrow({ where: { id: viewer.userId }, select: { passwordHash: true, email: true } });
  const ok = user.passwordHash ? await verifyPassword(user.passwordHash, input.currentPassword) : false;
  if (!ok) {
    await client.$transaction(async (tx) => {
      await recordAccountFailure(tx, viewer.userId);
      await recordAudit(tx, {
        actor: actorOf(viewer),
        operation: 'account.password_change',
        target: { type: 'User', id: viewer.userId },
        outcome: 'failure',
        reasonCode: 'bad_password',
        // The step-up was spent on this attempt: its evidence goes with the refusal.
        details: stepUpEvidence(authz),
        decision: 'account.own',
      });
    });
    throw new ActionError('VALIDATION', 'Your current password is not right.', {
      currentPassword: ['Your current password is not right.'],
    });
  }
  const contextWords = [user.email.split('@')[0] ?? '', 'warden'].filter((w) => w.length >= 4);
  if (contextWords.some((w) => input.newPassword.toLowerCase().includes(w.toLowerCase()))) {
    throw new ActionError('VALIDATION', 'Choose a password that does not contain your name, email or “warden”.', {
      newPassword: ['Choose a password that does not contain your name, email or “warden”.'],
    });
  }
  const passwordHash = await hashPassword(input.newPassword);
  return client.$transaction(async (tx) => {
    await tx.user.update({ where: { id: viewer.userId }, data: { passwordHash } });
    const ended = input.signOutOthers
      ? await tx.session.updateMany({
          where: { userId: viewer.userId, revokedAt: null, NOT: { id: viewer.sessionId } },
          data: { revokedAt: now(), revokedReason: 'password_changed' },
        })
      : { count: 0 };
    await recordAudit(tx, {
      actor: actorOf(viewer),
      operation: 'account.password_change',
      target: { type: 'User', id: viewer.userId },
      outcome: 'success',
      details: { ...stepUpEvidence(authz), otherSessionsEnded: ended.count },
      decision: 'account.own',
    });
    return { otherSessionsEnded: ended.count };
  });
}

/** Renames one of the viewer's passkeys (ownership in the WHERE). */
export async function renamePasskeyForViewer(viewer: Viewer, id: string, name: string): Promise<void> {
  const client = await db();
  await client.$transaction(async (tx) => {
    const renamed = await renamePasskey(tx, viewer.userId, id, name);
    if (!renamed) throw new ActionError('NOT_FOUND', 'That passkey does not exist.');
    await recordAudit(tx, {
      actor: actorOf(viewer),
      operation: 'account.passkey_rename',
      target: { type: 'WebAuthnCredential', id },
      outcome: 'success',
      details: { name },
      decision: 'account.own',
    });
  });
}
