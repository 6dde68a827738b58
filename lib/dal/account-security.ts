import 'server-only';
import { recordAudit } from '@/lib/audit/record';
import { hashPassword, verifyPassword } from '@/lib/auth/password';
import { recordAccountFailure } from '@/lib/auth/throttle';
import { now } from '@/lib/clock';
import { countRemainingRecoveryCodes, generateRecoveryCodes } from '@/lib/auth/recovery-codes';
import { openSecret, sealSecret, SecretBoxError } from '@/lib/auth/secret-box';
import { disableTotp, enableTotp, generateTotpSecret, totpQrDataUrl, totpUri } from '@/lib/auth/totp';
import type { Viewer } from '@/lib/auth/viewer';
import { finishPasskeyRegistration, listPasskeys, removePasskey, renamePasskey, startPasskeyRegistration } from '@/lib/auth/webauthn';
import { ActionError } from '@/lib/authz/result';
import { db, type Tx } from '@/lib/db';

/**
 * The viewer's own second factors: TOTP, passkeys and recovery codes. Every
 * change is one transaction with its audit event; ownership is always the
 * viewer's id in the WHERE clause.
 */

const actorOf = (v: Viewer) => ({ id: v.userId, role: v.role, sessionId: v.sessionId });
const enrolAad = (userId: string) => `totp-enrol:${userId}`;

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
export async function enableTotpForViewer(viewer: Viewer, sealed: string, code: string): Promise<{ recoveryCodes: string[] | null }> {
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
      decision: 'account.own',
    });
    return { recoveryCodes: await issueFirstRecoveryCodes(tx, viewer) };
  });
}

export async function disableTotpForViewer(viewer: Viewer): Promise<void> {
  const client = await db();
  await client.$transaction(async (tx) => {
    await assertAnotherFactor(tx, viewer, 'totp');
    await disableTotp(tx, viewer.userId);
    await recordAudit(tx, {
      actor: actorOf(viewer),
      operation: 'account.totp_disable',
      target: { type: 'User', id: viewer.userId },
      outcome: 'success',
      decision: 'account.own',
    });
  });
}

export async function beginPasskeyRegistrationForViewer(viewer: Viewer) {
  const client = await db();
  return startPasskeyRegistration(
    client,
    { id: viewer.userId, email: viewer.email, name: viewer.name, role: viewer.role },
    { sessionId: viewer.sessionId },
  );
}

const REGISTRATION_MESSAGES: Record<string, string> = {
  credential_in_use: 'This passkey is already registered.',
  device_bound_required: 'Your role requires a passkey that stays on one device (not a synced passkey).',
  user_not_verified: 'The passkey did not verify you (PIN or biometric). Try again.',
  algorithm_not_allowed: 'This passkey uses an algorithm Warden does not accept.',
};

export async function finishPasskeyRegistrationForViewer(viewer: Viewer, name: string, response: unknown) {
  const client = await db();
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
        await recordAudit(tx, {
          actor: actorOf(viewer),
          operation: 'account.passkey_register',
          target: { type: 'WebAuthnCredential', id: credential.id },
          outcome: 'success',
          // The public key goes into the chain, so signed intents stay verifiable offline
          // after the passkey is removed (issue 13; credentials.json in export bundles).
          details: {
            name,
            deviceType: credential.deviceType,
            credentialId: key.credentialId,
            publicKey: key.publicKey,
            algorithm: key.algorithm,
          },
          decision: 'account.own',
        });
        recoveryCodes = await issueFirstRecoveryCodes(tx, viewer);
      },
    },
  );
  if (!result.ok)
    throw new ActionError('VALIDATION', REGISTRATION_MESSAGES[result.reason] ?? 'The passkey could not be registered. Start again.');
  return { recoveryCodes };
}

export async function removePasskeyForViewer(viewer: Viewer, id: string): Promise<void> {
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
      decision: 'account.own',
    });
  });
}

export async function regenerateRecoveryCodesForViewer(viewer: Viewer): Promise<string[]> {
  const client = await db();
  return client.$transaction(async (tx) => {
    const codes = await generateRecoveryCodes(tx, viewer.userId);
    await tx.user.update({ where: { id: viewer.userId }, data: { recoveryCodeUsedAt: null } });
    await recordAudit(tx, {
      actor: actorOf(viewer),
      operation: 'account.recovery_codes_generate',
      target: { type: 'User', id: viewer.userId },
      outcome: 'success',
      details: { count: codes.length },
      decision: 'account.own',
    });
    return codes;
  });
}

/** The first factor a user enrols comes with recovery codes, so losing that device is not the end. */
async function issueFirstRecoveryCodes(tx: Tx, viewer: Viewer): Promise<string[] | null> {
  const user = await tx.user.findUniqueOrThrow({ where: { id: viewer.userId }, select: { recoveryCodesAt: true } });
  if (user.recoveryCodesAt) return null;
  const codes = await generateRecoveryCodes(tx, viewer.userId);
  await recordAudit(tx, {
    actor: actorOf(viewer),
    operation: 'account.recovery_codes_generate',
    target: { type: 'User', id: viewer.userId },
    outcome: 'success',
    details: { count: codes.length, first: true },
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
  viewer: Viewer,
  input: { currentPassword: string; newPassword: string; signOutOthers: boolean },
) {
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
      details: { otherSessionsEnded: ended.count },
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
