/**
 * Calls the real server actions (the `…Action` exports of app/**\/_actions) in
 * this process, against a real migrated database (SECURITY.md, INT layer:
 * "calling Server Actions … directly"). Nothing of Prisma, the DAL, lib/authz
 * or the policies is mocked; only the framework's request scope is replaced.
 *
 * A test file that uses it needs, at its top (vi.mock and vi.hoisted must be in
 * the test file itself, where Vitest hoists them):
 *
 *   vi.hoisted(() => { vi.stubEnv('APP_URL', 'http://localhost:3000'); … });
 *   vi.mock('next/headers', () => import('../helpers/request-scope'));
 *   vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));
 *
 * How the pieces meet the app:
 * - Database: lib/db keeps its one handle on `globalThis.wardenDb` and creates it
 *   only if it is absent (`??=`). `ActionHarness.create` puts the TestDb's handle
 *   there before any action runs, so `db()` in the app is the test database;
 *   DATABASE_URL is never read. (Stubbing DATABASE_URL instead would not work
 *   for `describe.each(testProviders())`: lib/env caches the environment on first
 *   use, so a second provider in the same file could not change it.) `create`
 *   checks that `db()` really returns the test client.
 * - Request: `headers()` and `cookies()` come from tests/helpers/request-scope, one
 *   scope per call (Origin = APP_URL, x-warden-peer, x-warden-correlation-id,
 *   User-Agent, the caller's session cookie). React's `cache` outside a React
 *   Server Components build does not memoise, so getViewer and requestContext are
 *   simply evaluated on every use; the headers make them return the same answer.
 * - Sessions: real Session rows made by lib/auth/sessions `createSessionRow` (the
 *   cookie's secret is stored as `hashSessionSecret(secret)`), and the cookie
 *   next-auth would set for that secret. Each new cookie is checked by the app's
 *   own `readSessionSecret`.
 * - Step-up: `beginStepUp` + `issueStepUpProof` with a TOTP code from the user's
 *   real, sealed authenticator secret, exactly as the step-up dialog does, bound
 *   to the exact input the action will receive; for a critical operation (which
 *   must be passkey-signed), or once the caller has one, with a software passkey.
 */
import { randomBytes, randomUUID } from 'node:crypto';
// The cookie must be the one next-auth itself would set, so its own encoder makes
// it (a copy of its format here could drift). lib/auth/next-auth.ts has no
// function that writes a cookie outside a Next.js request, and every cookie made
// here is checked with the app's readSessionSecret before it is used.
// eslint-disable-next-line no-restricted-imports
import { encode } from 'next-auth/jwt';
import { readSessionSecret, sessionCookieName } from '@/lib/auth/next-auth';
import { hashPassword } from '@/lib/auth/password';
import { configuredSecretBox } from '@/lib/auth/secret-box';
import { ABSOLUTE_LIFETIME_MS } from '@/lib/auth/session-policy';
import { createSessionRow } from '@/lib/auth/sessions';
import { beginStepUp, issueStepUpProof, mustSign } from '@/lib/auth/step-up';
import { startPasskeyRegistration } from '@/lib/auth/webauthn';
import { generateTotpSecret, totpCodeAt, totpStepAt } from '@/lib/auth/totp';
import type { Viewer } from '@/lib/auth/viewer';
import type { ActionMeta } from '@/lib/authz/define-action';
import type { ActionResult } from '@/lib/authz/result';
import { finishPasskeyRegistrationForViewer } from '@/lib/dal/account-security';
import { db as appDb } from '@/lib/db';
import type { Db, DbHandle } from '@/lib/db/client';
import type { DbProvider } from '@/lib/db/url';
import { authSecret, env } from '@/lib/env';
import { AUTHENTICATION_POLICY } from '@/policies/authentication';
import { operation, stepUpBindingInput, type OperationId } from '@/policies/operations';
import type { Role } from '@/policies/roles';
import { CookieJar, runInRequestScope, type RequestScope } from './request-scope';
import { SoftAuthenticator } from './soft-authenticator';
import { createTestDb, type TestDb } from './test-db';

/** A server action as the app exports it. */
export type ServerAction<T = unknown> = (raw?: unknown, meta?: ActionMeta) => Promise<ActionResult<T>>;

export interface TestUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** The authenticator app's seed (sealed in the row like any enrolled user's), or null without TOTP. */
  totpSecret: string | null;
}

/** Who makes a call: a user with a live session (and its cookie), or nobody. */
export interface Caller {
  user: TestUser | null;
  sessionId: string | null;
  /** The session cookie's value; null for an anonymous caller. */
  cookie: string | null;
  /** The socket peer address server.mjs would pass on (x-warden-peer). */
  peer: string;
}

export interface Called<T> {
  result: ActionResult<T>;
  correlationId: string;
}

export interface NewUserOptions {
  role: Role;
  status?: 'active' | 'suspended' | 'disabled';
  /** Enrol an authenticator app (default true): console roles must have a second factor. */
  mfa?: boolean;
  /** Set a password (argon2id, slow: only where sign-in is exercised). */
  password?: string;
  /** Lock the account as many failed sign-ins would. */
  locked?: boolean;
  email?: string;
  /** A specific primary key (normally the database's cuid). */
  id?: string;
}

const TOTP_PERIOD_MS = AUTHENTICATION_POLICY.totp.periodSeconds * 1000;
const USER_AGENT = 'vitest action-harness';

type GlobalDb = { wardenDb?: Promise<DbHandle> };

export class ActionHarness {
  private seq = 0;
  private readonly tag = randomBytes(3).toString('hex');
  /** The software passkey of each user that has one (see addPasskey). */
  private readonly passkeys = new Map<string, SoftAuthenticator>();

  private constructor(
    readonly testDb: TestDb,
    private readonly label: string,
    private readonly restoreAppDb: () => void,
  ) {}

  /** A fresh migrated database of `provider`, installed as the app's database. */
  static async create(provider: DbProvider, label: string): Promise<ActionHarness> {
    const testDb = await createTestDb({ provider });
    const g = globalThis as GlobalDb;
    const previous = g.wardenDb;
    g.wardenDb = Promise.resolve({ db: testDb.db, provider: testDb.provider });
    const harness = new ActionHarness(testDb, label, () => {
      g.wardenDb = previous;
    });
    if ((await appDb()) !== testDb.db) {
      await harness.cleanup();
      throw new Error('lib/db did not pick up the test database handle');
    }
    return harness;
  }

  get db(): Db {
    return this.testDb.db;
  }

  get provider(): DbProvider {
    return this.testDb.provider;
  }

  /** Uninstalls the handle and drops the database. */
  async cleanup(): Promise<void> {
    this.restoreAppDb();
    await this.testDb.cleanup();
  }

  /** A distinct peer address per caller, so per-IP sign-in limits never couple tests. */
  private nextPeer(): string {
    return `198.51.${Math.floor(this.seq / 250) % 250}.${(this.seq % 250) + 1}`;
  }

  /** A real user row. With `mfa`, a TOTP seed is sealed into it exactly as enrolment stores it. */
  async createUser(opts: NewUserOptions): Promise<TestUser> {
    this.seq += 1;
    const email = opts.email ?? `${this.label}-${opts.role}-${this.tag}-${this.seq}@int.warden.test`;
    const name = `${opts.role} ${this.seq}`;
    const at = new Date();
    const row = await this.db.user.create({
      data: {
        ...(opts.id ? { id: opts.id } : {}),
        email,
        name,
        role: opts.role,
        status: opts.status ?? 'active',
        ...(opts.password ? { passwordHash: await hashPassword(opts.password) } : {}),
        ...(opts.locked ? { failedLoginCount: AUTHENTICATION_POLICY.throttle.hardLockAt, lockedAt: at, lastFailedLoginAt: at } : {}),
      },
      select: { id: true },
    });
    let totpSecret: string | null = null;
    if (opts.mfa ?? true) {
      totpSecret = generateTotpSecret();
      await this.db.user.update({
        where: { id: row.id },
        data: { totpSecretEnc: configuredSecretBox().seal(totpSecret, row.id), totpEnabledAt: at },
      });
    }
    return { id: row.id, email, name, role: opts.role, totpSecret };
  }

  /** A new live session of `user` (a real Session row) and the cookie that carries it. */
  async signIn(user: TestUser): Promise<Caller> {
    const current = await this.db.user.findUniqueOrThrow({ where: { id: user.id }, select: { sessionVersion: true } });
    const peer = this.nextPeer();
    const { secret, sessionId } = await this.db.$transaction((tx) =>
      createSessionRow(tx, {
        userId: user.id,
        sessionVersion: current.sessionVersion,
        now: new Date(),
        ip: peer,
        userAgent: USER_AGENT,
        amr: user.totpSecret ? 'pwd+otp' : 'pwd',
      }),
    );
    const name = sessionCookieName();
    const cookie = await encode({ token: { sid: secret }, secret: authSecret(), salt: name, maxAge: ABSOLUTE_LIFETIME_MS / 1000 });
    const caller: Caller = { user, sessionId, cookie, peer };
    const read = await runInRequestScope(this.scope(caller, randomUUID()), () => readSessionSecret());
    if (read !== secret) throw new Error('the minted session cookie is not accepted by readSessionSecret');
    return caller;
  }

  /** A new user of `role` with a live session. */
  async caller(role: Role, opts: Omit<NewUserOptions, 'role'> = {}): Promise<Caller> {
    return this.signIn(await this.createUser({ ...opts, role }));
  }

  /** Someone without a session cookie. */
  anonymous(): Caller {
    this.seq += 1;
    return { user: null, sessionId: null, cookie: null, peer: this.nextPeer() };
  }

  /** The request scope of one call by `caller`. */
  scope(caller: Caller, correlationId: string, extraHeaders: Record<string, string> = {}): RequestScope {
    return {
      headers: new Headers({
        origin: new URL(env().APP_URL).origin,
        'sec-fetch-site': 'same-origin',
        'x-warden-peer': caller.peer,
        'x-warden-correlation-id': correlationId,
        'user-agent': USER_AGENT,
        ...extraHeaders,
      }),
      cookies: new CookieJar(caller.cookie ? { [sessionCookieName()]: caller.cookie } : {}),
    };
  }

  /** Invokes a server action as `caller`: one request with its own correlation id. */
  async call<T>(caller: Caller, action: ServerAction<T>, input: unknown, meta?: ActionMeta): Promise<Called<T>> {
    const correlationId = randomUUID();
    const result = await runInRequestScope(this.scope(caller, correlationId), () => action(input, meta));
    return { result, correlationId };
  }

  /** Runs any request-scoped app code (a DAL read, getViewer) as `caller`. */
  async as<T>(caller: Caller, work: () => Promise<T>): Promise<T> {
    return runInRequestScope(this.scope(caller, randomUUID()), work);
  }

  /** The viewer the app would build for this caller (what step-up binds to). */
  viewerOf(caller: Caller): Viewer {
    if (!caller.user || !caller.sessionId) throw new Error('an anonymous caller has no viewer');
    return {
      userId: caller.user.id,
      email: caller.user.email,
      name: caller.user.name,
      role: caller.user.role as Viewer['role'],
      sessionId: caller.sessionId,
      authTime: new Date(),
      amr: 'pwd+otp',
      mfaEnrolled: true,
    };
  }

  /**
   * Gives the caller's user a passkey: a software authenticator (real keys and
   * signatures), registered through the app as the security page does, so its
   * registration event records the public key. From then on the user's step-ups
   * use it (the server offers a passkey first).
   */
  async addPasskey(caller: Caller, name = 'Test passkey', opts: { credentialId?: string } = {}): Promise<SoftAuthenticator> {
    const viewer = this.viewerOf(caller);
    const url = new URL(env().APP_URL);
    const auth = new SoftAuthenticator({ origin: url.origin, rpId: url.hostname, ...opts });
    const options = await startPasskeyRegistration(
      this.db,
      { id: viewer.userId, email: viewer.email, name: viewer.name, role: viewer.role },
      { sessionId: viewer.sessionId },
    );
    await this.as(caller, () => finishPasskeyRegistrationForViewer(viewer, name, auth.register(options)));
    this.passkeys.set(viewer.userId, auth);
    return auth;
  }

  /**
   * The caller's passkey, added now if they have none: call before taking a "nothing
   * changed" snapshot of the caller's own account or counting audit events, since
   * adding one writes to the account and the trail (stepUpProof adds one on first
   * need for a critical operation).
   */
  async ensurePasskey(caller: Caller): Promise<SoftAuthenticator> {
    return this.passkeyOf(caller) ?? this.addPasskey(caller);
  }

  /** The software passkey added for `caller`'s user, if any. */
  passkeyOf(caller: Caller): SoftAuthenticator | undefined {
    return caller.user ? this.passkeys.get(caller.user.id) : undefined;
  }

  /**
   * A step-up proof for (op, input, the caller's session), obtained the real way.
   * A critical operation must be passkey-signed (policies/operations.ts
   * signatureRequired): the caller gets a software passkey on first need, the
   * authenticator signs the challenge beginStepUp issues (the intent's SHA-256),
   * and issueStepUpProof verifies the assertion. Otherwise, for a caller without a
   * passkey: a TOTP pending record from beginStepUp, then the code the user's app
   * shows; codes are single-use per step, so such a caller gets the proofs of at
   * most the current and the next step (the ±1 window); use fresh callers for more.
   * `input` must be exactly what the action will receive.
   */
  async stepUpProof(caller: Caller, op: OperationId, input: unknown): Promise<string> {
    const viewer = this.viewerOf(caller);
    const def = operation(op);
    if (!def.stepUp) throw new Error(`${op} takes no step-up`);
    // The part of the input the server binds (stepUpBinds), exactly as the client hook sends it.
    input = stepUpBindingInput(def, JSON.parse(JSON.stringify(input ?? {})));
    const passkey = this.passkeyOf(caller) ?? (mustSign(op) ? await this.addPasskey(caller) : undefined);
    if (passkey) {
      const begun = await beginStepUp(this.db, viewer, op, input);
      if (begun.method !== 'passkey') throw new Error(`expected a passkey step-up, got ${begun.method}`);
      const signed = await issueStepUpProof(
        this.db,
        viewer,
        op,
        input,
        { method: 'passkey', response: passkey.authenticate(begun.options) },
        { correlationId: randomUUID(), ip: caller.peer, userAgent: USER_AGENT },
      );
      if (!signed.ok) throw new Error(`step-up refused: ${signed.reason}`);
      return signed.proof;
    }
    const secret = caller.user?.totpSecret;
    if (!secret) throw new Error('the caller has no authenticator app to step up with');
    const start = await beginStepUp(this.db, viewer, op, input);
    if (start.method !== 'totp') throw new Error(`expected a TOTP step-up, got ${start.method}`);
    const { totpLastStep } = await this.db.user.findUniqueOrThrow({ where: { id: viewer.userId }, select: { totpLastStep: true } });
    const currentStep = totpStepAt(new Date());
    const step = Math.max(currentStep, (totpLastStep ?? Number.NEGATIVE_INFINITY) + 1);
    if (step > currentStep + AUTHENTICATION_POLICY.totp.window) {
      throw new Error('every TOTP step in the window is used: use a fresh caller or advance the clock');
    }
    const code = totpCodeAt(secret, new Date(step * TOTP_PERIOD_MS));
    const result = await issueStepUpProof(
      this.db,
      viewer,
      op,
      input,
      { method: 'totp', challengeId: start.challengeId, code },
      { correlationId: randomUUID(), ip: caller.peer, userAgent: USER_AGENT },
    );
    if (!result.ok) throw new Error(`step-up refused: ${result.reason}`);
    return result.proof;
  }

  /** Every audit event written under one correlation id, oldest first. */
  eventsOf(correlationId: string) {
    return this.db.auditEvent.findMany({ where: { correlationId }, orderBy: { seq: 'asc' } });
  }

  /** Live (unrevoked) sessions of a user. */
  liveSessions(userId: string): Promise<number> {
    return this.db.session.count({ where: { userId, revokedAt: null } });
  }

  /** The fields of a user that any operation here could change (for "unchanged" checks). */
  userState(id: string) {
    return this.db.user.findUniqueOrThrow({
      where: { id },
      select: {
        role: true,
        status: true,
        deletedAt: true,
        sessionVersion: true,
        passwordHash: true,
        totpSecretEnc: true,
        totpEnabledAt: true,
        lockedAt: true,
        lockedUntil: true,
        failedLoginCount: true,
        sessions: { select: { id: true, revokedAt: true, revokedReason: true }, orderBy: { id: 'asc' } },
        _count: { select: { webauthnCredentials: true, recoveryCodes: true } },
      },
    });
  }

  /** Suspends or reactivates a role directly (test setup, not audited). */
  async setRoleSuspended(role: Role, suspended: boolean): Promise<void> {
    const suspendedAt = suspended ? new Date() : null;
    await this.db.roleState.upsert({ where: { role }, create: { role, suspended, suspendedAt }, update: { suspended, suspendedAt } });
  }
}

/** A failure code that means "refused": the caller learns nothing about the record. */
export const REFUSAL_CODES = ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'] as const;
