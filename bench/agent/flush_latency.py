"""Flush latency, HTTP and signal, against coverage.py's own
`coverage run --save-signal=USR1` (coverage >= 7.10) plus polling for the file.

Each sample: one request (new activity), then trigger a save and wait until it
is confirmed (agent: HTTP answer / ack file; anchor: the data file's mtime
changes). Prints p50/p95 and ratios against the anchor measured in the same run.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import urllib.request

import coverage

from common import Server, get, make_app_dir, percentile, summary

SAMPLES = int(os.environ.get("BENCH_SAMPLES", "40"))
POLL = 0.0005


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError
        time.sleep(POLL)


def agent_http(server) -> float:
    get(server.port, "/a")
    began = time.perf_counter()
    req = urllib.request.Request(f"http://127.0.0.1:{server.agent_port}/pycov-harvest/flush", data=b"{}",
                                 method="POST")
    with urllib.request.urlopen(req, timeout=10) as response:
        assert json.load(response)["ok"]
    return time.perf_counter() - began


def agent_signal(server) -> float:
    get(server.port, "/a")
    ack_path = next((server.data_dir / ".pycov-harvest").glob(f"ack-*-{server.proc.pid}.json"))
    t0 = time.time()
    began = time.perf_counter()
    os.kill(server.proc.pid, signal.SIGUSR1)

    def acked():
        try:
            return json.loads(ack_path.read_text())["time"] >= t0
        except (OSError, ValueError):
            return False

    wait_until(acked)
    return time.perf_counter() - began


def anchor_save_signal(server) -> float:
    get(server.port, "/a")
    path = server.data_dir / ".coverage"
    before = path.stat().st_mtime_ns if path.exists() else 0
    began = time.perf_counter()
    os.kill(server.proc.pid, signal.SIGUSR1)
    wait_until(lambda: path.exists() and path.stat().st_mtime_ns != before)
    return time.perf_counter() - began


def measure(server, fn) -> list[float]:
    fn(server)  # warm-up
    return [fn(server) for _ in range(SAMPLES)]


def main() -> None:
    if coverage.version_info < (7, 10):
        sys.exit(f"the anchor needs coverage >= 7.10 (`coverage run --save-signal`), this is {coverage.__version__}")
    root = make_app_dir()
    anchor_server = Server(root, "coverage-run", ["--save-signal=USR1"])
    try:
        anchor = measure(anchor_server, anchor_save_signal)
    finally:
        anchor_server.stop()
    agent_server = Server(root, "agent")
    try:
        http_times = measure(agent_server, agent_http)
        signal_times = measure(agent_server, agent_signal)
    finally:
        agent_server.stop()
    print(f"flush latency, {SAMPLES} samples each, coverage {coverage.__version__}, Python {sys.version.split()[0]}")
    print(f"  anchor  coverage run --save-signal + poll : {summary(anchor)}")
    print(f"  agent   HTTP POST /pycov-harvest/flush     : {summary(http_times)}")
    print(f"  agent   save signal + ack                  : {summary(signal_times)}")
    for name, values in (("HTTP", http_times), ("signal", signal_times)):
        print(f"  ratio agent {name:6s}/ anchor: p50 {percentile(values, 50) / percentile(anchor, 50):.2f}"
              f"  p95 {percentile(values, 95) / percentile(anchor, 95):.2f}")


if __name__ == "__main__":
    main()
