#!/usr/bin/env bash
# The browser's first load of each page beside its anchor, in one run:
#   anchor: tools/wasm-anchor, a bare Leptos 0.8 page with a router, built the way the
#           console's WASM is (wasm-release profile, tools/wasm-split, wasm-bindgen,
#           wasm-opt -Oz, gzip -9 and brotli -q 11);
#   pages:  scripts/build-site.sh's first load of each page (the main module and the chunks
#           its route preloads), or nothing for a page the server renders without the WASM
#           (asked of a release server: the sign-in page signed out, the others signed in).
# Prints a table of gzip sizes with each page's ratio to the anchor; the goal is 230 KB.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

source scripts/bench/lib.sh
site=$(scripts/build-site.sh 2>/dev/null | grep '^site:')
profile=wasm-release
work=$(mktemp -d)
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT

# Which pages load the WASM at all, as the server renders them (the sign-in page signed
# out, every other page signed in as an SDAdmin): a page that does not loads nothing.
cargo build -q --release -p server --bin crewdesk
bin="$CARGO_TARGET_DIR/release/crewdesk"
export CREWDESK_ADMIN_PASSWORD=bench-password-1
"$bin" --database-url "sqlite:$work/w.db" demo --engineers 1 >/dev/null
serve_console "$bin" "sqlite:$work/w.db" "$work/server.log"
cookie=$(admin_cookie)
[ -n "$cookie" ] || { echo "sign-in failed" >&2; exit 1; }
id=$(curl -s -H "Cookie: $cookie" "http://127.0.0.1:$port/" | grep -o '/engineers/[0-9]*/edit' | head -1 | tr -dc 0-9)
[ -n "$id" ] || { echo "no engineer on the roster to open the dialogs of" >&2; exit 1; }
without_wasm=""
for route in add_technician=/engineers/new audit=/audit delete=/engineers/$id/delete deliveries=/deliveries \
  edit=/engineers/$id/edit engineers=/ login=/login messages=/messages reference=/reference \
  settings=/settings subscribe=/engineers/$id/subscribe; do
  signed_in=(-H "Cookie: $cookie")
  [ "${route%%=*}" = login ] && signed_in=()
  html=$(curl -fs "${signed_in[@]}" "http://127.0.0.1:$port${route#*=}") \
    || { echo "no answer at ${route#*=}" >&2; exit 1; }
  grep -q '<h1' <<<"$html" || { echo "no page at ${route#*=}" >&2; exit 1; }
  grep -q 'rel="modulepreload"' <<<"$html" || without_wasm="$without_wasm ${route%%=*}"
done
build_anchor "$work/pkg"
size() { stat -c %s "$1"; }
anchor_raw=$(size "$work/pkg/anchor_bg.wasm")
anchor_gz=$(size "$work/pkg/anchor_bg.wasm.gz")
anchor_br=$(size "$work/pkg/anchor_bg.wasm.br")

echo "crewdesk $(git rev-parse --short HEAD), $(date -u +%F); sizes in bytes; goal: first load <= 230 KB gzip"
printf '| %-34s | %9s | %8s | %8s | %-9s | %s |\n' "WASM" "raw" "gzip" "brotli" "x anchor" "goal"
printf '|%s|%s|%s|%s|%s|%s|\n' "------------------------------------" "-----------" "----------" "----------" "-----------" "------"
printf '| %-34s | %9d | %8d | %8d | %-9s | %s |\n' "anchor: bare Leptos page + router" \
  "$anchor_raw" "$anchor_gz" "$anchor_br" "1.00" ""
awk -v anchor="$anchor_gz" -v without="$without_wasm" '
  /^site: main module/ { printf "| %-34s | %9d | %8d | %8d | %-9.2f | %s |\n", "main module (every page)", $5, $7, $9, $7 / anchor, "" }
  /^site: first load of/ {
    if (index(without " ", " " $5 " ")) { $6 = 0; $8 = 0; $10 = 0; $5 = $5 " (no WASM)" }
    printf "| %-34s | %9d | %8d | %8d | %-9.2f | %s |\n", "first load: " $5, $6, $8, $10, $8 / anchor, ($8 <= 230000 ? "met" : "not met")
  }' <<<"$site"
