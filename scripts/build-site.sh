#!/usr/bin/env bash
# Builds the browser half into target/site: the WASM (one module: the console has no split
# points), its JS glue, the CSS and the favicon, each pre-compressed with gzip and brotli,
# and prints the module's size.
#   1. the frontend for wasm32, linked with --emit-relocs (scripts/env.sh sets the flag for
#      that target only), size profile;
#   2. tools/wasm-split, as `cargo leptos build --split` does: it would move each lazy route's
#      code into a chunk (there are none) and writes pkg/__wasm_split_manifest.json, which the
#      server reads; it also drops the linking section --emit-relocs leaves, without which
#      wasm-opt cannot shrink the module;
#   3. wasm-bindgen finishes the main module (keeping the exports the chunks link against);
#   4. wasm-opt -Oz on every module.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

profile=wasm-release
out=target/site
pkg="$out/pkg"
split="$CARGO_TARGET_DIR/wasm-split"
# Chunks are named by split point, not content: an old build's must not linger.
rm -rf "$pkg" "$split"
mkdir -p "$pkg" "$split"
cargo build -p frontend --lib --target wasm32-unknown-unknown --profile "$profile"
cargo build --release -p wasm-split
"$CARGO_TARGET_DIR/release/wasm-split" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile/frontend.wasm" \
  "$pkg" "$split/crewdesk.wasm" crewdesk
wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle --out-dir "$pkg" \
  --out-name crewdesk "$split/crewdesk.wasm"
# wasm-opt warns about each module's name subsection 3 (harmless): its output is shown only
# when it fails.
for f in "$pkg"/*.wasm; do
  wasm-opt -Oz "$f" -o "$f" 2>"$split/wasm-opt.log" || { cat "$split/wasm-opt.log" >&2; exit 1; }
done
cp style/main.css "$pkg/crewdesk.css"
cp public/favicon.ico "$out/favicon.ico"
# The API reference page (/api/docs): Swagger UI from npm, served by Crewdesk itself.
mkdir -p "$out/api-docs"
cp end2end/node_modules/swagger-ui-dist/swagger-ui-bundle.js end2end/node_modules/swagger-ui-dist/swagger-ui.css \
  "$out/api-docs/"
for f in "$out"/api-docs/*.js "$out"/api-docs/*.css; do
  gzip -9 -k -f "$f"
  brotli -q 11 -f "$f"
done
for f in "$pkg"/*.wasm "$pkg"/*.js "$pkg"/crewdesk.css; do
  gzip -9 -k -f "$f"
  brotli -q 11 -f "$f"
done
# Every module's size into target/site/wasm-sizes.txt; on the screen, what the first load of
# each page fetches (the main module and the chunks the manifest lists for its route).
python3 - "$pkg" "$out/wasm-sizes.txt" <<'PY_END'
import json, os, sys
pkg, report = sys.argv[1], sys.argv[2]
def sizes(name):
    path = os.path.join(pkg, name)
    return [os.path.getsize(path + ext) for ext in ("", ".gz", ".br")]
modules = sorted(f for f in os.listdir(pkg) if f.endswith(".wasm"))
with open(report, "w") as out:
    out.write("module  raw  gzip  brotli\n")
    for name in modules:
        out.write("%s  %d  %d  %d\n" % (name, *sizes(name)))
main = sizes("crewdesk_bg.wasm")
every = [sum(sizes(m)[i] for m in modules) for i in range(3)]
print("site: main module crewdesk_bg.wasm: %d bytes, %d gzip, %d brotli" % tuple(main))
with open(os.path.join(pkg, "__wasm_split_manifest.json")) as f:
    manifest = json.load(f)
for split, chunks in sorted(manifest.items()):
    route = split.strip("_").split("_route_view")[0]
    load = [main[i] + sum(sizes(c + ".wasm")[i] for c in chunks) for i in range(3)]
    print("site: first load of %-15s %8d bytes, %7d gzip, %7d brotli (main + %d chunks)" % (route, *load, len(chunks)))
print("site: all %d modules: %d bytes, %d gzip, %d brotli; each listed in %s" % (len(modules), *every, report))
PY_END
