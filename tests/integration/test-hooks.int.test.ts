import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

/**
 * SECURITY.md T45 (harness notes): the server clock hook (app/api/test/clock)
 * exists only in a build made with WARDEN_E2E_BUILD=1 that also runs with
 * WARDEN_TEST_HOOKS=1. The e2e suite cannot reach the production build, so the
 * two halves of that guard are checked here: the route handler as the app runs
 * it, and next.config.mjs, which inlines the build half at build time.
 */

const clockDir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-test-hooks-'));
const clockFile = path.join(clockDir, 'clock.json');

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});
afterAll(() => {
  fs.rmSync(clockDir, { recursive: true, force: true });
});

type Flag = '1' | undefined;

/** The route module, loaded fresh (lib/env caches the environment on first use) under the given environment. */
async function clockRoute(build: Flag, hooks: Flag) {
  vi.resetModules();
  vi.stubEnv('NODE_ENV', 'production');
  vi.stubEnv('APP_URL', 'http://localhost:3000');
  vi.stubEnv('AUTH_SECRET', 'warden-integration-tests-secret-0123456789');
  vi.stubEnv('LOG_LEVEL', 'silent');
  vi.stubEnv('WARDEN_TEST_CLOCK_FILE', clockFile);
  vi.stubEnv('WARDEN_E2E_BUILD', build);
  vi.stubEnv('WARDEN_TEST_HOOKS', hooks);
  const route = await import('@/app/api/test/clock/route');
  const { now } = await import('@/lib/clock');
  return { route, now };
}

const post = (offsetMs: number) =>
  new Request('http://localhost:3000/api/test/clock', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ offsetMs }),
  });

describe('T45 test-only routes', () => {
  it.each([
    ['neither the e2e build flag nor the env switch (a production build)', undefined, undefined],
    ['only the env switch (a production build started with WARDEN_TEST_HOOKS=1)', undefined, '1'],
    ['only the e2e build flag (an e2e build started without the switch)', '1', undefined],
  ] as const)(
    'T45 test-only routes answer 404 unless the e2e build flag and the env switch are both set: %s',
    async (_label, build, hooks) => {
      fs.writeFileSync(clockFile, JSON.stringify({ offsetMs: 0 }));
      const { route, now } = await clockRoute(build, hooks);

      const read = await route.GET();
      expect(read.status).toBe(404);
      expect(await read.text()).toBe('Not found');

      const before = Date.now();
      const moved = await route.POST(post(3_600_000));
      expect(moved.status).toBe(404);
      expect(await moved.text()).toBe('Not found');
      // Nothing was written, and the server clock ignores an offset someone left in the file.
      expect(JSON.parse(fs.readFileSync(clockFile, 'utf8'))).toEqual({ offsetMs: 0 });
      fs.writeFileSync(clockFile, JSON.stringify({ offsetMs: 3_600_000 }));
      expect(now().getTime() - before).toBeLessThan(60_000);
    },
  );

  it('T45 test-only routes answer only when the e2e build flag and the env switch are both set (the e2e build)', async () => {
    fs.writeFileSync(clockFile, JSON.stringify({ offsetMs: 0 }));
    const { route, now } = await clockRoute('1', '1');
    expect((await route.GET()).status).toBe(200);
    const moved = await route.POST(post(3_600_000));
    expect(moved.status).toBe(200);
    expect(now().getTime() - Date.now()).toBeGreaterThan(3_500_000);
    expect((await route.POST(post(0))).status).toBe(200);
  });
});

describe('T45 the build half of the guard', () => {
  let n = 0;
  /** next.config.mjs evaluated afresh (its `env` is computed from process.env at import time). */
  async function nextConfigWith(flag: string | undefined) {
    vi.resetModules();
    vi.stubEnv('WARDEN_E2E_BUILD', flag);
    n += 1;
    const mod = (await import(/* @vite-ignore */ `../../next.config.mjs?t45=${n}`)) as { default: { env?: Record<string, string> } };
    return mod.default;
  }

  it.each([undefined, '', '0', 'true', 'yes', ' 1'])(
    'T45 next.config.mjs inlines an empty WARDEN_E2E_BUILD (no test hooks) when the build runs with WARDEN_E2E_BUILD=%j',
    async (flag) => {
      const config = await nextConfigWith(flag);
      expect(config.env?.WARDEN_E2E_BUILD).toBe('');
    },
  );

  it('T45 next.config.mjs inlines WARDEN_E2E_BUILD=1 only for the e2e build (scripts/e2e.sh)', async () => {
    const config = await nextConfigWith('1');
    expect(config.env?.WARDEN_E2E_BUILD).toBe('1');
    expect(fs.readFileSync('scripts/e2e.sh', 'utf8')).toMatch(/WARDEN_E2E_BUILD=1 NEXT_DIST_DIR=\.next-e2e npx next build/);
  });

  it('T45 the production build scripts never set the e2e build flag', () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    for (const name of ['build', 'prebuild', 'start', 'demo'])
      expect(pkg.scripts[name] ?? '').not.toMatch(/WARDEN_E2E_BUILD|WARDEN_TEST_HOOKS/);
    // The demo writes the .env a production build reads; it never carries a test switch.
    expect(fs.readFileSync('scripts/demo.mjs', 'utf8')).not.toMatch(/WARDEN_E2E_BUILD|WARDEN_TEST_HOOKS/);
  });
});
