#!/usr/bin/env bash
# What a page's code would weigh if the console hydrated Leptos islands (only its interactive
# parts) instead of whole pages, beside the anchor and today's module, in one run.
# tools/islands-probe wraps parts of the console, unchanged, as islands, with Leptos in
# islands mode; each is built the way the console's WASM is (scripts/bench/lib.sh). Prints
# each module's size and its brotli bytes' time on the wire at 10 Mbit/s, then where the code
# of the console's module and of the roster island goes (scripts/bench/wasm_weight.py).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/bench/lib.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scripts/build-site.sh >/dev/null
build_anchor "$work/anchor"
build_module islands-probe runtime "$work/runtime"
build_module islands-probe edit "$work/edit" --features edit
build_module islands-probe roster "$work/roster" --features roster
linked="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release"
cp "$linked/islands_probe.wasm" "$work/roster-linked.wasm"

console="target/site/pkg/crewdesk.$(sed -n 's/^wasm: //p' target/site/hash.txt).wasm"
echo "crewdesk $(git rev-parse --short HEAD), $(date -u +%F); bytes; wire time of the brotli bytes at 10 Mbit/s"
python3 - "$work/anchor/anchor_bg.wasm" \
  "islands runtime alone=$work/runtime/runtime_bg.wasm" \
  "edit dialog as an island=$work/edit/edit_bg.wasm" \
  "roster page as one island=$work/roster/roster_bg.wasm" \
  "console today (whole pages)=$console" <<'PY'
import os, sys
def sizes(path):
    return [os.path.getsize(path + ext) for ext in ("", ".gz", ".br")]
anchor = sizes(sys.argv[1])
print("| WASM | raw | gzip | brotli | x anchor | wire ms |")
print("|---|---:|---:|---:|---:|---:|")
rows = [("anchor: bare Leptos page + router", sys.argv[1])] + [a.split("=", 1) for a in sys.argv[2:]]
for name, path in rows:
    raw, gz, br = sizes(path)
    print("| %s | %d | %d | %d | %.2f | %.0f |" % (name, raw, gz, br, br / anchor[2], br * 8 / 10e6 * 1000))
PY
echo
python3 scripts/bench/wasm_weight.py "$linked/frontend.wasm"
echo
python3 scripts/bench/wasm_weight.py "$work/roster-linked.wasm"
