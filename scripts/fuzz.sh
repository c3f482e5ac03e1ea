#!/usr/bin/env bash
# Runs every fuzz target for a minute each (FUZZ_SECONDS), on the nightly toolchain with
# cargo-fuzz (installed here when missing), without a sanitizer: the code is safe Rust, so the
# targets look for panics and broken answers, and run several times faster so. Corpora live
# in fuzz/corpus/, findings in fuzz/artifacts/. Not part of the test command. Prints each
# target's execution count.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
SECONDS_EACH="${FUZZ_SECONDS:-60}"
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/crewdesk-fuzz-target}"
# cargo-fuzz passes its flags through RUSTFLAGS, which replaces .cargo/config.toml's; it keeps
# what RUSTFLAGS already holds, so the cfg every Crewdesk build needs goes there.
export RUSTFLAGS="--cfg erase_components"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
cargo +nightly fuzz --version >/dev/null 2>&1 || cargo +nightly install cargo-fuzz --locked
cd fuzz
targets="${*:-domain_parsers envelope servlet_body servlet_dispatch}"
for target in $targets; do
  mkdir -p "corpus/$target"
  log=$(mktemp)
  cargo +nightly fuzz run -s none "$target" "corpus/$target" -- -max_total_time="$SECONDS_EACH" \
    -max_len=4096 -print_final_stats=1 >"$log" 2>&1 || { tail -40 "$log"; exit 1; }
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  echo "$target: $runs executions in ${SECONDS_EACH} s, 0 crashes, corpus $(ls "corpus/$target" | wc -l) inputs"
  rm -f "$log"
done
