#!/usr/bin/env bash
# Runs the Playwright suite against a production build with test hooks on:
# builds into .next-e2e (WARDEN_E2E_BUILD=1), recreates var/e2e/warden-e2e.db,
# migrates and seeds the demo organisation, creates the audit signing key, then `playwright test` (which starts
# server.mjs itself). Extra arguments go to Playwright.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${CHROMIUM_PATH:-}" && ! -x /usr/bin/chromium ]] && ! ls ~/.cache/ms-playwright/chromium-* >/dev/null 2>&1; then
  echo "No Chromium found: install Debian's (sudo apt-get install -y chromium) or run 'npx playwright install chromium'." >&2
  exit 1
fi

eval "$(npx tsx e2e/env.ts --print)"
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1

if [[ "${E2E_SKIP_BUILD:-0}" != "1" ]]; then
  echo "▶ Building the console for e2e (.next-e2e)…"
  WARDEN_E2E_BUILD=1 NEXT_DIST_DIR=.next-e2e npx next build
fi

echo "▶ Preparing the e2e database…"
rm -rf var/e2e && mkdir -p var/e2e
echo '{"offsetMs":0}' > var/e2e/clock.json
npx tsx scripts/db/migrate.ts deploy
npx tsx --conditions=react-server scripts/seed.ts --demo >/dev/null
npx tsx --conditions=react-server scripts/audit-keys.ts init >/dev/null

echo "▶ Running Playwright…"
# The fixtures import lib/ modules marked server-only (to seal TOTP secrets as the
# server does); the react-server condition makes that marker an empty module.
NODE_OPTIONS="--conditions=react-server ${NODE_OPTIONS:-}" npx playwright test "$@"
