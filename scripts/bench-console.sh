#!/usr/bin/env bash
# Measures the engineer page with 10,000 engineers in SQLite: the server's response time for
# the whole server-rendered page (`GET /` as a signed-in SDAdmin), page 1 and a deep page, a
# search and a filter, and page 1 compressed (brotli, gzip) as a browser asks for it. wrk, 4
# connections, 10 s each after a 2 s warm-up; p50/p99 from wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
DURATION="${DURATION:-10s}"
ENGINEERS="${ENGINEERS:-10000}"

source scripts/bench/lib.sh
cargo build --release -p server --bin crewdesk
scripts/build-site.sh >/dev/null
bin="$CARGO_TARGET_DIR/release/crewdesk"

work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

db="sqlite:$work/bench.db"
login=bench.admin password=bench-password-1
"$bin" --database-url "$db" admin create --login "$login" --password "$password" >/dev/null
for site in Beijing Shanghai Shenzhen Singapore Frankfurt; do "$bin" --database-url "$db" site add "$site" >/dev/null; done
port=$(free_port)
CREWDESK_LOG=warn "$bin" --database-url "$db" serve --addr "127.0.0.1:$port" --site-root target/site >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

# The roster, through the XML API (16 parallel streams).
python3 - "$port" "$login" "$password" "$ENGINEERS" <<'PY'
import sys, urllib.request, urllib.parse, concurrent.futures
port, login, password, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sites = ["Beijing", "Shanghai", "Shenzhen", "Singapore", "Frankfurt"]
def add(i):
    form = {"operation": "AddTechnician", "username": login, "password": password,
            "name": f"Engineer {i:05d}", "email": f"e{i}@ops.example.com",
            "mobile": f"+86 138 {i // 10000:04d} {i % 10000:04d}", "techSiteName": sites[i % 5],
            "loginName": f"eng{i}", "jobTitle": "On call"}
    body = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/servlets/TechnicianServlet", body) as r:
        if b"Success" not in r.read():
            raise SystemExit(f"adding engineer {i} failed")
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    list(pool.map(add, range(n)))
PY

cookie=$(curl -s -o /dev/null -D - -H 'Accept: application/json' \
  --data-urlencode "login=$login" --data-urlencode "password=$password" --data-urlencode "domain=" \
  "http://127.0.0.1:$port/api/login" | awk 'tolower($1) == "set-cookie:" {print $2}' | tr -d ';\r' | head -1)
[ -n "$cookie" ] || { echo "sign-in failed" >&2; exit 1; }
site_id=$(ask "$db" "SELECT id FROM sites ORDER BY lower(name) LIMIT 1")

measure() { # $1 = label, $2 = path, $3 = the Accept-Encoding a browser sends (none if empty)
  local url="http://127.0.0.1:$port$2" accept="Accept-Encoding: ${3:-identity}"
  curl -fs --compressed -H "Cookie: $cookie" "$url" | grep -q 'table class="roster"' || { echo "no roster at $2" >&2; exit 1; }
  wrk -t2 -c4 -d2s -H "Cookie: $cookie" -H "$accept" "$url" >/dev/null 2>&1 || true
  local out; out=$(wrk -t2 -c4 -d"$DURATION" --latency -H "Cookie: $cookie" -H "$accept" "$url" 2>&1)
  printf '| %-36s | %8s | %8s | %8s |\n' "$1" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out")" \
    "$(awk '$1 == "99%" {print $2}' <<<"$out")"
}

echo "crewdesk $(git rev-parse --short HEAD), $(nproc) cores, $(date -u +%F), $ENGINEERS engineers (SQLite)"
printf '| %-36s | %8s | %8s | %8s |\n' "GET (4 connections, $DURATION)" "req/s" "p50" "p99"
printf '|%s|%s|%s|%s|\n' "--------------------------------------" "----------" "----------" "----------"
measure "/ (page 1 of 401)" "/"
# The same page compressed as a browser asks for it: what compressing costs the server.
measure "/, brotli (Accept-Encoding: br)" "/" "br"
measure "/, gzip (Accept-Encoding: gzip)" "/" "gzip"
measure "/?page=300" "/?page=300"
measure "/?q=engineer%2009 (search)" "/?q=engineer%2009"
measure "/?site=ID&sort=updated&desc=1" "/?site=$site_id&sort=updated&desc=1"
