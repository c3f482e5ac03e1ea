#!/usr/bin/env bash
# Builds the browser half into target/site: the WASM (size profile, wasm-opt -Oz), its JS
# glue, the CSS and the favicon, each pre-compressed with gzip and brotli.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

profile=wasm-release
out=target/site
pkg="$out/pkg"
mkdir -p "$pkg"
cargo build -p frontend --lib --target wasm32-unknown-unknown --profile "$profile"
wasm-bindgen --target web --no-typescript --out-dir "$pkg" --out-name crewdesk \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile/frontend.wasm"
wasm-opt -Oz "$pkg/crewdesk_bg.wasm" -o "$pkg/crewdesk_bg.wasm"
cp style/main.css "$pkg/crewdesk.css"
cp public/favicon.ico "$out/favicon.ico"
for f in "$pkg"/crewdesk_bg.wasm "$pkg"/crewdesk.js "$pkg"/crewdesk.css; do
  gzip -9 -k -f "$f"
  brotli -q 11 -f "$f"
done
echo "site: $(stat -c %s "$pkg/crewdesk_bg.wasm") bytes WASM, $(stat -c %s "$pkg/crewdesk_bg.wasm.gz") gzip, $(stat -c %s "$pkg/crewdesk_bg.wasm.br") brotli"
