import fs from 'node:fs';

/**
 * Chromium for both Playwright suites (playwright.config.ts, playwright.multi.config.ts):
 * Debian's /usr/bin/chromium (or CHROMIUM_PATH) where present, otherwise Playwright's
 * own browser (a laptop with `npx playwright install`).
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? (fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export const chromiumLaunchOptions = {
  ...(chromiumPath ? { executablePath: chromiumPath } : {}),
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
