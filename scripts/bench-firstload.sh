#!/usr/bin/env bash
# The first load of every page on an emulated network, beside the anchor, in one run (release
# build). A release server on loopback serves the console (demo roster, signed in as an
# SDAdmin; the sign-in page signed out) and the anchor: tools/wasm-anchor, a bare Leptos 0.8
# page with a router, built the way the console's WASM is and served by the same server from
# a copy of the site, as a static page that preloads its code the way the console's pages do
# (the server sends static files a policy that lets no script run; the browser is told to
# leave it aside for the anchor's page only).
# Headless Chromium loads each page RUNS (5) times with a cold cache at 100 ms / 10 Mbit/s
# and at 20 ms / 50 Mbit/s (DevTools network emulation) and prints the medians: HTML
# arrived, code arrived (the last WASM or JS response), interactive (`<html data-hydrated>`:
# the page and its chunks are live; the HTML for a page without WASM), requests for code,
# bytes over the wire; on the roster, how long Edit takes to open its dialog in place. Two
# more rows sign in on the sign-in page as a person does, after 0 s and after 3 s of typing,
# and time the roster from the click on Sign in (the sign-in page prefetches the code).
# The console hydrates islands (its default build): on the roster, Edit loads the dialog's
# page. The rows "whole pages:" load the roster and its dialogs from a second server on the
# same database, the same release built without islands (`--no-default-features`), whose
# browser hydrates whole pages and opens a dialog in place.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
RUNS="${RUNS:-5}"

source scripts/bench/lib.sh
work=$(mktemp -d)
server_pid=""
whole_pid=""
trap 'kill $server_pid $whole_pid 2>/dev/null; rm -rf "$work"' EXIT
# The whole-page build first, into the run's folder; then the shipped build, left in target/.
cargo build -q --release -p server --bin crewdesk --no-default-features
cp "$CARGO_TARGET_DIR/release/crewdesk" "$work/crewdesk-whole"
SITE_OUT="$work/site-whole" SITE_CARGO_ARGS=--no-default-features scripts/build-site.sh >/dev/null
cargo build -q --release -p server --bin crewdesk
scripts/build-site.sh >/dev/null
bin="$work/crewdesk"
cp "$CARGO_TARGET_DIR/release/crewdesk" "$bin"

# The site and, beside its code, the anchor's page.
cp -r target/site "$work/site"
build_anchor "$work/site/pkg/anchor" --features mount
cat >"$work/site/pkg/anchor/index.html" <<'HTML'
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Anchor</title>
<link rel="modulepreload" href="/pkg/anchor/anchor.js">
<link rel="preload" href="/pkg/anchor/anchor_bg.wasm" as="fetch" type="application/wasm" crossorigin="">
<script type="module">
import('/pkg/anchor/anchor.js').then((mod) => mod.default({ module_or_path: '/pkg/anchor/anchor_bg.wasm' }).then(() => mod.hydrate()));
</script></head><body></body></html>
HTML

export CREWDESK_ADMIN_PASSWORD=bench-password-1
"$bin" --database-url "sqlite:$work/f.db" demo --engineers 200 >/dev/null
port=$(free_port)
CREWDESK_LOG=warn "$bin" --database-url "sqlite:$work/f.db" serve --addr "127.0.0.1:$port" \
  --site-root "$work/site" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
cookie=$(admin_cookie)
[ -n "$cookie" ] || { echo "sign-in failed" >&2; cat "$work/server.log" >&2; exit 1; }
base="http://127.0.0.1:$port"
whole_port=$(free_port)
CREWDESK_LOG=warn "$work/crewdesk-whole" --database-url "sqlite:$work/f.db" serve --addr "127.0.0.1:$whole_port" \
  --site-root "$work/site-whole" >"$work/whole.log" 2>&1 &
whole_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$whole_port/healthz" >/dev/null && break; sleep 0.1; done
whole_base="http://127.0.0.1:$whole_port"
id=$(curl -s -H "Cookie: $cookie" "$base/" | grep -o '/engineers/[0-9]*/edit' | head -1 | tr -dc 0-9)
[ -n "$id" ] || { echo "no engineer on the roster" >&2; exit 1; }

pages=$(python3 - "$id" "$CREWDESK_ADMIN_PASSWORD" <<'PY'
import json, sys
i, password = sys.argv[1], sys.argv[2]
pages = [("anchor: bare Leptos page", "/pkg/anchor/", False, None),
         ("roster", "/", True, "#op-edit-" + i),
         ("edit dialog", f"/engineers/{i}/edit", True, None),
         ("subscribe dialog", f"/engineers/{i}/subscribe", True, None),
         ("delete dialog", f"/engineers/{i}/delete", True, None),
         ("add engineer", "/engineers/new", True, None),
         ("import", "/engineers/import", True, None),
         ("reference data", "/reference", True, None),
         ("settings", "/settings", True, None),
         ("deliveries", "/deliveries", True, None),
         ("messages", "/messages", True, None),
         ("audit log", "/audit", True, None),
         ("reachability", "/reachability", True, None),
         ("sign-in (signed out)", "/login", False, None)]
# Islands: Edit on the roster is a link to the dialog's page.
rows = [{"name": n, "path": p, "signedIn": s, "edit": e, "editLoadsPage": True, "anchor": p.startswith("/pkg/anchor/")}
        for n, p, s, e in pages]
# Signing in as a person does: the roster after the click on Sign in, the form sent at once
# or after 3 s of typing (the sign-in page prefetches the code meanwhile).
for pause in (0, 3000):
    rows.append({"name": "roster, from Sign in (%d s typing)" % (pause // 1000), "path": "/login",
                 "signedIn": False, "signIn": {"login": "admin", "password": password, "pauseMs": pause}})
# Whole-page hydration (its own server): Edit opens the dialog in place.
whole = [("whole pages: roster", "/", "#op-edit-" + i),
         ("whole pages: edit dialog", f"/engineers/{i}/edit", None),
         ("whole pages: subscribe dialog", f"/engineers/{i}/subscribe", None),
         ("whole pages: delete dialog", f"/engineers/{i}/delete", None)]
rows += [{"name": n, "path": p, "signedIn": True, "edit": e, "base": "other"} for n, p, e in whole]
print(json.dumps(rows))
PY
)
node end2end/bench/firstload.mjs "$base" "$cookie" "$pages" "$RUNS" "$whole_base" >"$work/loads.jsonl" 2>"$work/stalls.log" \
  || { cat "$work/stalls.log" >&2; exit 1; }

echo "crewdesk $(git rev-parse --short HEAD), $(date -u +%F); median of $RUNS cold loads; ms from navigation (the rows \"from Sign in\": from the click)"
python3 - "$work/loads.jsonl" "$RUNS" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
for network in dict.fromkeys(r["network"] for r in rows):
    here = [r for r in rows if r["network"] == network]
    anchor = here[0]["interactive"]
    print()
    print("| %s | HTML | code | interactive | x anchor | code requests | KB | Edit opens |" % network)
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in here:
        dialog = "%.0f" % r["dialog"] if "dialog" in r else ""
        print("| %s | %.0f | %.0f | %.0f | %.2f | %d | %.0f | %s |" % (
            r["page"], r["html"], r["code"], r["interactive"], r["interactive"] / anchor,
            r["requests"], r["bytes"] / 1000, dialog))
stalls = sum(r["stalls"] for r in rows)
print()
print("%d of %d loads stalled under emulation and were done again" % (stalls, stalls + len(rows) * int(sys.argv[2])))
PY
