#!/usr/bin/env bash
# Builds Crewdesk and serves it on SQLite at http://127.0.0.1:3000 with demo data.
# The admin password is CREWDESK_ADMIN_PASSWORD, or a new random one printed below.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
scripts/setup.sh
scripts/build-site.sh
cargo build --release -p server
bin="$CARGO_TARGET_DIR/release/crewdesk"
export CREWDESK_DATABASE_URL="${CREWDESK_DATABASE_URL:-sqlite:data/crewdesk.db}"
"$bin" demo
exec "$bin" serve --addr "${CREWDESK_ADDR:-127.0.0.1:3000}" --site-root target/site
