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
# Whole-page hydration (scripts/bench-firstload.sh builds it beside islands): both halves
# still build.
cargo clippy -p server --no-default-features -- -D warnings
cargo clippy -p frontend --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings

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
# Each test binary links the whole server (about 1 GB in debug). Builds with other
# dependencies or from other checkouts leave theirs behind in the shared target folder;
# only this build's are kept, or the disk fills up over a few runs.
cargo test --workspace --no-run --message-format=json-render-diagnostics >"$CARGO_TARGET_DIR/test-executables.json"
python3 - "$CARGO_TARGET_DIR" <<'PY'
import json, os, sys
target = sys.argv[1]
keep = set()
with open(os.path.join(target, "test-executables.json")) as f:
    for line in f:
        if line.startswith("{"):
            executable = json.loads(line).get("executable")
            if executable and os.path.exists(executable):
                # By inode: a binary is uplifted out of deps/ as a hard link.
                st = os.stat(executable)
                keep.add((st.st_dev, st.st_ino))
deps = os.path.join(target, "debug", "deps")
freed = 0
for name in os.listdir(deps):
    path = os.path.join(deps, name)
    st = os.stat(path)
    # The server's binary (crewdesk-*) is left alone: the browser tests run it.
    if "." in name or name.startswith("crewdesk-") or not os.access(path, os.X_OK) \
            or (st.st_dev, st.st_ino) in keep:
        continue
    size = st.st_size
    if size > 50_000_000:
        os.remove(path)
        freed += size
print("test binaries of earlier builds removed: %.1f GB" % (freed / 1e9))
PY
cargo test --workspace

step "API conformance (schemathesis against /api/v1/openapi.json)"
scripts/api-conformance.sh

step "browser tests"
CREWDESK_BIN="$CARGO_TARGET_DIR/debug/crewdesk" CREWDESK_SITE_ROOT="$PWD/target/site" \
  npm test --prefix end2end

step "all tests passed"
