#!/usr/bin/env python3
"""Redis commands and round trips per verify, for one or more huma binaries.

Usage: perf/redis-trips.py [--n N] [--delay-ms D] BINARY...

For each binary, on a private redis-server: create a pro key, warm up with
two verifies, then send N verifies one after another (a ~3 KB signals
window, a fresh userId and trace each), and report

* commands per verify, from MONITOR: every command huma's connection sent,
  minus its background work (outbox poller `huma:{outbox}`, limit
  reconciliation `huma:lim:`) and minus the commands Lua scripts ran;
* the same from INFO commandstats (CONFIG RESETSTAT before the N verifies),
  which includes the background work;
* the median verify latency with huma talking to Redis through a proxy that
  delays every chunk by D ms each way: (median with the proxy − median
  without) / (what one PING round trip through the proxy adds) is the round
  trips per verify;
* redis-server CPU time per verify (INFO cpu, user + sys, over the N direct
  verifies; background work included, so noisy).

Counts are exact; latencies are medians of N sequential calls.
"""

import argparse
import asyncio
import collections
import http.client
import json
import math
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time

ADMIN = "perf-admin-token"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def body(i):
    """A human-like window with a trace of its own (no replays)."""
    rnd = random.Random(i)
    m, x, y, t = [], 200.0, 300.0, 0.0
    for j in range(150):
        phase = (j % 40) / 40
        speed = 2 + 14 * math.sin(math.pi * phase)
        x += speed * 0.8 + rnd.random() * 2 - 1
        y += speed * 0.3 + rnd.random() * 2 - 1
        t += 16 + rnd.randint(0, 5)
        m += [round(t), round(x), round(y)]
    k, kt = [], t + 400
    for _ in range(20):
        kt += 90 + rnd.randint(0, 160)
        k += [round(kt), 60 + rnd.randint(0, 60), 0]
    signals = {
        "v": 1, "dur": round(kt + 500), "m": m, "c": [round(t + 80), round(x), round(y), 96, 1],
        "k": k, "s": [], "t": [], "f": [],
        "n": {"m": 150, "mc": 100, "c": 1, "k": 20, "s": 0, "t": 0, "u": 0},
        "env": {"host": "shop.example", "webdriver": False, "cdp": False, "headless_ua": False,
                "chrome_obj": True, "plugins": 5, "languages": 2, "touch_points": 0,
                "screen": [1920, 1080], "outer": [1280, 800], "inner": [1280, 689], "dpr": 1},
    }
    return json.dumps({"userId": f"user{i}", "sessionData": signals})


class DelayProxy:
    """Forwards TCP to `upstream`, every chunk `delay` seconds late, in order."""

    def __init__(self, upstream, delay):
        self.upstream, self.delay, self.port = upstream, delay, free_port()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait()

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)

        async def pipe(reader, writer):
            queue = asyncio.Queue()

            async def send():
                while True:
                    due, data = await queue.get()
                    if data is None:
                        writer.close()
                        return
                    await asyncio.sleep(max(0.0, due - self.loop.time()))
                    writer.write(data)
                    await writer.drain()

            sender = asyncio.ensure_future(send())
            while data := await reader.read(65536):
                queue.put_nowait((self.loop.time() + self.delay, data))
            queue.put_nowait((0, None))
            await sender

        async def handle(cr, cw):
            sr, sw = await asyncio.open_connection("127.0.0.1", self.upstream)
            await asyncio.gather(pipe(cr, sw), pipe(sr, cw), return_exceptions=True)

        async def main():
            await asyncio.start_server(handle, "127.0.0.1", self.port)
            ready.set()
            await asyncio.Event().wait()

        self.loop.run_until_complete(main())


class Huma:
    def __init__(self, binary, redis_port):
        self.port = free_port()
        env = {
            "PATH": os.environ["PATH"], "REDIS_URL": f"redis://127.0.0.1:{redis_port}/",
            "HUMA_LISTEN": f"127.0.0.1:{self.port}", "HUMA_ADMIN_TOKEN": ADMIN, "RUST_LOG": "warn",
            # Held up by the delay proxy, calls take longer than the 100 ms default.
            "HUMA_REDIS_TIMEOUT_MS": "2000",
        }
        self.proc = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                self.request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        status, created = self.request("POST", "/admin/v1/keys", ADMIN, json.dumps({"plan": "pro"}))
        assert status == 201, created
        self.key = json.loads(created)["key"]
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port)

    def request(self, method, path, auth=None, data=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"content-type": "application/json"}
        if auth:
            headers["authorization"] = f"Bearer {auth}"
        c.request(method, path, data, headers)
        r = c.getresponse()
        return r.status, r.read()

    def verify(self, i):
        started = time.perf_counter()
        self.conn.request("POST", "/api/v1/verify", body(i),
                          {"content-type": "application/json", "authorization": f"Bearer {self.key}"})
        r = self.conn.getresponse()
        r.read()
        assert r.status == 200, r.status
        return time.perf_counter() - started

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def cli(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port), *args], capture_output=True, text=True, check=True).stdout


def commands(binary, redis_port, n, seed):
    huma = Huma(binary, redis_port)
    for i in range(2):
        huma.verify(seed + i)
    monitor = subprocess.Popen(["redis-cli", "-p", str(redis_port), "MONITOR"], stdout=subprocess.PIPE, text=True)
    monitor.stdout.readline()  # OK
    cli(redis_port, "CONFIG", "RESETSTAT")
    for i in range(n):
        huma.verify(seed + 2 + i)
    stats = cli(redis_port, "INFO", "commandstats")
    cli(redis_port, "ECHO", "perf-end-marker")
    counted = collections.Counter()
    for line in monitor.stdout:
        if "perf-end-marker" in line:
            break
        if "[0 lua]" in line or "huma:{outbox}" in line or "huma:lim:" in line:
            continue
        if re.search(r'"(CONFIG|INFO)"', line):
            continue
        name = re.search(r'\] "([^"]+)"', line)
        if name:
            counted[name.group(1).upper()] += 1
    monitor.kill()
    huma.stop()
    total = sum(counted.values())
    raw = collections.Counter()
    for m in re.finditer(r"cmdstat_(\w+(?:\|\w+)?):calls=(\d+)", stats):
        if m.group(1) not in ("config|resetstat", "info"):
            raw[m.group(1)] += int(m.group(2))
    return counted, total, raw


def redis_cpu(port):
    info = cli(port, "INFO", "cpu")
    return sum(float(re.search(rf"{f}:([\d.]+)", info).group(1)) for f in ("used_cpu_user", "used_cpu_sys"))


def latency(binary, huma_redis_port, redis_port, n, seed):
    """Median verify latency, and redis-server CPU seconds over the n verifies."""
    huma = Huma(binary, huma_redis_port)
    for i in range(2):
        huma.verify(seed + i)
    cpu = redis_cpu(redis_port)
    times = [huma.verify(seed + 2 + i) for i in range(n)]
    cpu = redis_cpu(redis_port) - cpu
    huma.stop()
    return statistics.median(times), cpu


def ping_median(port, n):
    """Median PING round trip on one connection to `port`."""
    s = socket.create_connection(("127.0.0.1", port))
    times = []
    for _ in range(n):
        started = time.perf_counter()
        s.sendall(b"PING\r\n")
        assert s.recv(16) == b"+PONG\r\n"
        times.append(time.perf_counter() - started)
    s.close()
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--delay-ms", type=float, default=5.0)
    ap.add_argument("binaries", nargs="+")
    args = ap.parse_args()
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    proxy = DelayProxy(port, args.delay_ms / 1000)
    # What one round trip through the proxy really adds (its own overhead
    # included), measured with PING: the unit the verify latency is divided by.
    trip = ping_median(proxy.port, args.n) - ping_median(port, args.n)
    print(f"one round trip through the proxy adds {trip * 1000:.2f} ms (PING, median of {args.n})")
    try:
        for b, binary in enumerate(args.binaries):
            seed = (b + 1) * 1_000_000
            counted, total, raw = commands(binary, port, args.n, seed)
            per = {k: round(v / args.n, 2) for k, v in sorted(counted.items())}
            print(f"{binary}: {total / args.n:.2f} commands per verify (MONITOR, {args.n} verifies): {per}")
            print(f"  INFO commandstats, with background work: "
                  f"{sum(raw.values()) / args.n:.2f} per verify {dict(sorted(raw.items()))}")
            direct, cpu = latency(binary, port, port, args.n, seed + 500_000)
            delayed, _ = latency(binary, proxy.port, port, args.n, seed + 700_000)
            print(f"  redis-server CPU: {cpu / args.n * 1e6:.0f} µs per verify (INFO cpu, background included)")
            trips = (delayed - direct) / trip
            print(f"  median verify: {direct * 1000:.2f} ms direct, {delayed * 1000:.2f} ms with "
                  f"{args.delay_ms:g} ms each way → {trips:.2f} round trips")
            sys.stdout.flush()
    finally:
        redis.terminate()


if __name__ == "__main__":
    main()
