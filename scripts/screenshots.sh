#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png: the console on demo data, in English and Chinese.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup.sh --test
# CJK glyphs for the Chinese screenshots.
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || {
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq fonts-noto-cjk >/dev/null
}
scripts/build-site.sh >/dev/null
cargo build -p server --bin crewdesk
bin="$CARGO_TARGET_DIR/debug/crewdesk"
work=$(mktemp -d)
trap 'kill $server_pid 2>/dev/null; rm -rf "$work"' EXIT
export CREWDESK_DATABASE_URL="sqlite:$work/demo.db" CREWDESK_ADMIN_PASSWORD=screenshot-password-1
"$bin" demo >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CREWDESK_LOG=warn "$bin" serve --addr "127.0.0.1:$port" --site-root target/site &
server_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
mkdir -p docs/screenshots
node end2end/screenshots.mjs "http://127.0.0.1:$port" "$CREWDESK_ADMIN_PASSWORD" docs/screenshots
ls -l docs/screenshots
