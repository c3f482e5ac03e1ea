#!/usr/bin/env bash
# Installs what the tests need, then runs every check and every test: formatting, lints,
# unit and integration tests on SQLite and PostgreSQL, and browser tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
started=$(date +%s)
step() { echo; echo "== $* ($(( $(date +%s) - started ))s)"; }

step "setup"
scripts/setup.sh --test

step "format"
cargo fmt --all -- --check

step "lint (server and shared code, then the browser build)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p frontend --lib --target wasm32-unknown-unknown -- -D warnings

step "PostgreSQL"
pg_url="${CREWDESK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if psql "$pg_url" -Atqc 'select 1' >/dev/null 2>&1; then
  # Databases left by earlier runs that stopped half-way.
  for db in $(psql "$pg_url" -Atqc "select datname from pg_database where datname like 'crewdesk_t_%'"); do
    psql "$pg_url" -qc "drop database if exists \"$db\"" >/dev/null
  done
  echo "PostgreSQL answers at $pg_url: every integration test also runs on it."
else
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo "!!! No PostgreSQL answers at $pg_url: the PostgreSQL half of the suite is NOT run."
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  if [ "${CI:-}" = "true" ]; then
    echo "CI=true: PostgreSQL is required." >&2
    exit 1
  fi
fi

step "browser build"
scripts/build-site.sh

step "unit and integration tests"
cargo test --workspace

step "API conformance (schemathesis against /api/v1/openapi.json)"
scripts/api-conformance.sh

step "browser tests"
CREWDESK_BIN="$CARGO_TARGET_DIR/debug/crewdesk" CREWDESK_SITE_ROOT="$PWD/target/site" \
  npm test --prefix end2end

step "all tests passed"
