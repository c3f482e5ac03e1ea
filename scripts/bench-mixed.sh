#!/usr/bin/env bash
# The mixed load of the hardening work, on one release build: CLIENTS clients (64) for
# SECONDS (60) signing in to the console, viewing roster pages, and adding and updating
# technicians over the XML API; then every acknowledged write is read back. Prints one line;
# the example exits non-zero on any error or any lost write. BENCHMARKS.md records it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
CLIENTS="${CLIENTS:-64}"
SECONDS_TO_RUN="${SECONDS_TO_RUN:-60}"
DATABASE="${DATABASE:-sqlite}"

cargo build --release -p server --bin crewdesk --example mixed_load
bin="$CARGO_TARGET_DIR/release/crewdesk"
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

if [ "$DATABASE" = postgres ]; then
  name="crewdesk_bench_$$"
  psql postgres://postgres@127.0.0.1:5432/postgres -qc "create database $name" >/dev/null
  db="postgres://postgres@127.0.0.1:5432/$name"
  trap 'cleanup; psql postgres://postgres@127.0.0.1:5432/postgres -qc "drop database if exists $name" >/dev/null' EXIT
else
  db="sqlite:$work/mixed.db"
fi
"$bin" --database-url "$db" admin create --login mixed.admin --password mixed-password-1 >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CREWDESK_LOG=warn "$bin" --database-url "$db" serve --addr "127.0.0.1:$port" --site-root target/site \
  >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo "database: $DATABASE, $(nproc) cores"
"$CARGO_TARGET_DIR/release/examples/mixed_load" "http://127.0.0.1:$port" mixed.admin mixed-password-1 \
  "$CLIENTS" "$SECONDS_TO_RUN"
