# Sourced by the bench scripts: wrk (from Debian, if missing), PostgreSQL's URL, and helpers.
if ! command -v wrk >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi
POSTGRES_URL="${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
export PGOPTIONS="--client-min-messages=warning"

# A free TCP port on loopback.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# rss PID VmRSS|VmHWM: the process's resident memory now, or its peak, in MiB.
rss() { awk -v k="$2:" '$1 == k {print int($2 / 1024) " MiB"}' "/proc/$1/status"; }

# fresh_postgres NAME: drops and creates the database NAME; prints its URL.
# ask DB SQL: one value from the database (a sqlite: or postgres: URL).
ask() {
  case "$1" in
    sqlite:*) python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "${1#sqlite:}" "$2" ;;
    *) psql "$1" -tAc "$2" ;;
  esac
}

fresh_postgres() {
  psql "$POSTGRES_URL/postgres" -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
  echo "$POSTGRES_URL/$1"
}

# serve_console BIN DB LOG: starts `BIN serve` on DB at a free port of loopback, serving
# target/site, and waits until it answers; sets port and server_pid.
serve_console() {
  port=$(free_port)
  CREWDESK_LOG=warn "$1" --database-url "$2" serve --addr "127.0.0.1:$port" --site-root target/site >"$3" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
}

# admin_cookie: signs in at $port as `admin` with $CREWDESK_ADMIN_PASSWORD; prints the
# session cookie (empty if the sign-in failed).
admin_cookie() {
  curl -s -o /dev/null -D - -H 'Accept: application/json' \
    --data-urlencode "login=admin" --data-urlencode "password=$CREWDESK_ADMIN_PASSWORD" --data-urlencode "domain=" \
    "http://127.0.0.1:$port/api/login" | awk 'tolower($1) == "set-cookie:" {print $2}' | tr -d ';\r' | head -1
}

# build_module PACKAGE NAME DIR [CARGO_ARGS...]: a browser crate of the workspace built the
# way the console's WASM is (wasm-release profile, tools/wasm-split, wasm-bindgen,
# wasm-opt -Oz, gzip -9 and brotli -q 11) into DIR/NAME.js and DIR/NAME_bg.wasm. Through the
# same split as the console (none of these has split points): the split also drops the
# linking section that --emit-relocs leaves, without which wasm-opt cannot shrink a module.
build_module() {
  local package=$1 name=$2 dir=$3 profile=wasm-release
  shift 3
  mkdir -p "$dir"
  cargo build -q -p wasm-split --release
  cargo build -q -p "$package" --lib --target wasm32-unknown-unknown --profile "$profile" "$@"
  "$CARGO_TARGET_DIR/release/wasm-split" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile/${package//-/_}.wasm" \
    "$dir" "$dir/$name.unbound.wasm" "$name"
  wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle --out-dir "$dir" \
    --out-name "$name" "$dir/$name.unbound.wasm"
  rm -f "$dir/$name.unbound.wasm"
  wasm-opt -Oz "$dir/${name}_bg.wasm" -o "$dir/${name}_bg.wasm" 2>/dev/null
  for f in "$dir/${name}_bg.wasm" "$dir/$name.js"; do
    gzip -9 -k -f "$f"
    brotli -q 11 -f "$f"
  done
}

# build_anchor DIR [CARGO_ARGS...]: the anchor (tools/wasm-anchor, a bare Leptos 0.8 page
# with a router) into DIR/anchor.js and DIR/anchor_bg.wasm (see build_module).
build_anchor() {
  local dir=$1
  shift
  build_module wasm-anchor anchor "$dir" "$@"
}
