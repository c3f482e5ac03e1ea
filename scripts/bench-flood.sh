#!/usr/bin/env bash
# The sign-in flood of the hardening work, on one release build: 200 console sign-ins with
# unknown users at once, from 200 parallel clients. Prints the server's RSS when idle (the
# anchor) and its peak during the flood (sampled every 20 ms), the answers the sign-ins got,
# and how /healthz answered meanwhile. BENCHMARKS.md records what it printed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
FLOOD="${FLOOD:-200}"

cargo build --release -p server --bin crewdesk
bin="$CARGO_TARGET_DIR/release/crewdesk"
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

db="sqlite:$work/flood.db"
"$bin" --database-url "$db" admin create --login flood.admin --password flood-password-1 >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CREWDESK_LOG=warn "$bin" --database-url "$db" serve --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

rss() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }
# Warm the process (one real sign-in) so "idle" means ready, not freshly started.
curl -s -o /dev/null -H 'accept: application/json' -d 'login=flood.admin&password=flood-password-1' "$base/api/login"
sleep 1
idle=$(rss)

seq "$FLOOD" | xargs -P "$FLOOD" -I{} curl -s -o /dev/null -w '%{http_code}\n' \
  -H 'accept: application/json' -d 'login=nobody-{}&password=guess-1' "$base/api/login" >"$work/codes" &
flood_pid=$!
peak=$idle; health_ok=0; health_bad=0
started=$(date +%s%N)
while kill -0 "$flood_pid" 2>/dev/null; do
  now=$(rss); [ "$now" -gt "$peak" ] && peak=$now
  if [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$base/healthz")" = 200 ]; then
    health_ok=$((health_ok + 1)); else health_bad=$((health_bad + 1)); fi
  sleep 0.02
done
wait "$flood_pid" || true
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))

echo "sign-in flood: $FLOOD parallel sign-ins with unknown users, release build, SQLite, $(nproc) cores"
echo "  RSS idle (anchor):   $((idle / 1024)) MiB"
echo "  RSS peak in flood:   $((peak / 1024)) MiB  (+$(((peak - idle) / 1024)) MiB)"
echo "  answers:             $(sort "$work/codes" | uniq -c | awk '{printf "%s x %s  ", $1, $2}')"
echo "  no answer:           $((FLOOD - $(wc -l <"$work/codes")))"
echo "  /healthz meanwhile:  $health_ok x 200, $health_bad other"
echo "  flood took:          $elapsed_ms ms"
