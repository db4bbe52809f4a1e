"""Requests per second of a uvicorn/FastAPI service with the agent, against
`coverage run` alone (goal: at least 0.99) and against no coverage. The three
modes alternate over several rounds in the same run; medians are compared.

Two measures: wall-clock requests per second, and requests per CPU second of
the server process (from /proc/<pid>/stat), which stays meaningful when other
work shares the machine."""

from __future__ import annotations

import http.client
import multiprocessing
import os
import sys
import time

import coverage

from common import Server, make_app_dir, median

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "1"))
MODES = ("none", "coverage-run", "agent")


def client(port: int, seconds: float, counts) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    done = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        conn.request("GET", "/a")
        response = conn.getresponse()
        response.read()
        done += 1
    conn.close()
    counts.put(done)


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(port: int, pid: int) -> tuple[float, float]:
    """(requests per wall second, requests per server CPU second)"""
    cpu_before = cpu_seconds(pid)
    counts = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=client, args=(port, SECONDS, counts)) for _ in range(CLIENTS)]
    for w in workers:
        w.start()
    total = sum(counts.get() for _ in workers)
    for w in workers:
        w.join()
    return total / SECONDS, total / max(cpu_seconds(pid) - cpu_before, 1e-9)


def main() -> None:
    root = make_app_dir()
    wall = {mode: [] for mode in MODES}
    per_cpu = {mode: [] for mode in MODES}
    for _ in range(ROUNDS):
        for mode in MODES:
            server = Server(root, mode)
            try:
                load(server.port, server.proc.pid)  # warm-up
                rps, rpc = load(server.port, server.proc.pid)
                wall[mode].append(rps)
                per_cpu[mode].append(rpc)
            finally:
                server.stop()
    print(f"throughput, {ROUNDS} rounds x {SECONDS:g} s, {CLIENTS} keep-alive clients, coverage "
          f"{coverage.__version__}, Python {sys.version.split()[0]}")
    print(f"  load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for label, results, unit in (("wall clock", wall, "req/s"), ("server CPU", per_cpu, "req/CPU-s")):
        print(f"  {label}:")
        for mode in MODES:
            print(f"    {mode:13s} median {median(results[mode]):8.1f} {unit}   rounds: "
                  + ", ".join(f"{r:.0f}" for r in results[mode]))
        agent = median(results["agent"])
        print(f"    ratio agent / coverage run : {agent / median(results['coverage-run']):.3f}  (goal >= 0.99)")
        print(f"    ratio agent / no coverage  : {agent / median(results['none']):.3f}")


if __name__ == "__main__":
    main()
