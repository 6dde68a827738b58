import { chromiumLaunchOptions } from './e2e/browser';
import { defineConfig, devices } from '@playwright/test';
import { E2E } from './e2e/env';

/**
 * E2E against a production build (`next build` into .next-e2e, served by
 * server.mjs) on http://localhost:3100 with its own SQLite database under
 * var/e2e. scripts/e2e.sh builds and prepares the database first.
 * Chromium: Debian's /usr/bin/chromium (or CHROMIUM_PATH) where present,
 * otherwise Playwright's own browser (a laptop with `npx playwright install`).
 */
export default defineConfig({
  testDir: './e2e',
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    baseURL: E2E.baseURL,
    trace: 'on-first-retry',
    screenshot: 'only-on-failure',
    viewport: { width: 1280, height: 800 },
    launchOptions: chromiumLaunchOptions,
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 } } }],
  webServer: {
    // The server's log is also kept in var/e2e/server.log, so tests can check what it
    // wrote (T40: no password, code, token or seed in any log line).
    command: 'node server.mjs 2>&1 | tee var/e2e/server.log',
    url: `${E2E.baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: E2E.serverEnv,
  },
});
