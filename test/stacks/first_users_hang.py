#!/usr/bin/env python3
"""Our first users' unchanged entrypoint (test/images/service/first-users-entrypoint.sh: bash PID 1,
`coverage run` with `[run] sigterm = true`, no graceful timeout, `--loop asyncio`) in a container of
a service image, one SSE stream open from the host, then what the action's sigterm method does
from inside: SIGTERM to the Python server, SIGINT 3 s later when it is still alive. Prints whether
the server was still alive and whether /coverdata/.coverage existed after at most 20 s.

Usage (as root): python3 test/stacks/first_users_hang.py IMAGE [--engine podman|docker] [--port N]
(docker: DOCKER_HOST=unix:///run/pycov-harvest-docker.sock, the image loaded with
test/images/setup-docker.sh --load IMAGE)
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time

BOUND = 20.0
STARTUP_BOUND = 60.0
# Runs in the container with its Python: the action's sigterm method, reduced to its signals.
SIGNALS = """
import os, time
pid = [int(p) for p in os.listdir('/proc') if p.isdigit() and p != '1'
       and b'uvicorn' in open('/proc/%s/cmdline' % p, 'rb').read()][0]
t0 = time.time()
os.kill(pid, 15)
time.sleep(3)
if os.path.exists('/proc/%d' % pid):
    os.kill(pid, 2)
while time.time() - t0 < BOUND and os.path.exists('/proc/%d' % pid) and not os.path.exists('/coverdata/.coverage'):
    time.sleep(0.1)
print('after %.1f s: server alive %s, data file %s' % (time.time() - t0, os.path.exists('/proc/%d' % pid),
      os.path.exists('/coverdata/.coverage')))
""".replace("BOUND", repr(BOUND))


def open_stream(port: int) -> socket.socket:
    deadline = time.monotonic() + STARTUP_BOUND
    while True:
        try:
            conn = socket.create_connection(("127.0.0.1", port), timeout=5)
            conn.sendall(b"GET /stream HTTP/1.1\r\nHost: test\r\n\r\n")
            seen = b""
            while b"tick 0" not in seen:
                chunk = conn.recv(4096)
                if not chunk:
                    raise OSError("closed before the first event")
                seen += chunk
            return conn
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("image")
    parser.add_argument("--engine", default="podman", choices=("podman", "docker"))
    parser.add_argument("--port", type=int, default=18312)
    args = parser.parse_args()
    name = "stacks-first-users-%d" % os.getpid()
    subprocess.run([args.engine, "run", "-d", "--rm", "--name", name, "-p", "127.0.0.1:%d:8080" % args.port,
                    args.image, "/first-users-entrypoint.sh"], check=True, stdout=subprocess.DEVNULL)
    try:
        stream = open_stream(args.port)
        result = subprocess.run([args.engine, "exec", name, "python3", "-c", SIGNALS], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=BOUND + 30)
        state = subprocess.run([args.engine, "inspect", "-f", "{{.State.Status}}", name], stdout=subprocess.PIPE,
                               text=True).stdout.strip()
        said = result.stdout.strip() or "the exec was cut off: the server exited and the container stopped"
        print("%s on %s: %s; container %s" % (args.image, args.engine, said, state or "gone"))
        stream.close()
    finally:
        subprocess.run([args.engine, "rm", "-f", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
