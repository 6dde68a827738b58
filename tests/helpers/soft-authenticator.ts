/**
 * A software WebAuthn authenticator for integration tests (node:crypto only). It
 * produces the same JSON that @simplewebauthn/browser hands to the server, with
 * real keys and signatures, so tests exercise the verifier instead of a mock:
 *
 * - registration: attestation "none", authenticator data with UP/UV/BE/BS/AT flags
 *   and attested credential data carrying a COSE public key (WebAuthn L3 §6.1, §6.5.1);
 * - authentication: authenticator data + a signature over
 *   authenticatorData ‖ SHA-256(clientDataJSON) (WebAuthn L3 §6.3.3);
 * - ES256 (DER-encoded ECDSA P-256), EdDSA (Ed25519) and RS256 (for negative tests).
 *
 * Everything is settable (origin, rpId, signCount, flags), and `resign` re-signs an
 * assertion after its clientDataJSON or authenticator data was tampered with, which
 * is what an attacker holding the private key (a cloned authenticator) could do.
 * It does not refuse excluded or disallowed credentials: servers must not rely on that.
 * Binary values are unpadded base64url throughout, as in SimpleWebAuthn.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

export type SoftAlgorithm = 'ES256' | 'EdDSA' | 'RS256';

/** COSE algorithm identifiers (RFC 9053, IANA COSE registry). */
export const COSE_ALGORITHM: Record<SoftAlgorithm, number> = { ES256: -7, EdDSA: -8, RS256: -257 };

/** Authenticator data flag bits (WebAuthn L3 §6.1). */
export const AUTH_DATA_FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40, ED: 0x80 } as const;

export interface SoftAuthenticatorOptions {
  origin: string;
  rpId: string;
  /** Default ES256. */
  algorithm?: SoftAlgorithm;
  /** The authenticator's current signature counter (default 0). */
  signCount?: number;
  /** True (default): each assertion increments the counter first. False: it always reports `signCount` (synced passkeys report 0). */
  countsSignatures?: boolean;
  /** Default true. */
  userVerified?: boolean;
  /** Default true. */
  userPresent?: boolean;
  /** BE flag: backup eligible, i.e. a synced (multi-device) passkey. Default false. */
  backupEligible?: boolean;
  /** BS flag: currently backed up. Default false. */
  backedUp?: boolean;
  /** base64url credential id; default 32 random bytes. */
  credentialId?: string;
  /** 16-byte AAGUID; default all zeros (as with attestation "none"). */
  aaguid?: Uint8Array;
}

/** Per-call changes: a different origin, RP ID, challenge, type, flags or counter than the authenticator's own. */
export interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  challenge?: string;
  type?: string;
  userVerified?: boolean;
  userPresent?: boolean;
  backupEligible?: boolean;
  backedUp?: boolean;
  /** The counter to report; the authenticator's own counter is left unchanged. */
  signCount?: number;
}

/** The decoded clientDataJSON (WebAuthn L3 §5.8.1). */
export interface ClientData {
  type: string;
  challenge: string;
  origin: string;
  crossOrigin?: boolean;
  topOrigin?: string;
  [key: string]: unknown;
}

export class SoftAuthenticator {
  readonly algorithm: SoftAlgorithm;
  readonly credentialId: string;
  origin: string;
  rpId: string;
  signCount: number;
  countsSignatures: boolean;
  userVerified: boolean;
  userPresent: boolean;
  backupEligible: boolean;
  backedUp: boolean;
  /** base64url user handle, remembered from the registration options (returned in assertions). */
  userHandle: string | undefined;
  private readonly aaguid: Uint8Array;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(opts: SoftAuthenticatorOptions) {
    this.algorithm = opts.algorithm ?? 'ES256';
    this.credentialId = opts.credentialId ?? randomBytes(32).toString('base64url');
    this.origin = opts.origin;
    this.rpId = opts.rpId;
    this.signCount = opts.signCount ?? 0;
    this.countsSignatures = opts.countsSignatures ?? true;
    this.userVerified = opts.userVerified ?? true;
    this.userPresent = opts.userPresent ?? true;
    this.backupEligible = opts.backupEligible ?? false;
    this.backedUp = opts.backedUp ?? false;
    this.aaguid = opts.aaguid ?? new Uint8Array(16);
    const pair = generateKeys(this.algorithm);
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  /** Answers `navigator.credentials.create()` with attestation "none" (a RegistrationResponseJSON). */
  register(options: PublicKeyCredentialCreationOptionsJSON, overrides: CeremonyOverrides = {}): RegistrationResponseJSON {
    this.userHandle = options.user.id;
    const clientData = this.clientData('webauthn.create', options.challenge, overrides);
    const attestedCredentialData = Buffer.concat([
      this.aaguid,
      uint16(Buffer.from(this.credentialId, 'base64url').length),
      Buffer.from(this.credentialId, 'base64url'),
      encodeCbor(this.coseKey()),
    ]);
    const authData = Buffer.concat([
      this.authDataHead(overrides, overrides.signCount ?? this.signCount, AUTH_DATA_FLAGS.AT),
      attestedCredentialData,
    ]);
    const attestationObject = encodeCbor(
      new Map<CborValue, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(Buffer.from(JSON.stringify(clientData))),
        attestationObject: b64url(attestationObject),
        authenticatorData: b64url(authData),
        transports: ['internal'],
        publicKeyAlgorithm: COSE_ALGORITHM[this.algorithm],
        publicKey: b64url(this.publicKey.export({ type: 'spki', format: 'der' })),
      },
      clientExtensionResults: { credProps: { rk: true } },
      authenticatorAttachment: 'platform',
    };
  }

  /** Answers `navigator.credentials.get()` (an AuthenticationResponseJSON). Counts the signature unless `signCount` is overridden. */
  authenticate(options: PublicKeyCredentialRequestOptionsJSON, overrides: CeremonyOverrides = {}): AuthenticationResponseJSON {
    let count = overrides.signCount;
    if (count === undefined) {
      if (this.countsSignatures) this.signCount += 1;
      count = this.signCount;
    }
    const clientDataJSON = Buffer.from(JSON.stringify(this.clientData('webauthn.get', options.challenge, overrides)));
    const authData = this.authDataHead(overrides, count, 0);
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(this.sign(authData, clientDataJSON)),
        ...(this.userHandle ? { userHandle: this.userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /**
   * Edits an assertion's clientDataJSON and/or authenticator data and signs the result
   * with this authenticator's key, so only the edited field can make the server refuse it.
   */
  resign(
    assertion: AuthenticationResponseJSON,
    edit: { clientData?: (data: ClientData) => ClientData; authenticatorData?: (bytes: Buffer) => Buffer },
  ): AuthenticationResponseJSON {
    const original = JSON.parse(Buffer.from(assertion.response.clientDataJSON, 'base64url').toString('utf8')) as ClientData;
    const clientDataJSON = edit.clientData
      ? Buffer.from(JSON.stringify(edit.clientData(original)))
      : Buffer.from(assertion.response.clientDataJSON, 'base64url');
    const authDataIn = Buffer.from(assertion.response.authenticatorData, 'base64url');
    const authData = edit.authenticatorData ? edit.authenticatorData(Buffer.from(authDataIn)) : authDataIn;
    return {
      ...assertion,
      response: {
        ...assertion.response,
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(this.sign(authData, clientDataJSON)),
      },
    };
  }

  private clientData(type: string, challenge: string, overrides: CeremonyOverrides): ClientData {
    return {
      type: overrides.type ?? type,
      challenge: overrides.challenge ?? challenge,
      origin: overrides.origin ?? this.origin,
      crossOrigin: false,
    };
  }

  /** rpIdHash ‖ flags ‖ signCount (WebAuthn L3 §6.1), with extra flag bits. */
  private authDataHead(overrides: CeremonyOverrides, signCount: number, extraFlags: number): Buffer {
    let flags = extraFlags;
    if (overrides.userPresent ?? this.userPresent) flags |= AUTH_DATA_FLAGS.UP;
    if (overrides.userVerified ?? this.userVerified) flags |= AUTH_DATA_FLAGS.UV;
    if (overrides.backupEligible ?? this.backupEligible) flags |= AUTH_DATA_FLAGS.BE;
    if (overrides.backedUp ?? this.backedUp) flags |= AUTH_DATA_FLAGS.BS;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(signCount);
    return Buffer.concat([rpIdHash(overrides.rpId ?? this.rpId), Buffer.from([flags]), counter]);
  }

  /** The assertion signature over authenticatorData ‖ SHA-256(clientDataJSON) (WebAuthn L3 §6.3.3 step 11). */
  private sign(authData: Buffer, clientDataJSON: Buffer): Buffer {
    const data = Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]);
    // ES256: DER-encoded ECDSA signature, as WebAuthn requires (§6.5.6); RS256: PKCS#1 v1.5.
    return this.algorithm === 'EdDSA' ? sign(null, data, this.privateKey) : sign('sha256', data, this.privateKey);
  }

  /** The credential public key as a COSE_Key (RFC 9052 §7, RFC 9053 §2.1, §2.2; RFC 8230 for RSA). */
  private coseKey(): Map<CborValue, CborValue> {
    const jwk = this.publicKey.export({ format: 'jwk' });
    const bytes = (value: string | undefined) => Buffer.from(value ?? '', 'base64url');
    if (this.algorithm === 'ES256') {
      return new Map<CborValue, CborValue>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, bytes(jwk.x)],
        [-3, bytes(jwk.y)],
      ]);
    }
    if (this.algorithm === 'EdDSA') {
      return new Map<CborValue, CborValue>([
        [1, 1],
        [3, -8],
        [-1, 6],
        [-2, bytes(jwk.x)],
      ]);
    }
    return new Map<CborValue, CborValue>([
      [1, 3],
      [3, -257],
      [-1, bytes(jwk.n)],
      [-2, bytes(jwk.e)],
    ]);
  }
}

/** SHA-256 of an RP ID, as authenticator data carries it. */
export function rpIdHash(rpId: string): Buffer {
  return createHash('sha256').update(rpId).digest();
}

function generateKeys(algorithm: SoftAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  if (algorithm === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (algorithm === 'EdDSA') return generateKeyPairSync('ed25519');
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function uint16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value);
  return out;
}

type CborValue = number | string | Uint8Array | CborValue[] | Map<CborValue, CborValue>;

/** Minimal deterministic CBOR encoder (RFC 8949): integers, byte and text strings, arrays and maps. */
function encodeCbor(value: CborValue): Buffer {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError('Only integers are supported');
    return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([cborHead(4, value.length), ...value.map(encodeCbor)]);
  const parts: Buffer[] = [cborHead(5, value.size)];
  for (const [k, v] of value) parts.push(encodeCbor(k), encodeCbor(v));
  return Buffer.concat(parts);
}

function cborHead(major: number, length: number): Buffer {
  const type = major << 5;
  if (length < 24) return Buffer.from([type | length]);
  if (length < 0x100) return Buffer.from([type | 24, length]);
  if (length < 0x10000) return Buffer.concat([Buffer.from([type | 25]), uint16(length)]);
  const out = Buffer.alloc(5);
  out[0] = type | 26;
  out.writeUInt32BE(length, 1);
  return out;
}
