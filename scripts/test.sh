#!/usr/bin/env bash
# The whole test suite, as the README's second command runs it:
# typecheck → lint → unit → integration (SQLite) → e2e (Playwright, production build)
# → security test coverage (every id T01–T48 has its test).
# Set TEST_PG_URL to also run the integration tests against PostgreSQL, and the
# multi-instance suite (two servers on one PostgreSQL database, scripts/multi-instance.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
mkdir -p reports
rm -f reports/*.json

step() { printf '\n▶ %s\n' "$1"; }

step "Policy version"
node scripts/policy-version.mjs
step "Typecheck"
npm run --silent typecheck
step "Lint"
npm run --silent lint
step "Formatting"
npm run --silent format:check
step "Unit tests"
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json=reports/vitest-unit.json
step "Integration tests (SQLite${TEST_PG_URL:+ and PostgreSQL})"
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json=reports/vitest-integration.json
step "End-to-end tests (Chromium against a production build)"
PLAYWRIGHT_JSON_OUTPUT_NAME=reports/playwright.json bash scripts/e2e.sh --reporter=list,json
if [[ -n "${TEST_PG_URL:-}" ]]; then
  # Reuses the .next-e2e build the step above made.
  step "Multi-instance tests (two instances, one PostgreSQL)"
  PLAYWRIGHT_JSON_OUTPUT_NAME=reports/playwright-multi.json bash scripts/multi-instance.sh --reporter=list,json
fi

# The multi-instance report is expected (a missing one fails) exactly when TEST_PG_URL is set.
node scripts/test-summary.mjs reports/vitest-unit.json reports/vitest-integration.json reports/playwright.json \
  ${TEST_PG_URL:+reports/playwright-multi.json}

# Every security id T01–T48 must start a test title in the layer its requirement
# names (lib/security/coverage.ts); a missing one fails the run.
step "Security test coverage (T01–T48)"
npm run --silent security:coverage
