#!/usr/bin/env bash
# The reachability view at 100,000 engineers, on SQLite and on PostgreSQL, in one run
# (release build). The demo's engineers get what a live roster has: SMS confirmed for six in
# ten and pending for two, email confirmed for one in three, a Slack robot for one in twenty
# (half of them delivered lately), a failing number for one in fifty, and each engineer in a
# group of their site. Then:
#   counts:   the view's numbers (through its server function) against the same questions
#             asked of the tables directly: engineers per site, reachable by SMS, failing;
#   snapshot: the first view after start, which reads the snapshot (the refresher's work
#             every ten seconds while someone looks), and the server's RSS around it;
#   latency:  GET /reachability (all, one channel, one site) beside the roster page (the
#             anchor), each asked REQUESTS (200) times one after another at 20 a second:
#             p50 and p99 of each and their ratio to the anchor's.
# DATABASES="sqlite postgres" by default; PostgreSQL at POSTGRES_URL (a database named
# crewdesk_bench is dropped and created there).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ENGINEERS="${ENGINEERS:-100000}"
REQUESTS="${REQUESTS:-200}"
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

# The live roster's facts, in SQL both databases read alike. $1 = now in ms.
facts() {
  cat <<SQL
INSERT INTO technician_groups (technician_id, group_id, position)
  SELECT t.id, (SELECT min(g.id) FROM tech_groups g WHERE g.site_id = t.site_id), 0
  FROM technicians t WHERE t.site_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM tech_groups g WHERE g.site_id = t.site_id)
  AND NOT EXISTS (SELECT 1 FROM technician_groups x WHERE x.technician_id = t.id);
INSERT INTO subscriptions (technician_id, method, contact, state, requested_at, expires_at, confirmed_at)
  SELECT id, 'sms', mobile, CASE WHEN id % 10 < 6 THEN 'confirmed' ELSE 'pending' END, $1, $1 + 172800000, $1
  FROM technicians WHERE mobile IS NOT NULL AND id % 10 < 8
  AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.technician_id = technicians.id);
INSERT INTO subscriptions (technician_id, method, contact, state, requested_at, expires_at, confirmed_at)
  SELECT id, 'email', email, 'confirmed', $1, $1, $1 FROM technicians
  WHERE email IS NOT NULL AND id % 3 = 0
  AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.technician_id = technicians.id AND s.method = 'email');
INSERT INTO settings (key, value) VALUES ('beta.slack', 'on');
INSERT INTO contact_points (technician_id, channel, address, updated_at)
  SELECT id, 'slack', 'https://hooks.slack.com/services/T/B/' || id, $1 FROM technicians WHERE id % 20 = 0;
INSERT INTO contact_health (technician_id, channel, last_success_at)
  SELECT id, 'slack', $1 FROM technicians WHERE id % 40 = 0;
INSERT INTO contact_health (technician_id, channel, failing, failing_since, answer, last_failure_at)
  SELECT id, 'sms', 1, $1, 'HTTP 404 unknown number', $1 FROM technicians WHERE id % 50 = 0 AND id % 10 < 6;
SQL
}

# paced URL COOKIE: REQUESTS sequential GETs at most 20 a second; prints p50 and p99 in ms.
paced() {
  python3 - "$1" "$2" "$REQUESTS" <<'PY'
import sys, time, urllib.request
url, cookie, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
took = []
for i in range(n):
    started = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie})) as r:
        r.read()
        assert r.status == 200, r.status
    took.append((time.perf_counter() - started) * 1000)
    time.sleep(max(0.0, 0.05 - (time.perf_counter() - started)))
took.sort()
print("%.2f %.2f" % (took[len(took) // 2], took[int(len(took) * 0.99) - 1]))
PY
}

bench() { # $1 = sqlite | postgres
  local db now
  case "$1" in
    sqlite) db="sqlite:$work/bench.db" ;;
    postgres) db=$(fresh_postgres crewdesk_bench) ;;
  esac
  CREWDESK_LOG=warn "$bin" --database-url "$db" demo --engineers "$ENGINEERS" >"$work/demo.log"
  now=$(($(date +%s) * 1000))
  case "$1" in
    sqlite) python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()' \
              "$work/bench.db" "$(facts "$now")" ;;
    postgres) facts "$now" | psql "$db" -q -v ON_ERROR_STOP=1 >/dev/null
              psql "$db" -qc "VACUUM ANALYZE" >/dev/null ;;
  esac
  serve_console "$bin" "$db" "$work/server.log"
  cookie=$(admin_cookie)
  [ -n "$cookie" ] || { echo "sign-in failed" >&2; cat "$work/server.log" >&2; exit 1; }
  local base="http://127.0.0.1:$port"
  local before first after
  before=$(rss "$server_pid" VmRSS)
  # The first view reads the snapshot (what the refresher then does every ten seconds).
  first=$(curl -fs -o /dev/null -w '%{time_total}' -H "Cookie: $cookie" "$base/reachability")
  after=$(rss "$server_pid" VmRSS)
  curl -fs -H "Cookie: $cookie" "$base/" >/dev/null

  echo
  echo "database: $1, $(ask "$db" "SELECT count(*) FROM technicians") engineers"
  # The view's own numbers, as its page shows them, against the tables asked directly.
  curl -fs -H "Cookie: $cookie" "$base/reachability" -o "$work/view.html"
  local engineers reachable_sms failing site
  engineers=$(ask "$db" "SELECT count(*) FROM technicians")
  reachable_sms=$(ask "$db" "SELECT count(*) FROM subscriptions s WHERE s.method = 'sms' AND s.state = 'confirmed' \
    AND NOT EXISTS (SELECT 1 FROM contact_health h WHERE h.technician_id = s.technician_id AND h.channel = 'sms' AND h.failing = 1)")
  failing=$(ask "$db" "SELECT count(*) FROM contact_health WHERE failing = 1")
  site=$(ask "$db" "SELECT min(id) FROM sites")
  python3 - "$work/view.html" "$engineers" "$reachable_sms" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
engineers, sms = int(sys.argv[2]), int(sys.argv[3])
def text(cell):
    return re.sub(r"<[^>]*>", "", cell).strip()
table = html[html.index('<table class="roster reach"'):]
table = table[:table.index("</table>")]
columns = [text(c) for c in re.findall(r'<th scope="col">(.*?)</th>', table, re.S)]
# A site's row links its engineer count to the roster (/?site=...); a group's does not.
sites = [[text(c) for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
         for row in re.findall(r"<tr>(.*?)</tr>", table, re.S) if 'href="/?site=' in row]
i = columns.index("SMS") - 1  # the first column is the place, a <th>
counted = sum(int(r[0]) for r in sites)
reached = sum(int(r[i]) for r in sites)
print("counts: engineers %d in the view, %d in the table; reachable by SMS %d in the view, %d asked directly: %s"
      % (counted, engineers, reached, sms, "match" if (counted, reached) == (engineers, sms) else "DIFFER"))
assert (counted, reached) == (engineers, sms)
PY
  echo "failing contacts: $failing"
  echo "first view, reading the snapshot: $(awk -v s="$first" 'BEGIN {printf "%.0f", s * 1000}') ms; server RSS $before before it, $after after"
  printf '| %-44s | %9s | %9s | %9s |\n' "GET, $REQUESTS one after another (20/s)" "p50 ms" "p99 ms" "p50 ratio"
  printf '|%s|%s|%s|%s|\n' "----------------------------------------------" "-----------" "-----------" "-----------"
  local line anchor=""
  for line in "anchor: roster page 1 (console)|$base/" \
              "/reachability (every site and group)|$base/reachability" \
              "/reachability?channel=sms|$base/reachability?channel=sms" \
              "/reachability?site=(first site)|$base/reachability?site=$site"; do
    IFS='|' read -r label url <<<"$line"
    read -r p50 p99 < <(paced "$url" "$cookie")
    [ -n "$anchor" ] || anchor=$p50
    printf '| %-44s | %9s | %9s | %9s |\n' "$label" "$p50" "$p99" \
      "$(awk -v a="$p50" -v b="$anchor" 'BEGIN {printf "%.2f", a / b}')"
  done
  stop_server
}

for database in $DATABASES; do
  bench "$database"
done
