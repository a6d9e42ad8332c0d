#!/usr/bin/env bash
# A/B: verify throughput on Redis of two huma binaries, alternating, one redis-server.
# Usage: BASE=path/to/other/huma perf/ab.sh [seconds per run, default 6]
# (build the other one from another commit with its own CARGO_TARGET_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BASE:?set BASE to the huma binary to compare against}"
cargo build --release --quiet --bin huma
secs=${1:-6}
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(freeport)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >/dev/null &
redis_pid=$!
huma_pid=
trap 'kill $redis_pid 2>/dev/null; [ -n "$huma_pid" ] && kill $huma_pid 2>/dev/null || true' EXIT
sleep 0.5
for round in 1 2 3; do
for which in base this; do
  bin=${CARGO_TARGET_DIR:-target}/release/huma; [ $which = base ] && bin=$BASE
  hport=$(freeport)
  REDIS_URL="redis://127.0.0.1:$port/" HUMA_LISTEN="127.0.0.1:$hport" HUMA_ADMIN_TOKEN=perf-admin-token \
    RUST_LOG=info $bin serve >/dev/null 2>&1 &
  huma_pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$hport/healthz" >/dev/null && break; sleep 0.1; done
  key=$(curl -sf -X POST "http://127.0.0.1:$hport/admin/v1/keys" -H 'Authorization: Bearer perf-admin-token' \
    -d '{"plan":"enterprise","burst_per_minute":1000000000}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  printf '%s round %s: ' "$which" "$round"
  HUMA_KEY=$key wrk -t2 -c64 -d"${secs}s" -s perf/verify.lua "http://127.0.0.1:$hport" | grep RESULT
  kill $huma_pid; wait $huma_pid 2>/dev/null || true; huma_pid=
done
done
