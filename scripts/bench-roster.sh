#!/usr/bin/env bash
# The engineer page at 100,000 engineers, on SQLite and on PostgreSQL, in one run:
#   seeding: `crewdesk demo --engineers N` (timed)
#   anchor:  the sign-in page of the same binary (no database work)
#   roster:  page 1, a deep page (its number typed in, and reached by Next), a search, a
#            site filter sorted by last update, the login sort on a deep page, each the whole
#            server-rendered page as a signed-in SDAdmin
#   memory:  the server's RSS idle (after start and one sign-in) and its peak over the run
# wrk -t2 -c4, DURATION (10s) per line after a 2 s warm-up; p50/p99 as wrk reports them.
# DATABASES="sqlite postgres" by default; PostgreSQL at POSTGRES_URL (a database named
# crewdesk_bench is dropped and created there).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
DURATION="${DURATION:-10s}"
ENGINEERS="${ENGINEERS:-100000}"
DATABASES="${DATABASES:-sqlite postgres}"

source scripts/bench/lib.sh
cargo build --release -p server --bin crewdesk
scripts/build-site.sh >/dev/null
bin="$CARGO_TARGET_DIR/release/crewdesk"

work=$(mktemp -d)
server_pid=""
stop_server() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; server_pid=""; }
cleanup() { stop_server || true; rm -rf "$work"; }
trap cleanup EXIT
export CREWDESK_ADMIN_PASSWORD=bench-password-1


measure() { # $1 = label, $2 = path, $3 = what the page must contain, $4 = the cookie
  local url="http://127.0.0.1:$port$2" header="Cookie: ${4-$cookie}"
  curl -fs -H "$header" "$url" | grep -q "$3" || { echo "no '$3' at $2" >&2; exit 1; }
  wrk -t2 -c4 -d2s -H "$header" "$url" >/dev/null 2>&1 || true
  local out; out=$(wrk -t2 -c4 -d"$DURATION" --latency -H "$header" "$url" 2>&1)
  printf '| %-40s | %9s | %8s | %8s |\n' "$1" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out")" \
    "$(awk '$1 == "99%" {print $2}' <<<"$out")"
}

next_of() { # $1 = a page's path: the address its Next link leads to
  curl -fs -H "Cookie: $cookie" "http://127.0.0.1:$port$1" \
    | grep -o 'href="[^"]*" rel="next"' | sed -e 's/^href="//' -e 's/" rel="next"$//' -e 's/&amp;/\&/g'
}

bench() { # $1 = sqlite | postgres
  local db
  case "$1" in
    sqlite) db="sqlite:$work/bench.db" ;;
    postgres) db=$(fresh_postgres crewdesk_bench) ;;
  esac
  local started ended
  started=$(date +%s%N)
  CREWDESK_LOG=warn "$bin" --database-url "$db" demo --engineers "$ENGINEERS" >"$work/demo.log"
  ended=$(date +%s%N)
  # PostgreSQL plans from statistics; autovacuum gathers them in time, this does it now.
  [ "$1" = postgres ] && psql "$POSTGRES_URL/crewdesk_bench" -qc "VACUUM ANALYZE" >/dev/null
  serve_console "$bin" "$db" "$work/server.log"
  cookie=$(admin_cookie)
  [ -n "$cookie" ] || { echo "sign-in failed" >&2; cat "$work/server.log" >&2; exit 1; }
  sleep 1
  local idle; idle=$(rss "$server_pid" VmRSS)
  local site_id
  site_id=$(ask "$db" "SELECT id FROM sites ORDER BY lower(name) LIMIT 1")
  echo
  echo "database: $1, $ENGINEERS engineers; seeding took $(awk -v a="$started" -v b="$ended" 'BEGIN {printf "%.1f", (b - a) / 1e9}') s: $(grep -o 'Added [0-9]* generated engineers in [0-9.]* s' "$work/demo.log")"
  printf '| %-40s | %9s | %8s | %8s |\n' "GET (4 connections, $DURATION)" "req/s" "p50" "p99"
  printf '|%s|%s|%s|%s|\n' "------------------------------------------" "-----------" "----------" "----------"
  measure "anchor: /login (sign-in page, signed out)" "/login" 'name="password"' ""
  measure "/ (page 1)" "/" 'table class="roster"'
  measure "/?page=2000 (deep, typed in)" "/?page=2000" 'table class="roster"'
  measure "page 2000 by Next (from page 1999)" "$(next_of "/?page=1999")" 'table class="roster"'
  measure "/?q=zhang%2042 (search)" "/?q=zhang%2042" 'table class="roster"'
  measure "/?site=ID&sort=updated&desc=1" "/?site=$site_id&sort=updated&desc=1" 'table class="roster"'
  measure "/?sort=login&page=1000 (typed in)" "/?sort=login&page=1000" 'table class="roster"'
  measure "login page 1000 by Next" "$(next_of "/?sort=login&page=999")" 'table class="roster"'
  measure "/?sort=site&page=2" "/?sort=site&page=2" 'table class="roster"'
  measure "/?sort=site&page=2000 (typed in)" "/?sort=site&page=2000" 'table class="roster"'
  echo "server RSS: idle $idle, peak over the run $(rss "$server_pid" VmHWM)"
  stop_server || true
}

echo "crewdesk $(git rev-parse --short HEAD), $(nproc) cores, $(date -u +%F), wrk and the server on the same cores"
for database in $DATABASES; do bench "$database"; done
