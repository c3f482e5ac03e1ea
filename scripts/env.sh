# Sourced by the other scripts: one persistent target folder and the project's tools on PATH.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/crewdesk-target}"
export PATH="$HOME/.cargo/bin:$PWD/end2end/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Every CI run builds from a fresh clone, where incremental state is never reused; it cost
# tens of gigabytes on disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
WASM_BINDGEN_VERSION=0.2.130
SCHEMATHESIS_VERSION=4.32.5
# Compiler flags live in .cargo/config.toml, for every build alike; RUSTFLAGS or a
# CARGO_TARGET_*_RUSTFLAGS set here would replace them.
unset RUSTFLAGS CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS
