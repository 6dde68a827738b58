import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { revokeOtherSessionsAction } from '@/app/(console)/account/sessions/_actions/revoke-other-sessions';
import { unlockUserAction } from '@/app/(console)/users/_actions/unlock-user';
import { hashSessionSecret } from '@/lib/auth/sessions';
import { getViewer, requireViewer } from '@/lib/auth/viewer';
import { verifyChain } from '@/lib/audit/verify';
import { requireArea } from '@/lib/authz/areas';
import type { ActionResult } from '@/lib/authz/result';
import { invalidateSettings } from '@/lib/config/settings';
import type { Db, DbHandle } from '@/lib/db/client';
import { pgConnectionFields, quotePgIdent } from '@/lib/db/migrate';
import { sqliteFilePath } from '@/lib/db/url';
import { ActionHarness, type Caller } from '../helpers/action-harness';
import { testProviders } from '../helpers/test-db';

vi.hoisted(() => {
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('WARDEN_ENCRYPTION_KEYS', '');
  vi.stubEnv('WARDEN_ENCRYPTION_KEY_ID', undefined);
  vi.stubEnv('LOG_LEVEL', 'silent');
});
vi.mock('next/headers', () => import('../helpers/request-scope'));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

/**
 * SECURITY.md T46: when the data an auth or authz check needs is unavailable,
 * the check denies — never "assume allowed"; retries are bounded; no half-written
 * or duplicate audit rows; sessions expire correctly after a clock jump.
 * Real databases throughout: the failures are real driver failures (a database
 * that cannot be opened or refuses connections, a writer lock held by another
 * process), not mocks.
 */

/** What a response must never contain (T45/T46: no internals in what a caller sees). */
const INTERNALS =
  /prisma|P\d{4}\b|SQLITE|sqlite3|postgres|SELECT |UPDATE |INSERT |\/work\/|\/tmp\/|node_modules|\n\s+at |ECONNREFUSED|database/i;

function expectGenericFailure(result: ActionResult<unknown>, correlationId: string) {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(['UNAUTHENTICATED', 'INTERNAL']).toContain(result.code);
  expect(result.correlationId).toBe(correlationId);
  expect(JSON.stringify(result)).not.toMatch(INTERNALS);
  if (result.code === 'INTERNAL') expect(result.message).toContain(correlationId);
}

/**
 * Makes the test database unavailable to the app's client, and gives it back:
 * SQLite — the client is closed and the database's folder moved away, so the
 * reconnect on the next query cannot open the file; PostgreSQL — the database
 * refuses new connections and every open one is terminated (a killed connection).
 */
interface Outage {
  start(): Promise<void>;
  end(): Promise<void>;
}

function outageOf(h: ActionHarness): Outage {
  if (h.provider === 'sqlite') {
    const dir = path.dirname(sqliteFilePath(h.testDb.url));
    const away = `${dir}.gone`;
    return {
      async start() {
        await h.db.$disconnect();
        fs.renameSync(dir, away);
      },
      async end() {
        if (fs.existsSync(away)) fs.renameSync(away, dir);
      },
    };
  }
  const name = new URL(h.testDb.url).pathname.slice(1);
  const admin = async (sql: string) => {
    const client = new pg.Client({ ...pgConnectionFields(process.env.TEST_PG_URL!) });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    async start() {
      await admin(`ALTER DATABASE ${quotePgIdent(name)} ALLOW_CONNECTIONS false`);
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
    },
    async end() {
      await admin(`ALTER DATABASE ${quotePgIdent(name)} ALLOW_CONNECTIONS true`);
    },
  };
}

type GlobalDb = { wardenDb?: Promise<DbHandle> };

/** Installs `client` as the app's database for the duration of `work` (the harness's own handle is put back after). */
async function withAppDb<T>(h: ActionHarness, client: Db, work: () => Promise<T>): Promise<T> {
  const g = globalThis as GlobalDb;
  const previous = g.wardenDb;
  g.wardenDb = Promise.resolve({ db: client, provider: h.provider });
  try {
    return await work();
  } finally {
    g.wardenDb = previous;
  }
}

/**
 * The app's client, with the outage starting just before the first query that
 * `when` picks: a connection lost in the middle of a request, after some of
 * its reads have succeeded. The client is the real one; only the moment is chosen.
 */
function failingMidRequest(h: ActionHarness, outage: Outage, when: (model: string, operation: string) => boolean) {
  let started = false;
  const seen: string[] = [];
  const client = h.db.$extends({
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }) {
          seen.push(`${model}.${operation}`);
          if (!started && when(model, operation)) {
            started = true;
            await outage.start();
          }
          return query(args);
        },
      },
    },
  }) as unknown as Db;
  return { client, seen, started: () => started };
}

/** A user's second live session, made directly (what another browser would hold). */
async function secondSession(h: ActionHarness, caller: Caller): Promise<string> {
  const at = new Date();
  const row = await h.db.session.create({
    data: {
      userId: caller.user!.id,
      tokenHash: hashSessionSecret(randomBytes(32).toString('base64url')),
      sessionVersion: 0,
      authTime: at,
      lastSeenAt: at,
      expiresAt: new Date(at.getTime() + 8 * 3_600_000),
      amr: 'pwd+otp',
    },
    select: { id: true },
  });
  return row.id;
}

describe.each(testProviders())('T46 fail closed on %s', (provider) => {
  let h: ActionHarness;
  let outage: Outage;

  beforeAll(async () => {
    h = await ActionHarness.create(provider, 'failclosed');
    outage = outageOf(h);
  });
  afterEach(async () => {
    await outage.end();
    vi.useRealTimers();
    invalidateSettings();
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it('T46 with the database unavailable, the viewer check, the page guard and server actions deny; nothing is written', async () => {
    const admin = await h.caller('admin');
    const other = await secondSession(h, admin);
    const locked = await h.createUser({ role: 'support', locked: true });
    const eventsBefore = await h.db.auditEvent.count();
    const lockedBefore = await h.userState(locked.id);
    // The session is live: with the database up, the viewer resolves.
    expect(await h.as(admin, () => getViewer())).toMatchObject({ userId: admin.user!.id });
    invalidateSettings();

    await outage.start();
    // The viewer check: no viewer (an error is fine; "signed in" is not).
    const viewer = await h.as(admin, () => getViewer()).catch(() => null);
    expect(viewer).toBeNull();
    // The page guard: it never hands a page a viewer (an error page or the sign-in redirect).
    for (const guard of [() => requireViewer(), () => requireArea('users')]) {
      const outcome = await h.as(admin, guard).then(
        () => 'allowed',
        (error: unknown) => error,
      );
      expect(outcome).not.toBe('allowed');
    }
    // Server actions answer with a generic failure and the correlation id, never ok.
    const revoke = await h.call(admin, revokeOtherSessionsAction, {});
    expectGenericFailure(revoke.result, revoke.correlationId);
    const unlock = await h.call(admin, unlockUserAction, { id: locked.id, reason: 'T46 database is down' });
    expectGenericFailure(unlock.result, unlock.correlationId);
    await outage.end();

    // Nothing was written: the other session is live, the account still locked, no event.
    expect((await h.db.session.findUniqueOrThrow({ where: { id: other } })).revokedAt).toBeNull();
    expect(await h.userState(locked.id)).toEqual(lockedBefore);
    expect(await h.db.auditEvent.count()).toBe(eventsBefore);
    expect(await verifyChain(h.db)).toMatchObject({ ok: true });
  });

  it('T46 a connection lost in the middle of the viewer check denies the request', async () => {
    const admin = await h.caller('admin');
    const other = await secondSession(h, admin);
    const eventsBefore = await h.db.auditEvent.count();
    invalidateSettings();
    // The session row (with its user and elevation) has been read; the database goes away before the role-state lookup.
    const mid = failingMidRequest(h, outage, (model, operation) => model === 'RoleState' && operation === 'findUnique');
    const called = await withAppDb(h, mid.client, () => h.call(admin, revokeOtherSessionsAction, {}));
    expect(mid.started()).toBe(true);
    expect(mid.seen[0]).toBe('Session.findUnique');
    expectGenericFailure(called.result, called.correlationId);
    await outage.end();

    expect((await h.db.session.findUniqueOrThrow({ where: { id: other } })).revokedAt).toBeNull();
    expect(await h.eventsOf(called.correlationId)).toEqual([]);
    expect(await h.db.auditEvent.count()).toBe(eventsBefore);
  });

  it('T46 a connection lost in the middle of an audited change rolls the change back: no half-written change, no audit row', async () => {
    const admin = await h.caller('admin');
    const other = await secondSession(h, admin);
    const eventsBefore = await h.db.auditEvent.count();
    invalidateSettings();
    // The change itself is made (the session update, inside the transaction), then the
    // database goes away before the audit append reads the chain head.
    const mid = failingMidRequest(h, outage, (model, operation) => model === 'AuditEvent' && operation === 'findFirst');
    const called = await withAppDb(h, mid.client, () => h.call(admin, revokeOtherSessionsAction, {}));
    await outage.end();
    expect(mid.started()).toBe(true);
    expect(mid.seen).toContain('Session.updateMany');
    expectGenericFailure(called.result, called.correlationId);
    expect((await h.db.session.findUniqueOrThrow({ where: { id: other } })).revokedAt).toBeNull();
    expect(await h.eventsOf(called.correlationId)).toEqual([]);
    expect(await h.db.auditEvent.count()).toBe(eventsBefore);
    expect(await verifyChain(h.db)).toMatchObject({ ok: true });
  });

  it('T46 a clock jump of +2 h during a session: the next request is refused (idle limit) and the audit trail says why', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const admin = await h.caller('admin');
    const other = await secondSession(h, admin);
    expect(await h.as(admin, () => getViewer())).toMatchObject({ userId: admin.user!.id });

    vi.setSystemTime(Date.now() + 2 * 3_600_000);
    invalidateSettings();
    expect(await h.as(admin, () => getViewer())).toBeNull();
    const called = await h.call(admin, revokeOtherSessionsAction, {});
    expect(called.result).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    // The other session was not touched by the refused action; the session that jumped is ended for being idle.
    expect((await h.db.session.findUniqueOrThrow({ where: { id: other } })).revokedAt).toBeNull();
    const ended = await h.db.session.findUniqueOrThrow({ where: { id: admin.sessionId! } });
    expect(ended).toMatchObject({ revokedAt: expect.any(Date), revokedReason: 'expired_idle' });
    const events = await h.db.auditEvent.findMany({ where: { operation: 'session.end', targetId: admin.sessionId! } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: 'success', reasonCode: 'expired_idle' });
    // Seen again, the ended session stays refused and is not recorded twice.
    expect(await h.as(admin, () => getViewer())).toBeNull();
    expect(await h.db.auditEvent.count({ where: { operation: 'session.end', targetId: admin.sessionId! } })).toBe(1);
  });

  it('T46 a writer storm while another process holds the write lock: each change succeeds once or fails generically, retries are bounded, the chain verifies', async () => {
    const N = 50;
    const callers = [];
    for (let i = 0; i < N; i++) {
      const caller = await h.caller('support', { mfa: true });
      callers.push({ caller, other: await secondSession(h, caller) });
    }
    invalidateSettings();
    // Longer than SQLite's busy timeout (10 s, lib/db/client.ts): the first writers give up.
    const holdMs = provider === 'sqlite' ? 13_000 : 5_000;
    const holder = await holdWriteLock(h, holdMs);
    const started = Date.now();
    const calls = await Promise.all(
      callers.map(async ({ caller }) => {
        const at = Date.now();
        const called = await h.call(caller, revokeOtherSessionsAction, {});
        return { ...called, ms: Date.now() - at };
      }),
    );
    const elapsed = Date.now() - started;
    await holder.done;

    let succeeded = 0;
    for (const [i, called] of calls.entries()) {
      const events = await h.eventsOf(called.correlationId);
      const otherSession = await h.db.session.findUniqueOrThrow({ where: { id: callers[i]!.other } });
      if (called.result.ok) {
        succeeded += 1;
        expect(events).toHaveLength(1);
        expect(events[0]).toMatchObject({ operation: 'session.revoke', outcome: 'success' });
        expect(otherSession.revokedAt).not.toBeNull();
      } else {
        expectGenericFailure(called.result, called.correlationId);
        expect(called.result.code).toBe('INTERNAL');
        expect(events).toEqual([]);
        expect(otherSession.revokedAt).toBeNull();
      }
    }
    // Bounded: nobody waits for ever; the whole storm is over soon after the lock is released.
    expect(elapsed).toBeLessThan(holdMs + 30_000);
    expect(Math.max(...calls.map((c) => c.ms))).toBeLessThan(holdMs + 30_000);
    if (provider === 'sqlite') expect(succeeded).toBeLessThan(N);
    expect(succeeded).toBeGreaterThan(0);
    expect(await verifyChain(h.db)).toMatchObject({ ok: true });
    // No duplicates: one event per successful change.
    const seqs = (await h.db.auditEvent.findMany({ where: { operation: 'session.revoke' }, select: { correlationId: true } })).map(
      (e) => e.correlationId,
    );
    expect(new Set(seqs).size).toBe(seqs.length);
  }, 120_000);
});

/**
 * Another process (SQLite) or connection (PostgreSQL) takes the audit chain's
 * write lock — the AuditLock row every audited change updates first — and holds
 * it for `ms`. Resolves once the lock is held.
 */
async function holdWriteLock(h: ActionHarness, ms: number): Promise<{ done: Promise<void> }> {
  if (h.provider === 'sqlite') {
    const file = sqliteFilePath(h.testDb.url);
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(process.argv[1]);
      db.pragma('busy_timeout = 10000');
      db.exec('BEGIN IMMEDIATE');
      db.prepare('UPDATE "AuditLock" SET "appends" = "appends" WHERE "id" = 1').run();
      process.stdout.write('locked\\n');
      setTimeout(() => { db.exec('COMMIT'); db.close(); process.exit(0); }, Number(process.argv[2]));
    `;
    const child = spawn(process.execPath, ['-e', script, file, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const done = new Promise<void>((resolve, reject) => {
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock holder exited with ${code}`))));
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('locked')) resolve();
      });
      child.on('exit', () => reject(new Error('lock holder ended before taking the lock')));
    });
    return { done };
  }
  const client = new pg.Client({ connectionString: h.testDb.url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('UPDATE "AuditLock" SET "appends" = "appends" WHERE "id" = 1');
  const done = new Promise<void>((resolve) => setTimeout(resolve, ms)).then(async () => {
    await client.query('COMMIT');
    await client.end();
  });
  return { done };
}
