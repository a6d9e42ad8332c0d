#!/usr/bin/env bash
# Runs every fuzz target for N seconds (default 60) from its committed seed
# corpus (new inputs go to a scratch copy, so the committed corpus stays
# small) and prints libFuzzer's final stats line for each.
# Usage: fuzz/run.sh [seconds]   (needs the nightly toolchain and cargo-fuzz)
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cargo +nightly fuzz build --release
for t in $(cargo +nightly fuzz list); do
  mkdir -p "$scratch/$t"
  cp -r "corpus/$t/." "$scratch/$t/"
  echo "== $t (${secs}s)"
  cargo +nightly fuzz run --release "$t" "$scratch/$t" -- -max_total_time="$secs" -max_len=70000 -print_final_stats=1 2>&1 \
    | grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)|panicked|ERROR|SUMMARY' || true
  if [ -d "artifacts/$t" ] && [ -n "$(ls -A "artifacts/$t" 2>/dev/null)" ]; then
    echo "crash artifacts in fuzz/artifacts/$t"; exit 1
  fi
done
