#!/usr/bin/env bash
# The roster page (`GET /`, signed in, 10,000 demo engineers on SQLite) served by this build
# beside an earlier one (BASELINE_BIN, required) in the same run: what rendering each page on
# a thread of its own costs. wrk with 4 and 16 connections, DURATION each after a 2 s
# warm-up, the two servers measured in turn, twice.
#   BASELINE_BIN=path/to/earlier/crewdesk scripts/bench-render.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
DURATION="${DURATION:-5s}"
: "${BASELINE_BIN:?set BASELINE_BIN to an earlier release build of crewdesk}"

source scripts/bench/lib.sh
cargo build --release -p server --bin crewdesk
[ -f target/site/hash.txt ] || scripts/build-site.sh >/dev/null
bin="$CARGO_TARGET_DIR/release/crewdesk"

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

password=bench-render-lantern-1
start() { # $1 = name, $2 = binary; prints "port cookie"
  local db="sqlite:$work/$1.db" port cookie
  CREWDESK_ADMIN_PASSWORD=$password CREWDESK_LOG=warn "$2" --database-url "$db" demo --engineers 10000 >/dev/null
  port=$(free_port)
  CREWDESK_LOG=warn "$2" --database-url "$db" serve --addr "127.0.0.1:$port" --site-root target/site \
    >"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  cookie=$(curl -s -o /dev/null -D - -H 'Accept: application/json' \
    --data-urlencode "login=admin" --data-urlencode "password=$password" --data-urlencode "domain=" \
    "http://127.0.0.1:$port/api/login" | awk 'tolower($1) == "set-cookie:" {print $2}' | tr -d ';\r' | head -1)
  [ -n "$cookie" ] || { echo "sign-in failed on $1" >&2; exit 1; }
  echo "$port $cookie"
}
read -r new_port new_cookie < <(start new "$bin")
read -r old_port old_cookie < <(start baseline "$BASELINE_BIN")

measure() { # $1 = port, $2 = cookie, $3 = connections: "req/s p50 p99"
  local url="http://127.0.0.1:$1/"
  curl -fs -H "Cookie: $2" "$url" | grep -q 'table class="roster"' || { echo "no roster on $1" >&2; exit 1; }
  wrk -t2 -c"$3" -d2s -H "Cookie: $2" "$url" >/dev/null 2>&1 || true
  local out; out=$(wrk -t2 -c"$3" -d"$DURATION" --latency -H "Cookie: $2" "$url" 2>&1)
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") $(awk '$1 == "50%" {print $2}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out")"
}

echo "crewdesk $(git rev-parse --short HEAD) beside $BASELINE_BIN, $(nproc) cores, $(date -u +%F), GET / (10,000 engineers, SQLite)"
printf '| %-6s | %-11s | %9s | %8s | %8s | %9s |\n' round connections "req/s" p50 p99 "baseline req/s"
for round in 1 2; do
  for c in 4 16; do
    read -r nr np nq < <(measure "$new_port" "$new_cookie" "$c")
    read -r br bp bq < <(measure "$old_port" "$old_cookie" "$c")
    printf '| %-6s | %-11s | %9s | %8s | %8s | %9s (p50 %s, p99 %s) ratio %s |\n' "$round" "$c" "$nr" "$np" "$nq" "$br" "$bp" "$bq" \
      "$(python3 -c "print(f'{$nr/$br:.2f}')")"
  done
done
