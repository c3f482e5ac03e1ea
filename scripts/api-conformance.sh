#!/usr/bin/env bash
# Runs schemathesis (PyPI) against the OpenAPI document a live Crewdesk serves, with an
# SDAdmin's key of every scope: every operation is called with generated requests, and the
# run fails on any server error or any answer that does not match its documented schema.
#   CREWDESK_BIN  the crewdesk binary (default: the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
venv="$HOME/.cache/crewdesk-schemathesis"
bin="${CREWDESK_BIN:-$CARGO_TARGET_DIR/debug/crewdesk}"
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

db="sqlite:$work/conformance.db"
export CREWDESK_SECRET_KEY="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export CREWDESK_LOG=warn
"$bin" --database-url "$db" migrate >/dev/null
"$bin" --database-url "$db" site add London >/dev/null
"$bin" --database-url "$db" group add London Network >/dev/null
"$bin" --database-url "$db" admin create --login conformance --password "conformance-$RANDOM-password" >/dev/null
key=$("$bin" --database-url "$db" apikey create conformance --owner conformance \
  --scope technicians:read --scope technicians:write --scope notify --scope directories:sync)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" --database-url "$db" serve --addr "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
# Bounded: the server answers within 15 s or the run fails.
for _ in $(seq 150); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/server.log"; exit 1; }

# At most 40 requests a second: the key's limit is 50.
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "Authorization: Bearer $key" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance \
  --max-examples "${CONFORMANCE_EXAMPLES:-25}" \
  --rate-limit 40/s \
  --request-timeout 10 \
  --no-color || { echo "--- server log"; tail -50 "$work/server.log"; exit 1; }
