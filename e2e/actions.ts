import fs from 'node:fs';
import path from 'node:path';
import { expect, type APIRequestContext, type CDPSession, type Page } from '@playwright/test';
import { freshTotpCode, type TestUser } from './fixtures';

/**
 * Server actions as an attacker sees them: public POST endpoints named by an id
 * in the build's server-reference manifest. These helpers read that manifest and
 * call actions straight over HTTP (curl-style, T24/T25), bypassing every client
 * check, with whatever cookies the request context carries.
 */

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export interface BuiltAction {
  id: string;
  exportedName: string;
  filename: string;
  /** A page path whose bundle includes the action (Next dispatches the POST there). */
  path: string;
}

/** Every server action in the e2e build, from .next-e2e/server/server-reference-manifest.json. */
export function builtActions(): BuiltAction[] {
  const file = path.join(root, '.next-e2e/server/server-reference-manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    node: Record<string, { workers: Record<string, unknown>; filename: string; exportedName: string }>;
  };
  return Object.entries(manifest.node).map(([id, entry]) => ({
    id,
    exportedName: entry.exportedName,
    filename: entry.filename,
    path: pagePath(Object.keys(entry.workers)[0] ?? 'app/page'),
  }));
}

/** "app/(console)/users/[id]/page" → "/users/x". */
function pagePath(worker: string): string {
  const segments = worker
    .replace(/^app\//, '')
    .replace(/\/?page$/, '')
    .split('/')
    .filter((s) => s && !/^\(.*\)$/.test(s))
    .map((s) => (s.startsWith('[') ? 'x' : s));
  return `/${segments.join('/')}`;
}

/** The built action exported under `name`. */
export function builtAction(name: string): BuiltAction {
  const found = builtActions().find((a) => a.exportedName === name);
  if (!found) throw new Error(`no built server action exports ${name}`);
  return found;
}

export interface ActionReply {
  status: number;
  ok: boolean;
  code: string | null;
  /** The ActionResult the action returned, read out of the RSC reply (null if none). */
  result: { ok: boolean; code?: string; message?: string; data?: unknown } | null;
  body: string;
}

/** Finds the ActionResult among the rows of an RSC reply ("<id>:<json>" per line). */
function readResult(body: string): ActionReply['result'] {
  for (const line of body.split('\n')) {
    const json = line.slice(line.indexOf(':') + 1);
    try {
      const value = JSON.parse(json) as unknown;
      if (value && typeof value === 'object' && typeof (value as { ok?: unknown }).ok === 'boolean') return value as ActionReply['result'];
    } catch {
      // not a JSON row
    }
  }
  return null;
}

/**
 * POSTs to a server action with the given arguments, as React would encode
 * plain JSON arguments, and reads the ActionResult out of the RSC reply.
 */
export async function callAction(request: APIRequestContext, name: string, args: unknown[]): Promise<ActionReply> {
  const action = builtAction(name);
  const response = await request.post(action.path, {
    headers: { 'next-action': action.id, 'content-type': 'text/plain;charset=UTF-8', accept: 'text/x-component' },
    data: JSON.stringify(args),
    maxRedirects: 0,
  });
  const body = await response.text();
  const result = readResult(body);
  return { status: response.status(), ok: result?.ok === true, code: result && !result.ok ? (result.code ?? null) : null, result, body };
}

/**
 * Obtains a step-up proof over HTTP the way the console does (begin, then an
 * authenticator code), for one operation and exact input, in the session of
 * `request`. The step-up renews the session cookie; the request context keeps it.
 */
export async function stepUpProof(request: APIRequestContext, user: TestUser, operation: string, input: Record<string, unknown>) {
  const begin = await callAction(request, 'beginStepUpAction', [{ operation, input }]);
  expect(begin.ok, begin.body.slice(0, 300)).toBe(true);
  const challengeId = (begin.result?.data as { challengeId?: string } | undefined)?.challengeId;
  expect(challengeId, 'a TOTP step-up challenge').toBeTruthy();
  const complete = await callAction(request, 'completeStepUpAction', [
    { operation, input, evidence: { method: 'totp', challengeId, code: await freshTotpCode(user) } },
  ]);
  expect(complete.ok, complete.body.slice(0, 300)).toBe(true);
  const proof = (complete.result?.data as { proof?: string } | undefined)?.proof;
  expect(proof).toBeTruthy();
  return proof!;
}

/**
 * Obtains a step-up proof with a passkey: the challenge is issued to the session
 * of `request`, and the assertion is made by the virtual authenticator of
 * `signer` (a page where addPasskey ran). Costs no authenticator code.
 */
export async function passkeyStepUpProof(request: APIRequestContext, signer: Page, operation: string, input: Record<string, unknown>) {
  const begin = await callAction(request, 'beginStepUpAction', [{ operation, input }]);
  expect(begin.ok, begin.body.slice(0, 300)).toBe(true);
  const data = begin.result?.data as { method?: string; options?: PasskeyRequestOptions } | undefined;
  expect(data?.method, 'a passkey step-up challenge').toBe('passkey');
  const options = data!.options!;
  const response = await signer.evaluate(assertWithPlatformAuthenticator, options);
  const complete = await callAction(request, 'completeStepUpAction', [{ operation, input, evidence: { method: 'passkey', response } }]);
  expect(complete.ok, complete.body.slice(0, 300)).toBe(true);
  return (complete.result?.data as { proof: string }).proof;
}

interface PasskeyRequestOptions {
  challenge: string;
  rpId?: string;
  timeout?: number;
  userVerification?: UserVerificationRequirement;
  allowCredentials?: { id: string; type: 'public-key'; transports?: string[] }[];
}

/** Runs in the browser: navigator.credentials.get with JSON options, answering JSON (what @simplewebauthn/browser does). */
async function assertWithPlatformAuthenticator(options: PasskeyRequestOptions) {
  const fromB64url = (s: string) =>
    Uint8Array.from(
      atob(
        s
          .replace(/-/g, '+')
          .replace(/_/g, '/')
          .padEnd(Math.ceil(s.length / 4) * 4, '='),
      ),
      (c) => c.charCodeAt(0),
    );
  const toB64url = (b: ArrayBuffer | null) =>
    b
      ? btoa(String.fromCharCode(...new Uint8Array(b)))
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, '')
      : undefined;
  const credential = (await navigator.credentials.get({
    publicKey: {
      challenge: fromB64url(options.challenge),
      rpId: options.rpId,
      timeout: options.timeout,
      userVerification: options.userVerification,
      allowCredentials: (options.allowCredentials ?? []).map((c) => ({ id: fromB64url(c.id), type: c.type })),
    },
  })) as PublicKeyCredential;
  const r = credential.response as AuthenticatorAssertionResponse;
  return {
    id: credential.id,
    rawId: toB64url(credential.rawId),
    type: 'public-key',
    clientExtensionResults: {},
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    response: {
      clientDataJSON: toB64url(r.clientDataJSON),
      authenticatorData: toB64url(r.authenticatorData),
      signature: toB64url(r.signature),
      userHandle: toB64url(r.userHandle),
    },
  };
}

/**
 * Gives the signed-in user a passkey on a CDP virtual authenticator (one TOTP
 * step-up), so that the step-ups that follow use the passkey and need no
 * authenticator code (each TOTP step is accepted only once).
 */
export async function addPasskey(page: Page, user: TestUser): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await page.goto('/account/security');
  await page.getByLabel('Name for a new passkey').fill('E2E key');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
  await dialog.getByLabel('Authenticator code').fill(await freshTotpCode(user));
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByTestId('passkey-row')).toHaveCount(1);
  return cdp;
}
