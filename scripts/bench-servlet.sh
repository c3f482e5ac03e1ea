#!/usr/bin/env bash
# Measures the XML API beside its anchors, on one release build, in one run:
#   GET /healthz                        the floor: axum + TCP on this machine
#   anchor AddTechnician                server/examples/anchor_insert.rs: read the form, one
#                                       INSERT, a small XML answer (no checks, no audit)
#   AddTechnician (SQLite write)        with the credential memory on, on each database
#   GetTechnician (read)                with the credential memory on
#   Add / Get with the memory off       argon2id on every call (SQLite)
# BASELINE_BIN=path/to/an/earlier/crewdesk adds its AddTechnician line (and on SQLite its
# GET /healthz line) beside this build's.
# 16 concurrent connections each (wrk -t2 -c16), DURATION (10 s) per figure after a 2 s
# warm-up; the server's RSS idle and its peak. DATABASES="sqlite postgres" by default;
# PostgreSQL at POSTGRES_URL (databases crewdesk_bench_300 and anchor_bench are recreated there).
# Prints a table; BENCHMARKS.md records what it printed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
DURATION="${DURATION:-10s}"
DATABASES="${DATABASES:-sqlite postgres}"

source scripts/bench/lib.sh
cargo build --release -p server --bin crewdesk --example anchor_insert
bin="$CARGO_TARGET_DIR/release/crewdesk"
anchor="$CARGO_TARGET_DIR/release/examples/anchor_insert"

work=$(mktemp -d)
server_pid=""
starts=0
stop() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; fi; server_pid=""; }
cleanup() { stop; rm -rf "$work"; }
trap cleanup EXIT

export BENCH_LOGIN=bench.admin BENCH_PASSWORD=bench-password-1


database_url() { # $1 = sqlite | postgres, $2 = a name for the database
  case "$1" in
    sqlite) echo "sqlite:$work/$2.db" ;;
    postgres) fresh_postgres "$2" ;;
  esac
}

wait_for() { # $1 = a URL that answers once the server is up
  for _ in $(seq 100); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "the server did not start" >&2; cat "$work/server.log" >&2; exit 1
}

start() { # $1 = database kind, $2 = credential memory seconds, $3 = the binary ($bin)
  stop
  local bin=${3:-$bin}
  # A new database each time (PostgreSQL's is recreated, SQLite's gets a new file).
  starts=$((starts + 1))
  local db; db=$(database_url "$1" "crewdesk_bench_$2")
  [ "$1" = sqlite ] && db=$(database_url sqlite "crewdesk_bench_$2_$starts")
  "$bin" --database-url "$db" admin create --login "$BENCH_LOGIN" --password "$BENCH_PASSWORD" >/dev/null
  port=$(free_port)
  CREWDESK_LOG=warn "$bin" --database-url "$db" serve --addr "127.0.0.1:$port" \
    --credential-cache-seconds "$2" >"$work/server.log" 2>&1 &
  server_pid=$!
  wait_for "http://127.0.0.1:$port/healthz"
}

start_anchor() { # $1 = database kind
  stop
  local db; db=$(database_url "$1" "anchor_bench")
  [ "$1" = sqlite ] && db="$db?mode=rwc"
  port=$(free_port)
  "$anchor" "127.0.0.1:$port" "$db" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
    sleep 0.1
  done
  echo "the anchor did not start" >&2; cat "$work/server.log" >&2; exit 1
}

measure() { # $1 = label, then wrk arguments
  local label=$1; shift
  wrk -t2 -c16 -d2s "$@" >/dev/null 2>&1 || true
  local out; out=$(wrk -t2 -c16 -d"$DURATION" --latency "$@" 2>&1)
  local rps p50 p99 bad
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  bad=$(awk '/NOT_SUCCESS/ {print $2}' <<<"$out")
  printf '| %-50s | %10s | %8s | %8s | %s |\n' "$label" "$rps" "$p50" "$p99" "${bad:-n/a}"
}

servlet() { echo "http://127.0.0.1:$port/servlets/TechnicianServlet"; }

echo "crewdesk $(git rev-parse --short HEAD), $(nproc) cores, $(date -u +%F), wrk and the server on the same cores"
printf '| %-50s | %10s | %8s | %8s | %s |\n' "16 connections, $DURATION" "req/s" "p50" "p99" "not Success"
printf '|%s|%s|%s|%s|%s|\n' "----------------------------------------------------" "------------" "----------" "----------" "-----"
memory=""
for database in $DATABASES; do
  start_anchor "$database"
  OPERATION=add measure "anchor: one INSERT per POST ($database)" -s scripts/bench/servlet.lua "$(servlet)"
  start "$database" 300
  idle=$(rss "$server_pid" VmRSS)
  [ "$database" = sqlite ] && measure "GET /healthz" "http://127.0.0.1:$port/healthz"
  OPERATION=add measure "AddTechnician, credential memory on ($database)" -s scripts/bench/servlet.lua "$(servlet)"
  if [ -n "${BASELINE_BIN:-}" ]; then
    # The same line for an earlier build, in the same run (e.g. a copy of the binary
    # built from the commit before a change).
    start "$database" 300 "$BASELINE_BIN"
    [ "$database" = sqlite ] && measure "GET /healthz, baseline build" "http://127.0.0.1:$port/healthz"
    OPERATION=add measure "AddTechnician, baseline build ($database)" -s scripts/bench/servlet.lua "$(servlet)"
    start "$database" 300
  fi
  OPERATION=get measure "GetTechnician, credential memory on ($database)" -s scripts/bench/servlet.lua "$(servlet)"
  memory="$memory
server RSS ($database): idle $idle, peak over its benchmarks $(rss "$server_pid" VmHWM)"
done
start sqlite 0
OPERATION=add measure "AddTechnician, memory off: argon2id each call" -s scripts/bench/servlet.lua "$(servlet)"
OPERATION=get measure "GetTechnician, memory off: argon2id each call" -s scripts/bench/servlet.lua "$(servlet)"
echo "$memory"
