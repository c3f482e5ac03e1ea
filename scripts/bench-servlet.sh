#!/usr/bin/env bash
# Measures the XML API next to a plain axum route, on one release build, in one run:
#   GET /healthz                       (the floor: axum + TCP on this machine)
#   POST AddTechnician (SQLite write)   with the credential memory on and off
#   POST GetTechnician (read)           with the credential memory on and off
# 16 concurrent connections each (wrk -t2 -c16), 10 s per figure after a 2 s warm-up.
# Prints a table; BENCHMARKS.md records what it printed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
DURATION="${DURATION:-10s}"

if ! command -v wrk >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi
cargo build --release -p server --bin crewdesk
bin="$CARGO_TARGET_DIR/release/crewdesk"

work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

export BENCH_LOGIN=bench.admin BENCH_PASSWORD=bench-password-1

start() { # $1 = credential memory seconds
  [ -n "$server_pid" ] && kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
  local db="sqlite:$work/bench-$1.db"
  "$bin" --database-url "$db" admin create --login "$BENCH_LOGIN" --password "$BENCH_PASSWORD" >/dev/null
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  CREWDESK_LOG=warn "$bin" --database-url "$db" serve --addr "127.0.0.1:$port" \
    --credential-cache-seconds "$1" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "the server did not start" >&2; cat "$work/server.log" >&2; exit 1
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
  printf '| %-44s | %10s | %8s | %8s | %s |\n' "$label" "$rps" "$p50" "$p99" "${bad:-n/a}"
}

echo "crewdesk $(git rev-parse --short HEAD), $(nproc) cores, $(date -u +%F)"
printf '| %-44s | %10s | %8s | %8s | %s |\n' "16 connections, $DURATION" "req/s" "p50" "p99" "not Success"
printf '|%s|%s|%s|%s|%s|\n' "----------------------------------------------" "------------" "----------" "----------" "-----"
start 300
measure "GET /healthz" "http://127.0.0.1:$port/healthz"
OPERATION=add measure "AddTechnician (credential memory on)" -s scripts/bench/servlet.lua "http://127.0.0.1:$port/servlets/TechnicianServlet"
OPERATION=get measure "GetTechnician (credential memory on)" -s scripts/bench/servlet.lua "http://127.0.0.1:$port/servlets/TechnicianServlet"
start 0
OPERATION=add measure "AddTechnician (memory off: argon2id each call)" -s scripts/bench/servlet.lua "http://127.0.0.1:$port/servlets/TechnicianServlet"
OPERATION=get measure "GetTechnician (memory off: argon2id each call)" -s scripts/bench/servlet.lua "http://127.0.0.1:$port/servlets/TechnicianServlet"
