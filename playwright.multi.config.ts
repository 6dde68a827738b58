import { chromiumLaunchOptions } from './e2e/browser';
import { defineConfig, devices } from '@playwright/test';
import { instanceEnv, MULTI } from './e2e-multi/env';

/**
 * The multi-instance suite (issue 12): two production servers (server.mjs, ports
 * 3201 and 3202) on one PostgreSQL database, from the e2e build (.next-e2e, or
 * MULTI_DIST_DIR). scripts/multi-instance.sh prepares the database and runs this;
 * it builds nothing unless MULTI_BUILD=1. Browser options as in playwright.config.ts.
 */
function server(which: 'a' | 'b') {
  return {
    // Each server's log is kept in var/multi/server-<a|b>.log.
    command: `node server.mjs 2>&1 | tee var/multi/server-${which}.log`,
    url: `${MULTI.urls[which]}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
    env: instanceEnv(which),
  };
}

export default defineConfig({
  testDir: './e2e-multi',
  // Not test-results/: the single-instance suite may run (and clean its output) at the same time.
  outputDir: './var/multi/test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  reporter: [['list']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1280, height: 800 },
    launchOptions: chromiumLaunchOptions,
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 } } }],
  webServer: [server('a'), server('b')],
});
