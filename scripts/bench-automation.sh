#!/usr/bin/env bash
# The automation surfaces at 100,000 engineers, on SQLite and on PostgreSQL, in one run
# (release build):
#   API page:  GET /api/v1/technicians (50 and 200 a page, and a deep page by its cursor)
#              beside the roster page the console renders for the same engineers (the
#              anchor), each asked REQUESTS (300) times one after another at 40 a second
#              (an API key may make 50): p50 and p99 of each, and their ratio;
#   export:    all 100,000 rows as CSV, over HTTP (/roster.csv, the server's peak RSS before
#              and after) and from the CLI (its own peak RSS), with the time of each;
#   import:    a 10,000-row file (name, email, site, job title, cost) previewed, applied, and
#              previewed again (every row unchanged) from the CLI beside the live server,
#              with the time and peak RSS of each.
# DATABASES="sqlite postgres" by default; PostgreSQL at POSTGRES_URL (a database named
# crewdesk_bench is dropped and created there).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ENGINEERS="${ENGINEERS:-100000}"
ROWS="${ROWS:-10000}"
REQUESTS="${REQUESTS:-300}"
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
export CREWDESK_SECRET_KEY=0000000000000000000000000000000000000000000000000000000000000001

# paced NAME URL HEADER: REQUESTS sequential GETs at most 40 a second; prints p50 and p99 in ms.
paced() {
  python3 - "$2" "$3" "$REQUESTS" <<'PY'
import sys, time, urllib.request
url, header, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
name, value = header.split(": ", 1)
took = []
for i in range(n):
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers={name: value})) as r:
        r.read()
        assert r.status == 200, r.status
    took.append((time.perf_counter() - started) * 1000)
    time.sleep(max(0.0, 0.025 - (time.perf_counter() - started)))
took.sort()
print("%.2f %.2f" % (took[len(took) // 2], took[int(len(took) * 0.99) - 1]))
PY
}

# timed LABEL COMMAND...: runs COMMAND, prints its wall time and peak RSS.
timed() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true
  read -r seconds kib <"$work/time"
  printf '| %-44s | %8s s | %6s MiB | %s\n' "$label" "$seconds" "$((kib / 1024))" "$(tail -1 "$work/err")"
}

bench() { # $1 = sqlite | postgres
  local db
  case "$1" in
    sqlite) db="sqlite:$work/bench.db" ;;
    postgres) db=$(fresh_postgres crewdesk_bench) ;;
  esac
  CREWDESK_LOG=warn "$bin" --database-url "$db" demo --engineers "$ENGINEERS" >"$work/demo.log"
  [ "$1" = postgres ] && psql "$POSTGRES_URL/crewdesk_bench" -qc "VACUUM ANALYZE" >/dev/null
  local key
  key=$("$bin" --database-url "$db" apikey create "bench-$RANDOM" --owner admin --scope technicians:read)
  serve_console "$bin" "$db" "$work/server.log"
  cookie=$(admin_cookie)
  [ -n "$cookie" ] || { echo "sign-in failed" >&2; cat "$work/server.log" >&2; exit 1; }
  local base="http://127.0.0.1:$port"
  # Warm both paths once.
  curl -fs -H "Cookie: $cookie" "$base/" >/dev/null
  curl -fs -H "Authorization: Bearer $key" "$base/api/v1/technicians" >/dev/null
  local deep
  deep=$(curl -fs -H "Authorization: Bearer $key" "$base/api/v1/technicians?per_page=200" \
    | python3 -c 'import json,sys,urllib.parse; print(urllib.parse.quote(json.load(sys.stdin)["next"]))')
  echo
  echo "database: $1, $ENGINEERS engineers"
  printf '| %-44s | %9s | %9s |\n' "GET, $REQUESTS one after another (40/s)" "p50 ms" "p99 ms"
  printf '|%s|%s|%s|\n' "----------------------------------------------" "-----------" "-----------"
  local line
  for line in "anchor: roster page 1 (console, 50 rows)|$base/|Cookie: $cookie" \
              "/api/v1/technicians (50 a page)|$base/api/v1/technicians|Authorization: Bearer $key" \
              "/api/v1/technicians?per_page=200|$base/api/v1/technicians?per_page=200|Authorization: Bearer $key" \
              "the next 200 by cursor|$base/api/v1/technicians?per_page=200&after=$deep|Authorization: Bearer $key" \
              "/api/v1/technicians?q=zhang%2042 (search)|$base/api/v1/technicians?q=zhang%2042|Authorization: Bearer $key"; do
    IFS='|' read -r label url header <<<"$line"
    read -r p50 p99 < <(paced "$label" "$url" "$header")
    printf '| %-44s | %9s | %9s |\n' "$label" "$p50" "$p99"
  done

  echo
  printf '| %-44s | %10s | %10s |\n' "export and import" "time" "peak RSS"
  printf '|%s|%s|%s|\n' "----------------------------------------------" "------------" "------------"
  local before after started ended
  before=$(rss "$server_pid" VmHWM)
  started=$(date +%s%N)
  curl -fs -H "Cookie: $cookie" "$base/roster.csv" -o "$work/export.csv"
  ended=$(date +%s%N)
  after=$(rss "$server_pid" VmHWM)
  printf '| %-44s | %8s s | server %s before, %s after\n' "GET /roster.csv ($(($(wc -l <"$work/export.csv") - 1)) rows)" \
    "$(awk -v a="$started" -v b="$ended" 'BEGIN {printf "%.2f", (b - a) / 1e9}')" "$before" "$after"
  timed "crewdesk roster export ($ENGINEERS rows)" "$bin" --database-url "$db" roster export

  python3 - "$work/import.csv" "$ROWS" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w", newline="") as f:
    f.write("name,email,techSiteName,jobTitle,costPerHr\r\n")
    for i in range(n):
        f.write("Imported %d,imported%d@bench.example,,Field engineer,12.50\r\n" % (i, i))
PY
  timed "roster import: preview of $ROWS new rows" "$bin" --database-url "$db" roster import "$work/import.csv"
  timed "roster import --apply ($ROWS created)" "$bin" --database-url "$db" roster import "$work/import.csv" --apply
  timed "roster import again (preview: all unchanged)" "$bin" --database-url "$db" roster import "$work/import.csv"
  echo "server RSS peak over the run: $(rss "$server_pid" VmHWM)"
  stop_server || true
}

echo "crewdesk $(git rev-parse --short HEAD), $(nproc) cores, $(date -u +%F), the clients and the server on the same cores"
for database in $DATABASES; do bench "$database"; done
