#!/usr/bin/env bash
# Measures verify throughput on Redis for several pool shapes, in one run,
# on loopback: a private redis-server, a release huma per shape, wrk.
# Usage: perf/redis-pool.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
cargo build --release --quiet
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >/dev/null &
redis_pid=$!
trap 'kill $redis_pid 2>/dev/null; kill $huma_pid 2>/dev/null || true' EXIT
sleep 0.5
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%F)"
for shape in ${SHAPES:-1 2 4 16 1}; do
  hport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  REDIS_URL="redis://127.0.0.1:$port/" HUMA_LISTEN="127.0.0.1:$hport" HUMA_ADMIN_TOKEN=perf-admin-token \
    HUMA_REDIS_POOL_SIZE=$shape RUST_LOG=warn target/release/huma serve >/dev/null 2>&1 &
  huma_pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$hport/healthz" >/dev/null && break; sleep 0.1; done
  key=$(curl -sf -X POST "http://127.0.0.1:$hport/admin/v1/keys" -H 'Authorization: Bearer perf-admin-token' \
    -d '{"plan":"enterprise","burst_per_minute":1000000000}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  printf 'pool=%-3s ' "$shape"
  HUMA_KEY=$key wrk -t2 -c64 -d"${secs}s" -s perf/verify.lua "http://127.0.0.1:$hport" | grep RESULT
  kill $huma_pid; wait $huma_pid 2>/dev/null || true
done
