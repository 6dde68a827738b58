import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { signIn, type TestUser } from '../e2e/fixtures';
import { hashPassword } from '../lib/auth/password';
import { sealSecret } from '../lib/auth/secret-box';
import { generateTotpSecret } from '../lib/auth/totp';
import { createDb, type Db } from '../lib/db/client';
import { MULTI } from './env';

/**
 * Helpers of the multi-instance suite. Sign-in and TOTP codes come from the e2e
 * fixtures (signIn works on whichever instance the page's baseURL names); what
 * is specific here: the shared PostgreSQL database, server actions by the ids of
 * the build these servers run (MULTI.distDir), and the audit verifier on that
 * database.
 */

export type Instance = 'a' | 'b';

let dbPromise: Promise<Db> | undefined;
/** The database both instances use. */
export function multiDb(): Promise<Db> {
  dbPromise ??= createDb({ url: MULTI.databaseUrl, poolSize: 2 }).then((h) => h.db);
  return dbPromise;
}

/**
 * A fresh active console user with a known password and an enrolled authenticator
 * app, in the shared database (as e2e/fixtures.ts createUser does in the e2e one):
 * each test signs in as its own person, so no test spends another's TOTP codes.
 */
export async function createUserOn(role: 'superadmin' | 'admin' | 'support'): Promise<TestUser> {
  const db = await multiDb();
  const suffix = randomUUID().slice(0, 8);
  const password = `multi passphrase ${suffix} long enough`;
  const user = await db.user.create({
    data: {
      email: `${role}-${suffix}@multi.warden.test`,
      name: `Multi ${role} ${suffix}`,
      role,
      status: 'active',
      passwordHash: await hashPassword(password),
    },
  });
  const totpSecret = generateTotpSecret();
  await db.user.update({ where: { id: user.id }, data: { totpSecretEnc: sealSecret(totpSecret, user.id), totpEnabledAt: new Date() } });
  return { id: user.id, email: user.email, name: user.name, password, role, totpSecret };
}

/** A fresh browser context whose relative URLs go to one instance, signed in there as `user`. */
export async function signedInOn(browser: Browser, instance: Instance, user: TestUser): Promise<Page> {
  const context = await browser.newContext({ baseURL: MULTI.urls[instance] });
  const page = await context.newPage();
  await signIn(page, user);
  return page;
}

interface ManifestEntry {
  workers: Record<string, unknown>;
  exportedName: string;
}

/** The id of a server action in the build both servers run, and a page path that dispatches it. */
function builtAction(name: string): { id: string; path: string } {
  const file = path.join(MULTI.distDir, 'server/server-reference-manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { node: Record<string, ManifestEntry> };
  const found = Object.entries(manifest.node).find(([, entry]) => entry.exportedName === name);
  if (!found) throw new Error(`no built server action exports ${name}`);
  const worker = Object.keys(found[1].workers)[0] ?? 'app/page';
  const segments = worker
    .replace(/^app\//, '')
    .replace(/\/?page$/, '')
    .split('/')
    .filter((s) => s && !/^\(.*\)$/.test(s))
    .map((s) => (s.startsWith('[') ? 'x' : s));
  return { id: found[0], path: `/${segments.join('/')}` };
}

export interface ActionReply {
  status: number;
  /** The ActionResult's ok, or null when the reply carried none. */
  ok: boolean | null;
  code: string | null;
  body: string;
}

/**
 * POSTs a server action to one instance, as React encodes plain JSON arguments
 * (what e2e/actions.ts callAction does against the single-instance build), with
 * the cookies of `request`, and reads the ActionResult out of the RSC reply.
 */
export async function callActionOn(request: APIRequestContext, instance: Instance, name: string, args: unknown[]): Promise<ActionReply> {
  const action = builtAction(name);
  const response = await request.post(`${MULTI.urls[instance]}${action.path}`, {
    headers: { 'next-action': action.id, 'content-type': 'text/plain;charset=UTF-8', accept: 'text/x-component' },
    data: JSON.stringify(args),
    maxRedirects: 0,
  });
  const body = await response.text();
  for (const line of body.split('\n')) {
    try {
      const value = JSON.parse(line.slice(line.indexOf(':') + 1)) as { ok?: unknown; code?: unknown };
      if (value && typeof value === 'object' && typeof value.ok === 'boolean') {
        return { status: response.status(), ok: value.ok, code: typeof value.code === 'string' ? value.code : null, body };
      }
    } catch {
      // not a JSON row
    }
  }
  return { status: response.status(), ok: null, code: null, body };
}

export interface VerifierReport {
  ok: boolean | null;
  count?: number;
  headSeq?: number;
  checkpoints?: { database: number; external: number | null; verified: number };
  findings?: { attackClass: string; firstBadSeq: number; problem: string }[];
  error?: string;
}

/** Runs the real `audit:verify` CLI (--json) on the shared database and its external checkpoint log. */
export function verifyTrail(): { exitCode: number; report: VerifierReport } {
  let stdout: string;
  let exitCode = 0;
  try {
    stdout = execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/audit-verify.ts', '--json'], {
      env: { ...process.env, ...MULTI.sharedEnv, DATABASE_URL: MULTI.databaseUrl },
      encoding: 'utf8',
    });
  } catch (error) {
    const e = error as { status?: number; stdout?: string };
    stdout = e.stdout ?? '';
    exitCode = e.status ?? 1;
  }
  const line = stdout.trim().split('\n').at(-1) ?? '{}';
  return { exitCode, report: JSON.parse(line) as VerifierReport };
}

/** The seq of the newest audit event (0 when there is none). */
export async function headSeq(): Promise<number> {
  const db = await multiDb();
  return (await db.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } }))?.seq ?? 0;
}

/**
 * Waits until the anomaly evaluation (which runs on both instances and may record
 * alert.raise events) has looked at every event so far, so that a test counting
 * new events counts only its own.
 */
export async function waitForMonitorCaughtUp(): Promise<void> {
  const db = await multiDb();
  await expect
    .poll(
      async () => {
        const state = await db.monitorState.findUnique({ where: { id: 'anomaly' }, select: { throughSeq: true } });
        return (state?.throughSeq ?? -1) >= (await headSeq());
      },
      { timeout: 40_000, intervals: [500] },
    )
    .toBe(true);
}

/** Moves the clock both instances read (WARDEN_TEST_CLOCK_FILE) through instance `via`'s test hook. */
export async function setSharedClock(request: APIRequestContext, via: Instance, offsetMs: number): Promise<void> {
  const res = await request.post(`${MULTI.urls[via]}/api/test/clock`, { data: { offsetMs } });
  expect(res.status(), 'the clock test hook must exist in the build (WARDEN_E2E_BUILD=1)').toBe(200);
}

/** The lines of one instance's server log (var/multi/server-<a|b>.log). */
export function serverLog(instance: Instance): string[] {
  const file = path.join(MULTI.varDir, `server-${instance}.log`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
}
