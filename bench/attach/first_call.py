"""Time from the first call to confirmed data for `attach`, against one bare exec measured in
the same run. The first users' service (bash PID 1, UID 1001, `coverage run`, uvicorn 0.30.6,
an SSE stream open) in a container; `attach` as the action will run it: the exec into the
service as its own uid (no capability; works where same-uid tracing is allowed), and the
short-lived container from the service's own image sharing its PID and network namespaces
with SYS_PTRACE (where it is not).

    python3 bench/attach/first_call.py [--engine podman|docker] [--rounds 7]

Anchors, each the median over the rounds, in the same run:
- bare exec: `<engine> exec <service> <its python> -S -c pass`
- bare run:  `<engine> run --rm --pid container:<service> ... <its python> -S -c pass`
Prints medians and the ratios attach / bare exec and attach / bare run. Not a pass/fail test."""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "attach"))
from containers import ServiceContainer, engine_cmd, inject, run  # noqa: E402
from payload import argv as attach_argv  # noqa: E402


def timed(cmd):
    t0 = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=120)
    return time.monotonic() - t0


def bench(engine, version, rounds):
    svc = ServiceContainer(engine, version)
    stream = socket.create_connection(("127.0.0.1", svc.port), timeout=5)
    stream.sendall(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        (pid, exe), = svc.python_pids()
        share = ["--pid", "container:" + svc.name, "--network", "container:" + svc.name]
        series = {"bare exec": [], "bare run": [], "attach (container)": [], "attach (exec as uid 1001)": []}
        for _ in range(rounds):
            series["bare exec"].append(timed(engine_cmd(engine) + ["exec", svc.name, exe, "-S", "-c", "pass"]))
            series["bare run"].append(timed(engine_cmd(engine) + ["run", "--rm"] + share +
                                            ["--entrypoint", exe, svc.image, "-S", "-c", "pass"]))
            events, elapsed = inject(svc, [pid], exe)
            assert events[pid]["event"] == "attached", events
            series["attach (container)"].append(elapsed)
            t0 = time.monotonic()
            out = run(engine, ["exec", "--user", "1001", svc.name, exe] + attach_argv({"pids": [pid]}))
            event = json.loads(out.stdout.decode().splitlines()[0])
            if event["event"] == "attached":
                series["attach (exec as uid 1001)"].append(time.monotonic() - t0)
        return dict((k, statistics.median(v)) for k, v in series.items() if v)
    finally:
        stream.close()
        svc.remove()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--engine", default="podman")
    p.add_argument("--rounds", type=int, default=7)
    opts = p.parse_args()
    print("load average %.1f; engine %s; %d rounds" % (os.getloadavg()[0], opts.engine, opts.rounds))
    for version in ("3.12", "3.14"):
        medians = bench(opts.engine, version, opts.rounds)
        for name, value in medians.items():
            line = "%-6s %-28s %7.3f s" % (version, name, value)
            if name.startswith("attach"):
                line += "   x%.2f bare exec, x%.2f bare run" % (value / medians["bare exec"], value / medians["bare run"])
            print(line)


if __name__ == "__main__":
    main()
