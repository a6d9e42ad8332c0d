#!/usr/bin/env bash
# Whole-server load, in one run, on loopback: (A) bare hyper (perf/bare),
# (B) huma on the embedded store, (C) huma on a private redis-server; each
# loaded with wrk in turn A B C A B C (perf/verify.lua: a ~3.3 KB verify body,
# a fresh userId per request), then an open-loop constant-rate run with oha
# at half of each server's measured peak (latency corrected for coordinated
# omission). Prints req/s, p50, p99 and the ratios huma ÷ bare.
#
# Usage: perf/run.sh [seconds per wrk run, default 10] [seconds per oha run, default 8]
# Env: CONNS (wrk/oha connections, default 64), ROUNDS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
osecs=${2:-8}
conns=${CONNS:-64}
rounds=${ROUNDS:-2}
target=$(realpath -m "${CARGO_TARGET_DIR:-target}")

cargo build --release --quiet --bin huma
(cd perf/bare && CARGO_TARGET_DIR="$target/perf-bare" cargo build --release --quiet --locked)
bare_bin="$target/perf-bare/release/huma-perf-bare"
huma_bin="$target/release/huma"

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/$2" && return 0; sleep 0.1; done; echo "port $1 never answered" >&2; exit 1; }
new_key() {
  curl -sf -X POST "http://127.0.0.1:$1/admin/v1/keys" -H 'Authorization: Bearer perf-admin-token' \
    -d '{"plan":"enterprise","burst_per_minute":1000000000}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])'
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u '+%F %H:%M UTC')"
echo "load: wrk -t2 -c$conns -d${secs}s -s perf/verify.lua; rounds: $rounds; loadavg before: $(cut -d' ' -f1-3 /proc/loadavg)"

# A: bare hyper.
a_port=$(free_port)
"$bare_bin" "127.0.0.1:$a_port" & pids+=($!)
wait_up "$a_port" ""

# B: huma, embedded store.
b_port=$(free_port)
HUMA_LISTEN="127.0.0.1:$b_port" HUMA_DATA_DIR="$work/data" HUMA_ADMIN_TOKEN=perf-admin-token RUST_LOG=warn \
  "$huma_bin" serve >"$work/b.log" 2>&1 & pids+=($!)
wait_up "$b_port" healthz
b_key=$(new_key "$b_port")

# C: huma on a private redis-server.
r_port=$(free_port)
redis-server --port "$r_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >/dev/null & pids+=($!)
c_port=$(free_port)
sleep 0.3
REDIS_URL="redis://127.0.0.1:$r_port/" HUMA_LISTEN="127.0.0.1:$c_port" HUMA_ADMIN_TOKEN=perf-admin-token RUST_LOG=warn \
  "$huma_bin" serve >"$work/c.log" 2>&1 & pids+=($!)
wait_up "$c_port" healthz
c_key=$(new_key "$c_port")

declare -A port=([A]=$a_port [B]=$b_port [C]=$c_port) key=([A]=bare [B]=$b_key [C]=$c_key)
declare -A name=([A]="bare hyper" [B]="huma embedded" [C]="huma redis")
declare -A rps_sum p50s p99s
for s in A B C; do rps_sum[$s]=0; p50s[$s]=""; p99s[$s]=""; done

for round in $(seq "$rounds"); do
  for s in A B C; do
    line=$(HUMA_KEY=${key[$s]} timeout $((secs + 30)) wrk -t2 -c"$conns" -d"${secs}s" -s perf/verify.lua \
      "http://127.0.0.1:${port[$s]}" | grep RESULT)
    printf 'round %s %-14s %s\n' "$round" "${name[$s]}" "$line"
    rps=$(sed -E 's/.*rps=([0-9]+).*/\1/' <<<"$line")
    rps_sum[$s]=$((rps_sum[$s] + rps))
    p50s[$s]+="$(sed -E 's/.*p50_us=([0-9]+).*/\1/' <<<"$line") "
    p99s[$s]+="$(sed -E 's/.*p99_us=([0-9]+).*/\1/' <<<"$line") "
  done
done

echo
echo "summary (mean req/s over rounds; p50/p99 per round, µs):"
for s in A B C; do
  mean=$((rps_sum[$s] / rounds))
  ratio=$(python3 -c "print(f'{${rps_sum[$s]}/${rps_sum[A]}:.2f}')")
  printf '  %-14s %7d req/s  ÷ bare %s  p50 [ %s]  p99 [ %s]\n' "${name[$s]}" "$mean" "$ratio" "${p50s[$s]}" "${p99s[$s]}"
done

# Open loop: oha at a constant rate, half of each server's measured peak.
# oha sends a fixed body, so it cycles through a file of bodies with a
# distinct userId each (the per-user flood limit allows 10 a minute).
if ! command -v oha >/dev/null; then
  echo "oha not installed (cargo install oha --locked): open-loop run skipped"
  exit 0
fi
python3 - "$work/bodies" 40000 <<'PY'
import math, random, sys
path, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
m, k = [], []
x, y, t = 200.0, 300.0, 0
for i in range(1, 151):
    phase = (i % 40) / 40
    speed = 2 + 14 * math.sin(math.pi * phase)
    angle = 0.4 + 0.6 * math.sin(i / 30)
    x += speed * math.cos(angle) + random.random() * 2 - 1
    y += speed * math.sin(angle) * 0.5 + random.random() * 2 - 1
    t += 16 + int(random.random() * 6)
    m.append(f"{t},{int(x)},{int(y)}")
kt = t + 400
for i in range(20):
    kt += 90 + int(random.random() * 160)
    k.append(f"{kt},{60 + int(random.random() * 60)},0")
sig = ('{"v":1,"dur":%d,"m":[%s],"c":[%d,%d,%d,96,1],"k":[%s],"s":[],"t":[],"f":[],'
       '"n":{"m":150,"mc":100,"c":1,"k":20,"s":0,"t":0,"u":0},'
       '"env":{"host":"shop.example","webdriver":false,"cdp":false,"headless_ua":false,"chrome_obj":true,'
       '"plugins":5,"languages":2,"touch_points":0,"screen":[1920,1080],"outer":[1280,800],"inner":[1280,689],"dpr":1}}'
       ) % (kt + 500, ",".join(m), t + 80, int(x), int(y), ",".join(k))
with open(path, "w") as f:
    for i in range(n):
        f.write('{"userId":"ol_%d","sessionData":%s}\n' % (i, sig))
PY
echo
echo "open loop: oha -z ${osecs}s -c $conns -q <half of mean peak> --latency-correction, bodies cycling 40,000 userIds:"
for s in A B C; do
  rate=$((rps_sum[$s] / rounds / 2))
  timeout $((osecs + 30)) oha -z "${osecs}s" -c "$conns" -q "$rate" --latency-correction --no-tui --output-format json \
    -m POST -H "Authorization: Bearer ${key[$s]}" -H 'Content-Type: application/json' -Z "$work/bodies" \
    "http://127.0.0.1:${port[$s]}/api/v1/verify" >"$work/oha.json" || true
  python3 - "$work/oha.json" "${name[$s]}" "$rate" <<'PY'
import json, sys
path, name, rate = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    d = json.load(open(path))
except Exception as e:
    print(f"  {name:14s} oha output unreadable: {e}"); sys.exit(0)
p = d.get("latencyPercentiles", {})
codes = d.get("statusCodeDistribution", {})
s = d.get("summary", {})
print(f"  {name:14s} target {rate} req/s: achieved {s.get('requestsPerSec', 0):.0f} req/s, "
      f"p50 {p.get('p50', 0)*1e3:.2f} ms, p99 {p.get('p99', 0)*1e3:.2f} ms, p99.9 {p.get('p99.9', 0)*1e3:.2f} ms, "
      f"status {codes}")
PY
done
