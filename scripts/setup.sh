#!/usr/bin/env bash
# Installs what building (and, with --test, testing) Crewdesk needs, pinned, skipping what is
# already there. Everything comes from the package registries (crates.io, npm, Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]} from Debian"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

rustup target list --installed | grep -q '^wasm32-unknown-unknown$' \
  || rustup target add wasm32-unknown-unknown

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  # --locked fails: a locked dependency of this version is not in the registry.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# wasm-opt from npm's binaryen: Debian's older wasm-opt silently breaks the WASM.
# swagger-ui-dist: the API reference page's bundle (its analytics dependency is switched off
# in package.json and here: nothing is sent anywhere).
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -d end2end/node_modules/playwright-core ] \
  || [ ! -d end2end/node_modules/axe-core ] || [ ! -d end2end/node_modules/swagger-ui-dist ]; then
  (cd end2end && SCARF_ANALYTICS=false npm ci --no-audit --no-fund)
fi

apt_install brotli

if [ "${1:-}" = "--test" ]; then
  # CJK glyphs: the browser tests measure the Chinese console as its readers see it.
  apt_install chromium postgresql-client slapd ldap-utils openssl fonts-noto-cjk
fi

if [ "${1:-}" = "--test" ]; then
  # schemathesis checks the API against its OpenAPI document (scripts/api-conformance.sh).
  venv="$HOME/.cache/crewdesk-schemathesis"
  if [ "$("$venv/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
fi
