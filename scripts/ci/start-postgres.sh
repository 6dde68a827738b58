#!/usr/bin/env bash
# Starts the local PostgreSQL cluster used by the integration tests and prints the
# TEST_PG_URL to use. Idempotent: safe to run again on a machine where it already ran.
#
# It installs nothing (CI installs the `postgresql` package first). It must run as
# root or as the `postgres` user, on Debian's postgresql-common layout.
#
#   bash scripts/ci/start-postgres.sh >> "$GITHUB_ENV"   # CI
#   export "$(bash scripts/ci/start-postgres.sh)"        # a shell
#
# stdout carries only the `TEST_PG_URL=...` line; progress goes to stderr.
set -euo pipefail

PG_VERSION="${PG_VERSION:-15}"
PG_CLUSTER="${PG_CLUSTER:-main}"
ROLE="warden"
PASSWORD="warden"
DATABASE="warden"

log() { printf 'start-postgres: %s\n' "$*" >&2; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "pg_ctlcluster not found: install PostgreSQL first (apt-get install -y postgresql)"
  exit 1
fi

as_postgres() {
  if [ "$(id -un)" = "postgres" ]; then
    "$@"
  elif [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    sudo -u postgres -- "$@"
  fi
}

cluster_field() {
  # pg_lsclusters -h: Ver Cluster Port Status Owner Data-directory Log-file
  pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" -v f="$1" '$1 == v && $2 == c { print $f }'
}

if [ -z "$(cluster_field 1)" ]; then
  log "creating cluster $PG_VERSION/$PG_CLUSTER"
  pg_createcluster "$PG_VERSION" "$PG_CLUSTER" >&2
fi

# Listen on the loopback interface only. A conf.d file (included by Debian's
# postgresql.conf) keeps the packaged configuration untouched.
conf_dir="/etc/postgresql/$PG_VERSION/$PG_CLUSTER/conf.d"
listen_file="$conf_dir/50-warden-listen.conf"
listen_line="listen_addresses = '127.0.0.1'"
config_changed=0
if [ "$(cat "$listen_file" 2>/dev/null || true)" != "$listen_line" ]; then
  mkdir -p "$conf_dir"
  printf '%s\n' "$listen_line" > "$listen_file"
  chown postgres:postgres "$listen_file" 2>/dev/null || true
  config_changed=1
fi

if [ "$(cluster_field 4)" = "online" ]; then
  if [ "$config_changed" = "1" ]; then
    log "restarting $PG_VERSION/$PG_CLUSTER to apply listen_addresses"
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" restart >&2
  fi
else
  log "starting $PG_VERSION/$PG_CLUSTER"
  pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start >&2
fi

port="$(cluster_field 3)"
for _ in $(seq 1 60); do
  if pg_isready -q -h 127.0.0.1 -p "$port"; then break; fi
  sleep 0.5
done
if ! pg_isready -q -h 127.0.0.1 -p "$port"; then
  log "PostgreSQL did not become ready on 127.0.0.1:$port"
  exit 1
fi

# The role needs CREATEDB: every test creates its own database, and migrations
# use a temporary shadow database.
as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
  ELSE
    ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
  END IF;
END
\$\$;
SQL

# A login role with no privileges of its own: the restricted-role test grants it what
# docs/operators.md says the console needs (no UPDATE/DELETE/TRUNCATE on the audit tables).
as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres >&2 <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${ROLE}_app') THEN
    CREATE ROLE ${ROLE}_app LOGIN PASSWORD '${PASSWORD}_app';
  END IF;
END
\$\$;
SQL

# Test databases are dropped WITH (FORCE); signalling an autovacuum worker that is
# still in one needs pg_signal_backend (a test-only role on a test-only cluster).
as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres -c "GRANT pg_signal_backend TO $ROLE" >&2

if [ "$(as_postgres psql -X -tAq -p "$port" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != "1" ]; then
  log "creating database $DATABASE"
  as_postgres createdb -p "$port" -O "$ROLE" "$DATABASE"
fi

log "ready on 127.0.0.1:$port (role $ROLE, database $DATABASE)"
echo "TEST_PG_URL=postgresql://$ROLE:$PASSWORD@127.0.0.1:$port/postgres"
