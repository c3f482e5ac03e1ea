#!/usr/bin/env bash
# Builds the browser half into target/site: the WASM (one module: the console has no split
# points), its JS glue, the CSS and the favicon, each pre-compressed with gzip and brotli,
# and prints the module's size.
#   1. the frontend for wasm32, linked with --emit-relocs (.cargo/config.toml sets the flag for
#      that target only), size profile;
#   2. tools/wasm-split, as `cargo leptos build --split` does: it would move each lazy route's
#      code into a chunk (there are none) and writes pkg/__wasm_split_manifest.json, which the
#      server reads; it also drops the linking section --emit-relocs leaves, without which
#      wasm-opt cannot shrink the module;
#   3. wasm-bindgen finishes the main module (keeping the exports the chunks link against);
#   4. wasm-opt -Oz on every module;
#   5. the WASM, the JS glue and the CSS renamed by their content (crewdesk.<hash>.wasm),
#      the hashes listed in target/site/hash.txt for the server, so that browsers may keep
#      them for good (server/src/web/assets.rs).
# SITE_OUT (default target/site) and SITE_CARGO_ARGS (more arguments for the frontend's
# build, e.g. `--no-default-features` for whole-page hydration, which
# scripts/bench-firstload.sh compares) build a variant elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

profile=wasm-release
out="${SITE_OUT:-target/site}"
pkg="$out/pkg"
split="$CARGO_TARGET_DIR/wasm-split"
# An old build's files must not linger beside the new ones.
rm -rf "$pkg" "$split" "$out/hash.txt"
mkdir -p "$pkg" "$split"
cargo build -p frontend --lib --target wasm32-unknown-unknown --profile "$profile" ${SITE_CARGO_ARGS:-}
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
# Names by content, then every module's size into target/site/wasm-sizes.txt; on the screen,
# what the first load of each page fetches (the main module and the chunks the manifest lists
# for its route).
python3 - "$pkg" "$out/wasm-sizes.txt" "$out/hash.txt" <<'PY_END'
import hashlib, json, os, sys
pkg, report, hash_file = sys.argv[1], sys.argv[2], sys.argv[3]
hashes = []
for kind, plain in (("js", "crewdesk.js"), ("wasm", "crewdesk_bg.wasm"), ("css", "crewdesk.css")):
    with open(os.path.join(pkg, plain), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    hashed = "crewdesk.%s.%s" % (digest, kind)
    for ext in ("", ".gz", ".br"):
        os.replace(os.path.join(pkg, plain + ext), os.path.join(pkg, hashed + ext))
    hashes.append("%s: %s\n" % (kind, digest))
    if kind == "wasm":
        wasm = hashed
with open(hash_file, "w") as f:
    f.writelines(hashes)
def sizes(name):
    path = os.path.join(pkg, name)
    return [os.path.getsize(path + ext) for ext in ("", ".gz", ".br")]
modules = sorted(f for f in os.listdir(pkg) if f.endswith(".wasm"))
with open(report, "w") as out:
    out.write("module  raw  gzip  brotli\n")
    for name in modules:
        out.write("%s  %d  %d  %d\n" % (name, *sizes(name)))
main = sizes(wasm)
every = [sum(sizes(m)[i] for m in modules) for i in range(3)]
print("site: main module %s: %d bytes, %d gzip, %d brotli" % (wasm, *main))
with open(os.path.join(pkg, "__wasm_split_manifest.json")) as f:
    manifest = json.load(f)
for split, chunks in sorted(manifest.items()):
    route = split.strip("_").split("_route_view")[0]
    load = [main[i] + sum(sizes(c + ".wasm")[i] for c in chunks) for i in range(3)]
    print("site: first load of %-15s %8d bytes, %7d gzip, %7d brotli (main + %d chunks)" % (route, *load, len(chunks)))
print("site: all %d modules: %d bytes, %d gzip, %d brotli; each listed in %s" % (len(modules), *every, report))
PY_END
