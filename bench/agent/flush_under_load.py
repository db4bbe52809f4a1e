"""Flush latency under load: a real uvicorn service with the agent, driven by
wrk with BENCH_CONNECTIONS (default 120) keep-alive connections.

In one run: flushes on an idle service (the anchor for flush latency), the
load alone (the anchor for the service), then the same load while flushes run
back to back. Prints flush p50/p95/p99 under load beside idle, and the
service's requests/s and latency with flushes beside without, as ratios.
Every flush under load must answer ok; the count of those that did not is
printed (it should be 0).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request

from common import Server, get, make_app_dir, percentile

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "120"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
IDLE_FLUSHES = int(os.environ.get("BENCH_SAMPLES", "40"))
THREADS = 2


def flush(server) -> tuple[float, bool]:
    began = time.perf_counter()
    req = urllib.request.Request(f"http://127.0.0.1:{server.agent_port}/pycov-harvest/flush",
                                 data=b'{"timeout": 10}', method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            ok = json.load(response)["ok"] is True
    except OSError:
        ok = False
    return time.perf_counter() - began, ok


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def _seconds(text: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(server) -> dict:
    done = subprocess.run(
        ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{SECONDS}s", "--latency",
         f"http://127.0.0.1:{server.port}/a"],
        capture_output=True, text=True, check=True,
    )
    out = done.stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))}
    for p in ("50", "90", "99"):
        result[p] = _seconds(re.search(rf"^\s+{p}%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Socket errors: (.*)", out)
    result["errors"] = errors.group(1) if errors else "none"
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non2xx"] = int(non2xx.group(1)) if non2xx else 0
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def main() -> int:
    if shutil.which("wrk") is None:
        print("flush_under_load: wrk is not installed (apt-get install -y wrk)", file=sys.stderr)
        return 2
    root = make_app_dir()
    server = Server(root, "agent")
    try:
        for _ in range(20):
            get(server.port, "/a")
            flush(server)
        idle = [flush(server)[0] for _ in range(IDLE_FLUSHES)]

        alone = wrk(server)

        under: list[float] = []
        failed = 0
        stop = threading.Event()

        def flusher():
            nonlocal failed
            while not stop.is_set():
                took, ok = flush(server)
                under.append(took)
                failed += not ok

        thread = threading.Thread(target=flusher)
        thread.start()
        try:
            loaded = wrk(server)
        finally:
            stop.set()
            thread.join()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)

    load = os.getloadavg()[0]
    print(f"flush under load: uvicorn + agent, wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s on GET /a, "
          f"load average {load:.2f}, {os.cpu_count()} CPUs")
    print(f"  idle flushes ({len(idle)}):          p50 {ms(percentile(idle, 50))}  p95 {ms(percentile(idle, 95))}"
          f"  p99 {ms(percentile(idle, 99))}")
    print(f"  flushes under load ({len(under)}, {failed} not ok):"
          f" p50 {ms(percentile(under, 50))}  p95 {ms(percentile(under, 95))}  p99 {ms(percentile(under, 99))}")
    print(f"    ratio under load / idle:      p50 x{percentile(under, 50) / percentile(idle, 50):.2f}"
          f"  p95 x{percentile(under, 95) / percentile(idle, 95):.2f}"
          f"  p99 x{percentile(under, 99) / percentile(idle, 99):.2f}")
    print(f"  service without flushes: {alone['rps']:9.1f} req/s  p50 {ms(alone['50'])}  p99 {ms(alone['99'])}"
          f"  (socket errors: {alone['errors']}, non-2xx: {alone['non2xx']})")
    print(f"  service with flushes:    {loaded['rps']:9.1f} req/s  p50 {ms(loaded['50'])}  p99 {ms(loaded['99'])}"
          f"  (socket errors: {loaded['errors']}, non-2xx: {loaded['non2xx']})")
    print(f"    ratio with / without flushes: req/s x{loaded['rps'] / alone['rps']:.2f}"
          f"  p50 x{loaded['50'] / alone['50']:.2f}  p99 x{loaded['99'] / alone['99']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
