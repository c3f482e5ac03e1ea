# Sourced by the other scripts: one persistent target folder and the project's tools on PATH.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/crewdesk-target}"
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Every CI run builds from a fresh clone, where incremental state is never reused; it cost
# tens of gigabytes on disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
WASM_BINDGEN_VERSION=0.2.130
SCHEMATHESIS_VERSION=4.32.5
# The browser WASM keeps its relocations so tools/wasm-split can cut it at the lazy routes;
# scoped to that target, so host builds are untouched.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:--Clink-args=--emit-relocs}"
