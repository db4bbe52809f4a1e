"""The `sigterm` program against the first users' stack, for real: uvicorn 0.30.6 on Python 3.12
under `coverage run` with `[run] sigterm = true`, in a PID namespace of its own (the program signals
the Python servers it finds in /proc, and must find only this one), one stream open from here.

- No graceful timeout, `--loop asyncio`: nothing is signalled, the server keeps running, and the
  result names the stream's peer.
- Only an idle keep-alive connection: the program waits for uvicorn to close it, then stops the
  server, and the data file comes.
- A graceful timeout: signalled at once, the data comes.
- A shutdown that hangs anyway (a graceful timeout longer than the program's bound): the reason
  names the connection that holds it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from test_connections import APP, free_port, open_stream

REPO = Path(__file__).resolve().parents[2]
STARTUP_BOUND = 20.0
RC = "[run]\nsigterm = true\ndata_file = {data}/.coverage\n"
RUN_PROGRAM = ("import sys; sys.argv[1:] = [sys.argv[1]]; from pycov_harvest_remote import output, sigterm; "
               "sys.exit(output.run(sigterm.main))")


class Namespaced:
    """uvicorn in a new PID namespace under a bash PID 1 that outlives it (the container's view,
    without a container: when a namespace's PID 1 exits, the kernel ends everything in it)."""

    def __init__(self, tmp: Path, extra: List[str], command: Optional[List[str]] = None) -> None:
        self.tmp, self.port = tmp, free_port()
        (tmp / "app.py").write_text(APP)
        (tmp / "rc").write_text(RC.format(data=tmp))
        command = command or ["-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(self.port),
                              "--loop", "asyncio"]
        server = [sys.executable, "-m", "coverage", "run", "--rcfile", str(tmp / "rc")] + [
            part.format(port=self.port) for part in command] + extra
        argv = ["unshare", "--pid", "--fork", "--mount-proc", "--", "bash", "-c",
                '"$@" & while :; do wait; sleep 0.2; done', "bash"] + server
        self.proc = subprocess.Popen(argv, cwd=str(tmp), env={"PATH": os.environ["PATH"], "HOME": str(tmp)},
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.init = self._child(self.proc.pid)
        self.pid = self._child(self.init)

    @staticmethod
    def _child(pid: int) -> int:
        """The host pid of the process's one child."""
        deadline = time.monotonic() + STARTUP_BOUND
        path = "/proc/%d/task/%d/children" % (pid, pid)
        while time.monotonic() < deadline:
            children = Path(path).read_text().split()
            if children:
                return int(children[0])
            time.sleep(0.05)
        raise AssertionError("pid %d started no child within %gs" % (pid, STARTUP_BOUND))

    def alive(self) -> bool:
        return Path("/proc/%d" % self.pid).exists()

    def sigterm(self, timeout: float, escalate_after: float = 3.0) -> List[Dict[str, Any]]:
        """Runs the program inside the namespace; its JSON lines."""
        args = json.dumps({"data_dir": str(self.tmp), "timeout": timeout, "escalate_after": escalate_after})
        env = {"PATH": os.environ["PATH"], "PYTHONPATH": "%s:%s" % (REPO / "src/remote", REPO / "agent")}
        out = subprocess.run(["nsenter", "-t", str(self.init), "-p", "-m", "--", sys.executable, "-S", "-c",
                              RUN_PROGRAM, args], env=env, stdout=subprocess.PIPE, check=True,
                             timeout=timeout + 30).stdout
        return [json.loads(line) for line in out.decode().splitlines()]

    def stop(self) -> None:
        os.kill(self.init, 9)  # PID 1 of the namespace: everything in it goes too
        self.proc.wait()
        self.proc.wait()


@pytest.fixture
def namespaced(tmp_path: Path) -> Iterator:
    started: List[Namespaced] = []

    def start(extra: List[str], command: Optional[List[str]] = None) -> Namespaced:
        started.append(Namespaced(tmp_path, extra, command))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def event(lines: List[Dict[str, Any]], name: str) -> Dict[str, Any]:
    found = [line for line in lines if line["event"] == name]
    assert len(found) == 1, lines
    return found[0]


def answered_keep_alive(port: int) -> socket.socket:
    """A connection whose one request was answered, kept open for the next."""
    deadline = time.monotonic() + STARTUP_BOUND
    while True:
        try:
            conn = socket.create_connection(("127.0.0.1", port), timeout=5)
            break
        except OSError:
            assert time.monotonic() < deadline, "nothing listened on port %d" % port
            time.sleep(0.1)
    conn.sendall(b"GET /plain HTTP/1.1\r\nHost: test\r\n\r\n")
    answer = b""
    while not answer.endswith(b"ok"):
        chunk = conn.recv(4096)
        assert chunk, "closed before the answer"
        answer += chunk
    return conn


def test_a_stream_open_on_the_first_users_stack_leaves_the_service_running_and_names_the_peer(namespaced) -> None:
    server = namespaced([])
    stream = open_stream("127.0.0.1", server.port)
    try:
        began = time.monotonic()
        lines = server.sigterm(timeout=20)
        took = time.monotonic() - began
        peer = "127.0.0.1:%d" % stream.getsockname()[1]
        assert [line["event"] for line in lines] == ["connections", "result"]
        seen = event(lines, "connections")
        assert (seen["uvicorn"], seen["loop"], seen["graceful"], seen["cannot_force_quit"]) == (
            "0.30.6", "asyncio", None, True)
        assert seen["python"].startswith("3.12")
        assert seen["listeners"] == ["127.0.0.1:%d" % server.port]
        result = event(lines, "result")
        assert (result["sent"], result["confirmed"], result["stuck"]) == (False, False, True)
        assert result["held"] == [{"peer": peer, "state": "ESTABLISHED"}]
        assert result["reason"] == (
            "uvicorn 0.30.6 on Python %s (asyncio event loop) cannot be stopped while a connection is open "
            "(asyncio's Server.wait_closed() waits for it, and uvicorn's force quit awaits that too: "
            "docs/action.md, the force-quit table), and 1 connection is open (%s), so the service was left "
            "running; add `--timeout-graceful-shutdown 5` to the uvicorn command, use the agent "
            "(PYCOV_HARVEST=1), or let the `attach` method save it (list it in `methods` before `sigterm`)"
            % (seen["python"], peer))
        # The stream sends every 0.2 s: it may look like a keep-alive connection until the
        # keep-alive (5 s) and a second have passed, not longer.
        assert took < 5 + 1 + 3, took
        assert server.alive()
        stream.settimeout(5)
        assert b"data: tick" in stream.recv(4096)  # still streaming
        assert not (server.tmp / ".coverage").exists()
    finally:
        stream.close()


def test_an_idle_keep_alive_connection_is_waited_out_then_the_server_stops_and_saves(namespaced) -> None:
    server = namespaced(["--timeout-keep-alive", "1"])
    idle = answered_keep_alive(server.port)
    try:
        lines = server.sigterm(timeout=20)
        seen = event(lines, "connections")
        assert seen["cannot_force_quit"] is True and seen["connections"] == []
        result = event(lines, "result")
        assert (result["sent"], result["confirmed"], result["exited"]) == (True, True, True), result
        assert [f["name"] for f in result["files"]] == [".coverage"]
    finally:
        idle.close()


def test_with_a_graceful_timeout_the_stream_does_not_stop_the_signal_and_the_data_comes(namespaced) -> None:
    server = namespaced(["--timeout-graceful-shutdown", "1"])
    stream = open_stream("127.0.0.1", server.port)
    try:
        lines = server.sigterm(timeout=20)
        seen = event(lines, "connections")
        assert (seen["graceful"], seen["cannot_force_quit"]) == (1.0, False)
        assert [c["state"] for c in seen["connections"]] == ["ESTABLISHED"]
        result = event(lines, "result")
        assert (result["sent"], result["confirmed"], result["exited"]) == (True, True, True), result
        assert "stuck" not in result and result["held"] == []
    finally:
        stream.close()


def test_a_shutdown_that_hangs_anyway_is_reported_with_the_connection_that_holds_it(namespaced) -> None:
    server = namespaced(["--timeout-graceful-shutdown", "60"])
    stream = open_stream("127.0.0.1", server.port)
    try:
        lines = server.sigterm(timeout=4, escalate_after=1)
        peer = "127.0.0.1:%d" % stream.getsockname()[1]
        assert [line["event"] for line in lines] == ["connections", "sent", "escalated", "result"]
        result = event(lines, "result")
        assert (result["sent"], result["confirmed"], result["exited"]) == (True, False, False), result
        assert result["held"] == [{"peer": peer, "state": "ESTABLISHED"}]
        assert result["reason"] == (
            "no data file within 4s of SIGTERM and SIGINT and the server is still running: its shutdown hangs, "
            "held by 1 open connection (%s); use the agent (PYCOV_HARVEST=1), which saves before the "
            "shutdown begins, or give the server a graceful-shutdown timeout (uvicorn: "
            "`--timeout-graceful-shutdown 5`)" % peer)
    finally:
        stream.close()


# What `fastapi run` does (fastapi-cli): uvicorn.run() on the default loop, `auto`. A script named
# `fastapi` stands in for the console script, whose argv the program reads the same way.
FASTAPI_CLI = """\
import sys

import uvicorn

assert sys.argv[1] == "run"
uvicorn.run("app:app", host="127.0.0.1", port=int(sys.argv[2]))
"""


def test_fastapi_run_the_templates_command_is_looked_at_like_uvicorns_own(namespaced, tmp_path: Path) -> None:
    (tmp_path / "fastapi").write_text(FASTAPI_CLI)
    server = namespaced([], command=[str(tmp_path / "fastapi"), "run", "{port}"])
    stream = open_stream("127.0.0.1", server.port)
    try:
        lines = server.sigterm(timeout=20)
        seen = event(lines, "connections")
        # `auto` with no uvloop installed: asyncio.
        assert (seen["uvicorn"], seen["loop"], seen["cannot_force_quit"]) == ("0.30.6", "asyncio", True)
        result = event(lines, "result")
        assert (result["sent"], result["stuck"]) == (False, True)
        assert result["held"] == [{"peer": "127.0.0.1:%d" % stream.getsockname()[1], "state": "ESTABLISHED"}]
        assert server.alive()
    finally:
        stream.close()
