import { execFileSync } from 'node:child_process';
import type { APIRequestContext, Page } from '@playwright/test';
import { E2E } from '../env';
import { auditEventsFor, createUser, e2eDb, expect, setServerClock, test, type TestUser } from '../fixtures';

/**
 * Sign-in throttling seen from outside (SECURITY.md T01, T02). The sign-in server
 * action is captured once from the real page, then replayed the way a scripted
 * attacker would, through the trusted proxy (the test runner) with rotating
 * X-Forwarded-For addresses.
 */

interface CapturedAction {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const GENERIC = 'The email or password is incorrect, or this account cannot sign in.';

async function captureSignInAction(page: Page): Promise<CapturedAction> {
  await page.goto('/sign-in');
  const request = page.waitForRequest((r) => r.method() === 'POST' && !!r.headers()['next-action']);
  await page.getByLabel('Email').fill('capture@e2e.warden.test');
  await page.getByLabel('Password').fill('capture-only-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  const r = await request;
  const keep = ['next-action', 'next-router-state-tree', 'content-type', 'accept', 'origin'];
  return {
    url: r.url(),
    headers: Object.fromEntries(Object.entries(r.headers()).filter(([k]) => keep.includes(k))),
    body: r.postData() ?? '',
  };
}

async function attempt(request: APIRequestContext, action: CapturedAction, email: string, password: string, ip: string) {
  const body = action.body.replace('capture@e2e.warden.test', email).replace('capture-only-password', password);
  const started = performance.now();
  const res = await request.post(action.url, { headers: { ...action.headers, 'x-forwarded-for': ip }, data: body, maxRedirects: 0 });
  const text = await res.text();
  return { res, text, ms: performance.now() - started };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

test.describe('[AUTH] throttling through the trusted proxy', () => {
  test('T01 120 wrong passwords from 40 addresses: growing delay, hard lock at 50, the right password refused while locked, audited unlock', async ({
    page,
    request,
  }) => {
    test.setTimeout(180_000);
    const victim = await createUser('admin');
    const action = await captureSignInAction(page);
    const db = await e2eDb();
    let offset = 0;
    for (let i = 0; i < 120; i++) {
      const { text } = await attempt(request, action, victim.email, `wrong password number ${i}`, `198.51.100.${i % 40}`);
      expect(text).toContain(GENERIC);
      // Wait out any growing delay on the server's clock, as a patient attacker would.
      const row = await db.user.findUniqueOrThrow({ where: { id: victim.id }, select: { lockedUntil: true } });
      if (row.lockedUntil && row.lockedUntil.getTime() > Date.now() + offset) {
        offset = row.lockedUntil.getTime() - Date.now() + 1000;
        await setServerClock(request, offset);
      }
    }
    const locked = await db.user.findUniqueOrThrow({ where: { id: victim.id } });
    expect(locked.failedLoginCount).toBe(50);
    expect(locked.lockedAt).not.toBeNull();

    const right = await attempt(request, action, victim.email, victim.password, '198.51.100.200');
    expect(right.text).toContain(GENERIC);
    expect(await db.pendingLogin.count({ where: { userId: victim.id } })).toBe(0);

    const events = await auditEventsFor(victim.id);
    const signIns = events.filter((e) => e.operation === 'auth.sign_in');
    expect(signIns.filter((e) => e.reasonCode === 'bad_password')).toHaveLength(50);
    expect(signIns.filter((e) => e.reasonCode === 'locked').length).toBeGreaterThanOrEqual(71);
    expect(events.filter((e) => e.operation === 'auth.lockout' && e.reasonCode === 'hard_lock')).toHaveLength(1);
    expect(new Set(signIns.map((e) => e.ip)).size).toBeGreaterThanOrEqual(40);

    execFileSync(
      'npx',
      ['tsx', '--conditions=react-server', 'scripts/unlock-account.ts', '--email', victim.email, '--reason', 'T01 identity checked'],
      {
        env: { ...process.env, ...E2E.serverEnv, NODE_ENV: 'production' },
      },
    );
    const unlocked = await db.user.findUniqueOrThrow({ where: { id: victim.id } });
    expect(unlocked).toMatchObject({ failedLoginCount: 0, lockedAt: null });
    expect((await auditEventsFor(victim.id)).map((e) => e.operation)).toContain('user.unlock');
    const after = await attempt(request, action, victim.email, victim.password, '198.51.100.201');
    expect(after.text).not.toContain(GENERIC);
    expect(after.text).toContain('/sign-in/verify');
  });

  test('T01 password spraying from one address trips the per-address limit, not the accounts', async ({ page, request }) => {
    const action = await captureSignInAction(page);
    const targets: TestUser[] = [];
    for (let i = 0; i < 5; i++) targets.push(await createUser('support'));
    for (const t of targets) await attempt(request, action, t.email, 'Summer2026!Summer2026!', '203.0.113.50');
    const db = await e2eDb();
    for (const t of targets) expect((await db.user.findUniqueOrThrow({ where: { id: t.id } })).lockedUntil).toBeNull();
    for (let i = 0; i < 16; i++) await attempt(request, action, `sprayed-${i}@e2e.warden.test`, 'Summer2026!Summer2026!', '203.0.113.50');
    const target = targets[0];
    if (!target) throw new Error('no target');
    const blocked = await attempt(request, action, target.email, target.password, '203.0.113.50');
    expect(blocked.text).toContain(GENERIC);
    const events = await auditEventsFor(target.id);
    expect(events.at(-1)).toMatchObject({ operation: 'auth.sign_in', outcome: 'denied', reasonCode: 'rate_limited', ip: '203.0.113.50' });
    const elsewhere = await attempt(request, action, target.email, target.password, '203.0.113.51');
    expect(elsewhere.text).toContain('/sign-in/verify');
  });

  test('T02 unknown account, wrong password, locked and suspended accounts answer identically and in the same time', async ({
    page,
    request,
  }) => {
    test.setTimeout(180_000);
    const action = await captureSignInAction(page);
    const wrong: TestUser[] = [];
    for (let i = 0; i < 10; i++) wrong.push(await createUser('auditor'));
    const lockedUser = await createUser('admin');
    const suspended = await createUser('admin', { status: 'suspended' });
    const db = await e2eDb();
    await db.user.update({ where: { id: lockedUser.id }, data: { failedLoginCount: 50, lockedAt: new Date() } });

    const cases: Record<string, (i: number) => [string, string]> = {
      unknown: (i) => [`nobody-${i}@e2e.warden.test`, 'some password for nobody'],
      wrongPassword: (i) => [wrong[i % wrong.length]?.email ?? '', `wrong password ${i}`],
      locked: () => [lockedUser.email, lockedUser.password],
      suspended: () => [suspended.email, suspended.password],
    };
    const normalise = (s: string) => s.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');
    const seen: Record<string, { bodies: Set<string>; statuses: Set<number>; cookies: Set<string>; headers: Set<string>; ms: number[] }> =
      {};
    let n = 0;
    for (let round = 0; round < 50; round++) {
      for (const [name, make] of Object.entries(cases)) {
        const [email, password] = make(round);
        const { res, text, ms } = await attempt(request, action, email, password, `192.0.2.${n++ % 250}`);
        const entry = (seen[name] ??= { bodies: new Set(), statuses: new Set(), cookies: new Set(), headers: new Set(), ms: [] });
        entry.bodies.add(normalise(text));
        entry.statuses.add(res.status());
        entry.cookies.add(res.headers()['set-cookie'] ?? '');
        entry.headers.add(
          Object.keys(res.headers())
            .filter((k) => !['date', 'x-correlation-id', 'content-length'].includes(k))
            .sort()
            .join(','),
        );
        entry.ms.push(ms);
      }
    }
    const all = Object.values(seen);
    expect(new Set(all.flatMap((e) => [...e.bodies])).size, 'one body for every case').toBe(1);
    expect(new Set(all.flatMap((e) => [...e.statuses])).size).toBe(1);
    expect(new Set(all.flatMap((e) => [...e.cookies]))).toEqual(new Set(['']));
    expect(new Set(all.flatMap((e) => [...e.headers])).size).toBe(1);
    const medians = Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, median(v.ms)]));
    console.log('T02 median ms', medians);
    const values = Object.values(medians);
    expect(Math.max(...values) - Math.min(...values)).toBeLessThan(5);
  });
});
