import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  checkSignCount,
  deriveWebAuthnConfig,
  isCrossOriginClientData,
  normalizePasskeyName,
  PASSKEY_NAME_MAX,
  readClientChallenge,
  resolvePasskeyPolicy,
  toPasskeyDTO,
  userHandleOf,
  webauthnConfig,
} from './webauthn-config';

// A request that tries every header an attacker controls. If configuration ever read
// request headers (directly or through the request context), these would leak in.
const evilHeaders = new Headers({
  host: 'evil.example',
  origin: 'https://evil.example',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'http',
  referer: 'https://evil.example/login',
});
vi.mock('next/headers', () => ({ headers: async () => evilHeaders }));
vi.mock('@/lib/request/context', () => ({
  requestContext: async () => ({ correlationId: 'c', ip: '203.0.113.9', userAgent: 'evil' }),
}));

vi.stubEnv('APP_URL', 'https://admin.example.com');
vi.stubEnv('WEBAUTHN_RP_ID', undefined);

describe('WebAuthn relying-party configuration', () => {
  it('T09 config derivation ignores request headers: rpID and origin come from APP_URL only', () => {
    expect(webauthnConfig()).toEqual({ rpID: 'admin.example.com', rpName: 'Warden', expectedOrigin: 'https://admin.example.com' });
  });

  it('T09 the WebAuthn modules never import request headers or the request context', () => {
    for (const file of ['webauthn-config.ts', 'webauthn.ts']) {
      const source = fs.readFileSync(path.join(import.meta.dirname, file), 'utf8');
      expect(source).not.toMatch(/from ['"](next\/headers|@\/lib\/request\/[^'"]*)['"]/);
      expect(source).not.toMatch(/\bheaders\(\)/);
    }
  });

  it.each([
    ['https://admin.example.com', undefined, 'admin.example.com', 'https://admin.example.com'],
    ['https://Admin.Example.com:8443/console/', undefined, 'admin.example.com', 'https://admin.example.com:8443'],
    ['https://admin.example.com', 'example.com', 'example.com', 'https://admin.example.com'],
    ['https://admin.example.com', '', 'admin.example.com', 'https://admin.example.com'],
    ['http://localhost:3000', undefined, 'localhost', 'http://localhost:3000'],
  ])('derives %s (rpId %s) → rpID %s, origin %s', (appUrl, rpId, rpID, expectedOrigin) => {
    expect(deriveWebAuthnConfig({ appUrl, rpId })).toEqual({ rpID, rpName: 'Warden', expectedOrigin });
  });

  it.each([
    ['https://admin.example.com', 'evil.io'],
    ['https://admin.example.com', 'ample.com'],
    ['https://admin.example.com', 'admin.example.com.evil.io'],
    ['http://127.0.0.1:3000', undefined],
    ['http://[::1]:3000', undefined],
  ])('refuses APP_URL %s with rpId %s (not a registrable suffix, or an IP address)', (appUrl, rpId) => {
    expect(() => deriveWebAuthnConfig({ appUrl, rpId })).toThrow();
  });

  it('takes the policy from AUTHENTICATION_POLICY unless overridden', () => {
    expect(resolvePasskeyPolicy()).toEqual({ passkeyAlgorithms: [-7, -8], deviceBoundPasskeysFor: [], challengeTtlMs: 300_000 });
    expect(resolvePasskeyPolicy({ deviceBoundPasskeysFor: ['superadmin'] }).deviceBoundPasskeysFor).toEqual(['superadmin']);
  });
});

describe('signature counter rule', () => {
  it.each([
    [0, 0, 'ok'],
    [0, 1, 'ok'],
    [10, 11, 'ok'],
    [10, 10, 'regression'],
    [10, 5, 'regression'],
    [10, 0, 'regression'],
    [1, 1, 'regression'],
  ] as const)('T12 stored %i, presented %i → %s', (stored, presented, expected) => {
    expect(checkSignCount(stored, presented)).toBe(expected);
  });
});

describe('readClientChallenge', () => {
  const challenge = Buffer.alloc(32, 7).toString('base64url');
  const wrap = (clientData: unknown) => ({ response: { clientDataJSON: Buffer.from(JSON.stringify(clientData)).toString('base64url') } });

  it('reads the challenge of a well-formed response', () => {
    expect(readClientChallenge(wrap({ type: 'webauthn.get', challenge, origin: 'https://x' }))).toBe(challenge);
  });

  it.each([
    ['null', null],
    ['a string', 'x'],
    ['no response', {}],
    ['no clientDataJSON', { response: {} }],
    ['non-base64url clientDataJSON', { response: { clientDataJSON: '***' } }],
    ['clientDataJSON that is not JSON', { response: { clientDataJSON: Buffer.from('nope').toString('base64url') } }],
    ['a challenge of the wrong size', wrap({ challenge: 'abc' })],
    ['a non-string challenge', wrap({ challenge: 42 })],
    ['an oversized clientDataJSON', { response: { clientDataJSON: 'A'.repeat(5000) } }],
  ])('returns null for %s', (_label, value) => {
    expect(readClientChallenge(value)).toBeNull();
  });
});

describe('isCrossOriginClientData', () => {
  const encode = (value: string) => Buffer.from(value).toString('base64url');

  it.each([
    ['crossOrigin false', encode('{"type":"webauthn.get","crossOrigin":false}'), false],
    ['crossOrigin absent', encode('{"type":"webauthn.get"}'), false],
    ['crossOrigin true without topOrigin', encode('{"type":"webauthn.get","crossOrigin":true}'), true],
    ['not JSON', encode('nope'), true],
    ['not an object', encode('"x"'), true],
  ])('%s → %s', (_label, clientDataJSON, expected) => {
    expect(isCrossOriginClientData(clientDataJSON)).toBe(expected);
  });
});

describe('passkey names and DTOs', () => {
  it('normalizes names and refuses empty, oversized and control or bidi-override characters', () => {
    expect(normalizePasskeyName('  YubiKey 5  ')).toBe('YubiKey 5');
    expect(normalizePasskeyName('🔑'.repeat(PASSKEY_NAME_MAX))).toBe('🔑'.repeat(PASSKEY_NAME_MAX));
    expect(normalizePasskeyName('x'.repeat(PASSKEY_NAME_MAX + 1))).toBeNull();
    expect(normalizePasskeyName('   ')).toBeNull();
    expect(normalizePasskeyName('Laptop\nadmin.login ok')).toBeNull();
    expect(normalizePasskeyName('Key \u202Egnp.exe')).toBeNull();
  });

  it('maps rows to DTOs without key material', () => {
    const createdAt = new Date('2026-03-01T08:00:00Z');
    const dto = toPasskeyDTO({ id: 'c1', name: 'Phone', createdAt, lastUsedAt: null, deviceType: 'multiDevice', flaggedAt: createdAt });
    expect(dto).toEqual({ id: 'c1', name: 'Phone', createdAt, lastUsedAt: null, deviceType: 'synced', flagged: true });
    expect(toPasskeyDTO({ ...dto, deviceType: 'singleDevice', flaggedAt: null }).deviceType).toBe('device-bound');
  });

  it('uses the opaque user id as user handle, never the email', () => {
    expect(Buffer.from(userHandleOf('cm123abc')).toString('utf8')).toBe('cm123abc');
  });
});
