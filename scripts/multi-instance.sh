#!/usr/bin/env bash
# The multi-instance suite (issue 12): two production servers (server.mjs on
# ports 3201 and 3202) against one PostgreSQL database. Needs TEST_PG_URL (a
# PostgreSQL server where this role may create databases): drops and recreates
# the database warden_multi there, migrates it, seeds the demo organisation and
# the audit signing key (var/multi), then `playwright test -c playwright.multi.config.ts`,
# which starts both servers. It reuses the e2e build (.next-e2e, made by
# scripts/e2e.sh; another one with MULTI_DIST_DIR) and builds only with MULTI_BUILD=1.
# Extra arguments go to Playwright.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${TEST_PG_URL:-}" ]]; then
  echo "TEST_PG_URL is not set: the multi-instance suite needs a PostgreSQL server (bash scripts/ci/start-postgres.sh)." >&2
  exit 2
fi

export MULTI_DIST_DIR="${MULTI_DIST_DIR:-.next-e2e}"
eval "$(npx tsx e2e-multi/env.ts --print)"
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1

if [[ "${MULTI_BUILD:-0}" == "1" ]]; then
  echo "▶ Building the console with test hooks ($MULTI_DIST_DIR)…"
  WARDEN_E2E_BUILD=1 NEXT_DIST_DIR="$MULTI_DIST_DIR" npx next build
elif [[ ! -f "$MULTI_DIST_DIR/BUILD_ID" ]]; then
  echo "No build in $MULTI_DIST_DIR: run scripts/e2e.sh first, or set MULTI_BUILD=1." >&2
  exit 2
fi

echo "▶ Preparing the database warden_multi…"
node -e '
  const { Client } = require("pg");
  const client = new Client({ connectionString: process.env.TEST_PG_URL });
  (async () => {
    await client.connect();
    await client.query("DROP DATABASE IF EXISTS warden_multi WITH (FORCE)");
    await client.query("CREATE DATABASE warden_multi");
    await client.end();
  })().catch((e) => { console.error(`could not recreate warden_multi: ${e.message}`); process.exit(1); });
'
rm -rf var/multi && mkdir -p var/multi/audit
echo '{"offsetMs":0}' > var/multi/clock.json
npx tsx scripts/db/migrate.ts deploy
npx tsx --conditions=react-server scripts/seed.ts --demo >/dev/null
npx tsx --conditions=react-server scripts/audit-keys.ts init >/dev/null

echo "▶ Running the multi-instance suite (two servers, one PostgreSQL)…"
# The specs import lib/ modules marked server-only; the react-server condition makes that marker empty.
NODE_OPTIONS="--conditions=react-server ${NODE_OPTIONS:-}" npx playwright test -c playwright.multi.config.ts "$@"
