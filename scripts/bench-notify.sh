#!/usr/bin/env bash
# Delivery throughput (BENCHMARKS.md, "Notifications"): 10,000 queued SMS drained by the
# workers to a loopback gateway, beside bare posts to the same gateway as the anchor; then
# 200 loopback WeCom robots with 25 messages each (20 allowed a minute): none over its limit,
# nothing lost or sent twice; and the process's RSS. One release build, one process.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
cargo build --release -p server --example notify_load
echo "$(nproc) cores"
"$CARGO_TARGET_DIR/release/examples/notify_load" "${MESSAGES:-10000}" "${ROBOTS:-200}"
