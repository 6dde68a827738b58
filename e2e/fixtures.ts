import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test as base, expect, type APIRequestContext, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { hashPassword } from '../lib/auth/password';
import { sealSecret } from '../lib/auth/secret-box';
import { generateTotpSecret, totpCodeAt, totpStepAt } from '../lib/auth/totp';
import { demoTotpSecret } from '../lib/demo-totp';
import { createDb, type Db } from '../lib/db/client';
import { E2E } from './env';

/**
 * Fixtures for the e2e suite: direct access to the suite's own database (to
 * seed per-test users and to assert audit rows), sign-in through the real UI,
 * and the server clock test hook.
 */

export const DEMO_PASSWORD = 'warden-demo-passphrase';
export const DEMO = {
  superadmin: 'superadmin@demo.warden.test',
  admin: 'admin@demo.warden.test',
  auditor: 'auditor@demo.warden.test',
  support: 'support@demo.warden.test',
} as const;

let dbPromise: Promise<Db> | undefined;
/** The e2e database (the same file the server uses). */
export function e2eDb(): Promise<Db> {
  dbPromise ??= createDb({ url: E2E.databaseUrl }).then((h) => h.db);
  return dbPromise;
}

export interface TestUser {
  id: string;
  email: string;
  name: string;
  password: string;
  role: string;
  /** Base32 TOTP secret, or null for a user who has not enrolled a second factor. */
  totpSecret: string | null;
}

/** A demo account as a TestUser (its TOTP secret is derived as the seed derives it). */
export function demoUser(role: keyof typeof DEMO): TestUser {
  return { id: '', email: DEMO[role], name: '', password: DEMO_PASSWORD, role, totpSecret: demoTotpSecret(DEMO[role]) };
}

/**
 * Creates a fresh active user with a known password and, unless `totp: false`,
 * an enrolled authenticator app (sealed exactly as the server seals it); each
 * test gets its own.
 */
export async function createUser(
  role: 'superadmin' | 'admin' | 'auditor' | 'support' | 'member',
  over: { status?: string; totp?: boolean } = {},
): Promise<TestUser> {
  const db = await e2eDb();
  const suffix = randomUUID().slice(0, 8);
  const password = `e2e passphrase ${suffix} long enough`;
  const user = await db.user.create({
    data: {
      email: `${role}-${suffix}@e2e.warden.test`,
      name: `E2E ${role} ${suffix}`,
      role,
      status: over.status ?? 'active',
      passwordHash: await hashPassword(password),
    },
  });
  const totpSecret = over.totp === false ? null : generateTotpSecret();
  if (totpSecret) {
    await db.user.update({ where: { id: user.id }, data: { totpSecretEnc: sealSecret(totpSecret, user.id), totpEnabledAt: new Date() } });
  }
  return { id: user.id, email: user.email, name: user.name, password, role, totpSecret };
}

const lastStep = new Map<string, number>();

/**
 * A TOTP code for the user that the server has not seen yet: each time step is
 * accepted once (T05) and the server accepts T-1..T+1, so three codes are
 * available at once and a fourth waits for the clock.
 */
export async function freshTotpCode(user: TestUser): Promise<string> {
  if (!user.totpSecret) throw new Error(`${user.email} has no TOTP secret`);
  for (;;) {
    const at = Date.now();
    const current = totpStepAt(new Date(at));
    // The server accepts T-1, T and T+1 (each step once), so start at T-1: three codes at once —
    // unless the step is about to end, when T-1 would be T-2 by the time the server checks it.
    const earliest = 30_000 - (at % 30_000) < 3_000 ? current : current - 1;
    const step = Math.max(earliest, (lastStep.get(user.email) ?? -1) + 1);
    if (step <= current + 1) {
      lastStep.set(user.email, step);
      return totpCodeAt(user.totpSecret, new Date(step * 30_000));
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Signs in through the sign-in pages (password, then the authenticator code) and waits for the console. */
export async function signIn(page: Page, user: TestUser) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  if (user.totpSecret) {
    await expect(page).toHaveURL(/\/sign-in\/verify/);
    await page.getByLabel('Authenticator code').fill(await freshTotpCode(user));
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
}

/** Moves the server clock forward by `offsetMs` from real time (test hook). */
export async function setServerClock(request: APIRequestContext, offsetMs: number) {
  const res = await request.post('/api/test/clock', { data: { offsetMs } });
  expect(res.status(), 'the clock test hook must exist in the e2e build').toBe(200);
}

/** Audit events about a user (as actor or target), oldest first. */
export async function auditEventsFor(userId: string) {
  const db = await e2eDb();
  return db.auditEvent.findMany({
    where: { OR: [{ actorId: userId }, { targetId: userId }, { details: { contains: userId } }] },
    orderBy: { seq: 'asc' },
  });
}

/** Runs the real `audit:verify` CLI on the e2e database; returns its exit code and output. */
export function verifyAuditChain(): { code: number; output: string } {
  try {
    const output = execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/audit-verify.ts'], {
      env: { ...process.env, DATABASE_URL: E2E.databaseUrl },
      encoding: 'utf8',
    });
    return { code: 0, output };
  } catch (error) {
    const e = error as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** A Content-Security-Policy violation seen by a page (its `securitypolicyviolation` event). */
export interface CspViolation {
  documentURI: string;
  effectiveDirective: string;
  violatedDirective: string;
  blockedURI: string;
  sourceFile: string;
  lineNumber: number;
  sample: string;
  disposition: string;
}

/** The violations a test's pages raised; `allow` excuses the ones a test provokes on purpose. */
export interface CspViolationLog {
  violations: CspViolation[];
  allow(match: (v: CspViolation) => boolean): void;
}

/** Runs in every frame of every page before its own scripts: forwards each violation to the binding. */
function listenForCspViolations() {
  document.addEventListener('securitypolicyviolation', (e) => {
    const report = (window as unknown as { __wardenCspViolation?: (v: unknown) => void }).__wardenCspViolation;
    report?.({
      documentURI: e.documentURI,
      effectiveDirective: e.effectiveDirective,
      violatedDirective: e.violatedDirective,
      blockedURI: e.blockedURI,
      sourceFile: e.sourceFile,
      lineNumber: e.lineNumber,
      sample: e.sample,
      disposition: e.disposition,
    });
  });
}

async function watchContext(context: BrowserContext, violations: CspViolation[]) {
  await context.exposeBinding('__wardenCspViolation', (_source, v: CspViolation) => {
    violations.push(v);
  });
  await context.addInitScript(listenForCspViolations);
}

/** The client address of a spec file's browsers (see `extraHTTPHeaders` in `test`). */
export function clientAddressOf(file: string): string {
  const digest = createHash('sha256').update(path.basename(file)).digest();
  return `192.0.2.${(digest.readUInt16BE(0) % 250) + 1}`;
}

/** The client address of the running test's browsers. */
export function clientAddress(): string {
  return clientAddressOf(test.info().file);
}

/**
 * A test whose server clock is reset to real time before and after, and whose
 * pages are watched for CSP violations (SECURITY.md T39: the app's own pages
 * raise none). Watched: the test's own `context`/`page`, and every context or
 * page the test makes with `browser.newContext()` / `browser.newPage()` while it
 * runs. Not watched: requests made without a browser (`request`,
 * `page.request`), which render nothing, and contexts made some other way
 * (e.g. a second `chromium.launch()`), which no spec does. After the test, any
 * violation not excused with `cspViolations.allow(…)` fails it, listing them.
 */
export const test = base.extend<{ resetClock: void; cspViolations: CspViolationLog }>({
  // Each spec file's browsers come from their own client address (documentation range
  // 192.0.2.0/24), as the trusted proxy (the test runner, TRUSTED_PROXIES) forwards it:
  // people at work do not all share one address, and the per-address limits (T48) then
  // count one spec's requests, not the whole suite's. Also applies to browser.newContext().
  extraHTTPHeaders: async ({ extraHTTPHeaders }, provide, testInfo) => {
    await provide({ ...extraHTTPHeaders, 'x-forwarded-for': clientAddressOf(testInfo.file) });
  },
  resetClock: [
    async ({ request }, use) => {
      fs.writeFileSync(E2E.clockFile, JSON.stringify({ offsetMs: 0 }));
      await use();
      await setServerClock(request, 0);
    },
    { auto: true },
  ],
  cspViolations: [
    async ({ context, browser }, use) => {
      const violations: CspViolation[] = [];
      const allowed: ((v: CspViolation) => boolean)[] = [];
      await watchContext(context, violations);
      const restore = patchBrowser(browser, violations);
      // `use` returns when the test ends, passed or failed.
      await use({ violations, allow: (match) => allowed.push(match) });
      restore();
      const unexpected = violations.filter((v) => !allowed.some((match) => match(v)));
      expect(
        unexpected,
        `CSP violations on the app's pages:\n${unexpected.map((v) => `- ${v.effectiveDirective} blocked ${v.blockedURI || '(inline)'} on ${v.documentURI} (${v.sourceFile}:${v.lineNumber}) ${v.sample}`).join('\n')}`,
      ).toEqual([]);
    },
    { auto: true },
  ],
});

/**
 * Makes browser.newContext() watch the contexts it creates, for the duration of
 * one test (browser.newPage() goes through newContext()); returns the undo.
 */
function patchBrowser(browser: Browser, violations: CspViolation[]): () => void {
  const original = browser.newContext;
  const patched: Browser['newContext'] = async (...args) => {
    const context = await original.apply(browser, args);
    await watchContext(context, violations);
    return context;
  };
  browser.newContext = patched;
  return () => {
    // The method lives on the prototype; drop the instance's own copy.
    if (browser.newContext === patched) delete (browser as { newContext?: unknown }).newContext;
  };
}

export { expect };
