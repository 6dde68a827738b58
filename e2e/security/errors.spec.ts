import { randomBytes, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { APIResponse } from '@playwright/test';
import { callAction } from '../actions';
import { E2E } from '../env';
import { createUser, e2eDb, expect, signIn, test, type TestUser } from '../fixtures';

/**
 * SECURITY.md T45: forced errors — a bad route parameter, a database constraint
 * violation and a thrown database error inside a server action, a failure while
 * rendering a page — answer a generic message with a reference the operator can
 * find in the log (the correlation id, or Next.js's error digest), and no stack,
 * SQL, Prisma message or file path appears in any HTML, RSC payload or header.
 * (The production build's lack of test-only routes: tests/integration/test-hooks.int.test.ts.)
 *
 * The database errors are real: the test adds, for its own throwaway user only,
 * a unique index or a trigger to the suite's SQLite database, then removes it.
 */

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** What must never reach a client. */
const INTERNALS: [string, RegExp][] = [
  ['a Prisma message', /prisma/i],
  ['a Prisma error code', /\bP20\d\d\b/],
  ['a SQLite error', /SQLITE_|sqlite3/i],
  ['a constraint message', /unique constraint|constraint failed/i],
  ['SQL', /\b(SELECT|UPDATE|INSERT INTO|DELETE FROM)\b[\s\S]{0,200}\b(FROM|SET|VALUES|WHERE)\b/],
  ['a server path', /\/work\/|\/home\/|\/ROOT\/|node_modules/],
  ['a stack line', /^\s*at .+:\d+:\d+\)?\s*$/m],
  ['the forced error text', /T45 forced failure/],
];

function expectNoInternals(what: string, text: string) {
  for (const [name, pattern] of INTERNALS) {
    const match = pattern.exec(text);
    expect(match, `${what} contains ${name}: ${match ? text.slice(Math.max(0, match.index - 80), match.index + 80) : ''}`).toBeNull();
  }
}

function expectCleanHeaders(what: string, response: APIResponse) {
  const headers = response.headers();
  expect(headers['x-powered-by'], what).toBeUndefined();
  expect(headers['x-correlation-id'], what).toMatch(UUID);
  expectNoInternals(
    `${what} headers`,
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
  );
}

/** A user id is a cuid; checked before it goes into the DDL below. */
function sqlId(id: string): string {
  if (!/^[a-z0-9]+$/i.test(id)) throw new Error(`unexpected id ${id}`);
  return id;
}

/** A second live session of `user` (what another browser would hold). */
async function extraSession(user: TestUser): Promise<string> {
  const db = await e2eDb();
  const at = new Date();
  const row = await db.session.create({
    data: {
      userId: user.id,
      tokenHash: createHash('sha256').update(randomBytes(32)).digest('base64url'),
      sessionVersion: 0,
      authTime: at,
      lastSeenAt: at,
      expiresAt: new Date(at.getTime() + 3_600_000),
      amr: 'pwd+otp',
    },
    select: { id: true },
  });
  return row.id;
}

/** The server's log (playwright.config.ts tees it to var/e2e/server.log); waits a little for a line to be flushed. */
async function serverLogLine(includes: string[]): Promise<string | null> {
  const file = path.join(path.dirname(E2E.clockFile), 'server.log');
  for (let attempt = 0; attempt < 20; attempt++) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const line = text.split('\n').find((l) => includes.every((s) => l.includes(s)));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

test.describe('[SECURITY] errors show no internals', () => {
  test('T45 a bad route parameter answers the not-found page with status 404, a reference and no internals', async ({ page }) => {
    const user = await createUser('superadmin');
    await signIn(page, user);
    for (const target of [
      '/users/%00',
      '/audit/events/abc',
      '/audit/events/-1',
      '/approvals/../../etc',
      '/incidents/%27%20OR%201=1--',
      `/users/${'x'.repeat(400)}`,
    ]) {
      const response = await page.goto(target);
      expect(response?.status(), target).toBe(404);
      await expect(page.getByRole('heading', { name: 'Page not found' }), target).toBeVisible();
      await expect(page.getByTestId('error-reference'), target).toHaveText(new RegExp(`^Reference: ${UUID.source}$`));
      const html = await page.content();
      expectNoInternals(target, html);
      expectCleanHeaders(target, await page.request.get(target));
    }
  });

  test('T45 a database constraint violation inside a server action answers a generic message with the correlation id, logged for the operator', async ({
    page,
  }) => {
    const user = await createUser('admin');
    await signIn(page, user);
    const db = await e2eDb();
    const others = [await extraSession(user), await extraSession(user)];
    // Ending both other sessions gives both the same revokedReason: a unique violation (Prisma P2002), for this user only.
    const index = `t45_unique_${sqlId(user.id)}`;
    await db.$executeRawUnsafe(
      `CREATE UNIQUE INDEX "${index}" ON "Session"("revokedReason") WHERE "userId" = '${sqlId(user.id)}' AND "revokedReason" IS NOT NULL`,
    );
    let reply;
    try {
      reply = await callAction(page.request, 'revokeOtherSessionsAction', [{}]);
    } finally {
      await db.$executeRawUnsafe(`DROP INDEX IF EXISTS "${index}"`);
    }
    expect(reply.code, reply.body.slice(0, 300)).toBe('INTERNAL');
    const message = reply.result?.message ?? '';
    expect(message).toMatch(/^Something went wrong and nothing was changed\./);
    const correlationId = UUID.exec(message)?.[0];
    expect(correlationId, 'the message quotes the correlation id').toBeTruthy();
    expectNoInternals('the action reply', reply.body);
    // Nothing changed: both other sessions are live, and no event was recorded under that id.
    for (const id of others) expect((await db.session.findUniqueOrThrow({ where: { id } })).revokedAt).toBeNull();
    expect(await db.auditEvent.count({ where: { correlationId } })).toBe(0);
    // The operator finds the failure by the id the user quotes.
    const line = await serverLogLine([correlationId!, 'action failed']);
    expect(line, 'a log line with the correlation id').not.toBeNull();
  });

  test('T45 an error thrown by the database inside a server action answers a generic message; the error text never reaches the client', async ({
    page,
  }) => {
    const user = await createUser('admin');
    await signIn(page, user);
    const db = await e2eDb();
    const other = await extraSession(user);
    // A database error whose text looks like every kind of internal: SQL, a path, a module folder.
    const trigger = `t45_raise_${sqlId(user.id)}`;
    await db.$executeRawUnsafe(
      `CREATE TRIGGER "${trigger}" BEFORE UPDATE OF "revokedAt" ON "Session" WHEN NEW."userId" = '${sqlId(user.id)}' AND NEW."revokedAt" IS NOT NULL ` +
        `BEGIN SELECT RAISE(ABORT, 'T45 forced failure: SELECT "secret" FROM "Session" at /work/main/node_modules/x/index.js:1:1'); END`,
    );
    let reply;
    try {
      reply = await callAction(page.request, 'revokeSessionAction', [{ sessionId: other }]);
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS "${trigger}"`);
    }
    expect(reply.code, reply.body.slice(0, 300)).toBe('INTERNAL');
    expect(reply.result?.message).toMatch(new RegExp(`quote this id: ${UUID.source}$`));
    expectNoInternals('the action reply', reply.body);
    expect((await db.session.findUniqueOrThrow({ where: { id: other } })).revokedAt).toBeNull();
  });

  test('T45 a failure while rendering a page shows the error page with the digest as reference, which the log ties to the correlation id', async ({
    page,
  }) => {
    const user = await createUser('admin');
    await signIn(page, user);
    const db = await e2eDb();
    // The next request refreshes the session's lastSeenAt (lib/auth/viewer.ts); for this user that write now fails.
    await db.session.updateMany({ where: { userId: user.id, revokedAt: null }, data: { lastSeenAt: new Date(Date.now() - 5 * 60_000) } });
    const trigger = `t45_render_${sqlId(user.id)}`;
    await db.$executeRawUnsafe(
      `CREATE TRIGGER "${trigger}" BEFORE UPDATE OF "lastSeenAt" ON "Session" WHEN NEW."userId" = '${sqlId(user.id)}' ` +
        `BEGIN SELECT RAISE(ABORT, 'T45 forced failure: UPDATE "Session" SET x WHERE y /work/main/lib/auth/viewer.ts'); END`,
    );
    try {
      const response = await page.goto('/users');
      expect(response?.status()).toBe(500);
      expectNoInternals('the failed page as sent', (await response!.text()) ?? '');
      await expect(page.getByRole('heading', { name: 'Something went wrong' })).toBeVisible();
      const reference = page.getByTestId('error-reference');
      await expect(reference).toHaveText(/^Reference: [A-Za-z0-9_-]+$/);
      const digest = (await reference.textContent())!.replace('Reference: ', '');
      expectNoInternals('the error page', await page.content());
      const correlationId = response!.headers()['x-correlation-id']!;
      expect(correlationId).toMatch(UUID);
      // docs/operators.md "Finding an error by its reference": the digest's log line carries the correlation id.
      const line = await serverLogLine([`"digest":"${digest}"`]);
      expect(line, 'a log line with the digest').not.toBeNull();
      expect(line).toContain(correlationId);

      // The RSC payload of the same failure (a client-side navigation) carries the digest only.
      const rsc = await page.request.get('/users', { headers: { RSC: '1' } });
      expectNoInternals('the RSC payload of a failed page', await rsc.text());
      expectCleanHeaders('the RSC reply of a failed page', rsc);
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS "${trigger}"`);
    }
  });

  test('T45 pages, their RSC payloads and their headers carry no internals', async ({ page, playwright }) => {
    const user = await createUser('superadmin');
    await signIn(page, user);
    for (const target of ['/', '/users', `/users/${user.id}`, '/account/sessions', '/audit', '/approvals', '/does-not-exist']) {
      const html = await page.request.get(target);
      expect(html.status(), target).toBeLessThan(500);
      expectNoInternals(`${target} HTML`, await html.text());
      expectCleanHeaders(`${target} HTML`, html);
      const rsc = await page.request.get(target, { headers: { RSC: '1' } });
      expect(rsc.status(), `${target} RSC`).toBeLessThan(500);
      expectNoInternals(`${target} RSC`, await rsc.text());
      expectCleanHeaders(`${target} RSC`, rsc);
    }
    // And for someone who is not signed in.
    const anonymous = await playwright.request.newContext({ baseURL: E2E.baseURL });
    for (const target of ['/sign-in', '/api/health', '/api/test/nothing-here', '/users']) {
      const response = await anonymous.get(target, { maxRedirects: 0 });
      expect(response.status(), target).toBeLessThan(500);
      expectNoInternals(`${target} (anonymous)`, await response.text());
      expectCleanHeaders(`${target} (anonymous)`, response);
    }
    await anonymous.dispose();
  });
});
