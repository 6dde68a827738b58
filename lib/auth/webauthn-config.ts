import 'server-only';
import { env } from '@/lib/env';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';

/**
 * WebAuthn relying-party configuration and the pure rules of the passkey
 * ceremonies. No I/O besides reading the validated environment, so the rules
 * can be unit-tested and reviewed on their own.
 */

/** The relying party as the browser and the verifier must see it. */
export interface WebAuthnConfig {
  /** RP ID: a registrable domain suffix of (or equal to) the origin's host (WebAuthn L3 §5.1.3, §13.4.9). */
  rpID: string;
  /** Shown by the authenticator's UI. */
  rpName: string;
  /** The one origin whose clientDataJSON.origin is accepted (WebAuthn L3 §7.1 step 9, §7.2 step 13). */
  expectedOrigin: string;
}

/** The name authenticators show for this relying party. */
export const WEBAUTHN_RP_NAME = 'Warden';

/**
 * Derives the relying party from configuration alone: the origin of APP_URL and
 * either WEBAUTHN_RP_ID or APP_URL's host name. There is deliberately no request
 * parameter: Host, Origin and X-Forwarded-* are attacker-controlled, and a verifier
 * that trusted them would accept assertions made for a phishing origin (T09;
 * ASVS V6.3.3, WebAuthn L3 §13.4.9). Throws on a configuration the browser would
 * refuse anyway (an IP-address RP ID, or an RP ID that is not a suffix of the host).
 */
export function deriveWebAuthnConfig(input: { appUrl: string; rpId?: string | undefined }): WebAuthnConfig {
  const url = new URL(input.appUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('APP_URL must be an http(s) URL for WebAuthn.');
  const host = url.hostname.toLowerCase();
  const rpID = (input.rpId?.trim() || host).toLowerCase();
  if (isIpAddress(rpID)) throw new Error('WebAuthn needs a domain name: an IP address cannot be an RP ID (use localhost).');
  if (host !== rpID && !host.endsWith(`.${rpID}`)) {
    throw new Error('WEBAUTHN_RP_ID must equal the host name of APP_URL or be a parent domain of it.');
  }
  return { rpID, rpName: WEBAUTHN_RP_NAME, expectedOrigin: url.origin };
}

/** The relying party of this deployment, from the validated environment (see {@link deriveWebAuthnConfig}). */
export function webauthnConfig(): WebAuthnConfig {
  const e = env();
  return deriveWebAuthnConfig({ appUrl: e.APP_URL, rpId: e.WEBAUTHN_RP_ID });
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[') || host.includes(':');
}

/** The passkey numbers of AUTHENTICATION_POLICY that the ceremonies read. */
export interface PasskeyPolicy {
  /** Accepted COSE algorithm identifiers (-7 ES256, -8 EdDSA). */
  passkeyAlgorithms: readonly number[];
  /** Roles whose passkeys must be device-bound (BE = 0). */
  deviceBoundPasskeysFor: readonly string[];
  /** Challenge lifetime (ASVS V6.7.2, V11.5.1: ≤ 5 minutes here). */
  challengeTtlMs: number;
}

/** The policy in force, with an optional override (tests pass one to turn rules on or off). */
export function resolvePasskeyPolicy(override?: Partial<PasskeyPolicy>): PasskeyPolicy {
  return {
    passkeyAlgorithms: override?.passkeyAlgorithms ?? AUTHENTICATION_POLICY.passkeyAlgorithms,
    deviceBoundPasskeysFor: override?.deviceBoundPasskeysFor ?? AUTHENTICATION_POLICY.deviceBoundPasskeysFor,
    challengeTtlMs: override?.challengeTtlMs ?? AUTHENTICATION_POLICY.challengeTtlMs,
  };
}

/**
 * The signature-counter rule (WebAuthn L3 §6.1.1, §7.2 step 22; T12). Both zero
 * means the authenticator does not count (synced passkeys): accepted. Otherwise
 * the presented value must be strictly greater than the stored one; anything
 * else (lower, or equal and non-zero) signals a possibly cloned authenticator.
 */
export function checkSignCount(stored: number, presented: number): 'ok' | 'regression' {
  if (stored === 0 && presented === 0) return 'ok';
  return presented > stored ? 'ok' : 'regression';
}

/**
 * The challenge a response claims to answer, read from its clientDataJSON without
 * trusting anything else in it: the value only selects the AuthChallenge row to
 * consume. Null when the response is not shaped like one (then nothing is consumed).
 */
export function readClientChallenge(response: unknown): string | null {
  if (typeof response !== 'object' || response === null) return null;
  const inner = (response as { response?: unknown }).response;
  if (typeof inner !== 'object' || inner === null) return null;
  const clientDataJSON = (inner as { clientDataJSON?: unknown }).clientDataJSON;
  if (typeof clientDataJSON !== 'string' || clientDataJSON.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(clientDataJSON)) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    const challenge = typeof parsed === 'object' && parsed !== null ? (parsed as { challenge?: unknown }).challenge : undefined;
    return typeof challenge === 'string' && CHALLENGE_SHAPE.test(challenge) ? challenge : null;
  } catch {
    return null;
  }
}

/**
 * True when clientDataJSON says the ceremony ran in a cross-origin iframe. The console
 * is never framed (frame-ancestors 'none'), so such a response is refused even when it
 * carries no topOrigin, which the library only checks when present (WebAuthn L3 §5.8.1).
 */
export function isCrossOriginClientData(clientDataJSON: string): boolean {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    return typeof parsed !== 'object' || parsed === null || (parsed as { crossOrigin?: unknown }).crossOrigin === true;
  } catch {
    return true;
  }
}

/** 32 random bytes in unpadded base64url. */
const CHALLENGE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The WebAuthn user handle of a user: the bytes of the opaque user id, never the
 * email (WebAuthn L3 §14.6.1: the user handle must not carry personal data).
 */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(userId);
}

/** Longest passkey name, in code points. */
export const PASSKEY_NAME_MAX = 64;

/**
 * A passkey name as stored: trimmed, 1–64 code points, without control or bidi
 * override characters (they could fake line breaks or reorder text in lists and
 * the audit viewer; ASVS V16.4.1). Null when nothing acceptable remains.
 */
export function normalizePasskeyName(name: string): string | null {
  const trimmed = name.trim();
  const length = [...trimmed].length;
  if (length === 0 || length > PASSKEY_NAME_MAX) return null;
  if (/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(trimmed)) return null;
  return trimmed;
}

/** A passkey as the account pages show it: no key material, no credential id. */
export interface PasskeyDTO {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** 'synced' when the credential is backup-eligible (BE = 1), else 'device-bound'. */
  deviceType: 'synced' | 'device-bound';
  /** True after a signature-counter regression: the passkey is refused until removed. */
  flagged: boolean;
}

/** Maps a credential row to its DTO. */
export function toPasskeyDTO(row: {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  deviceType: string;
  flaggedAt: Date | null;
}): PasskeyDTO {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    deviceType: row.deviceType === 'multiDevice' ? 'synced' : 'device-bound',
    flagged: row.flaggedAt !== null,
  };
}
