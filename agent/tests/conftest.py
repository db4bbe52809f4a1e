"""Real servers as subprocesses on 127.0.0.1 with ephemeral ports, with the
agent turned on through its .pth hook, and helpers to read what they saved
with coverage.py's own API."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

APP_DIR = Path(__file__).parent / "app"
SERVICE_SOURCE = APP_DIR / "service.py"

# The test process itself never runs the agent.
for _name in [n for n in os.environ if n.startswith("PYCOV_HARVEST")]:
    if _name != "PYCOV_HARVEST_CACHE":
        del os.environ[_name]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mark_line(name: str, source: Path = SERVICE_SOURCE) -> int:
    for number, text in enumerate(source.read_text().splitlines(), 1):
        if re.search(rf"#\s*mark:\s*{re.escape(name)}\b", text):
            return number
    raise LookupError(name)


def wait_for(predicate, timeout: float, interval: float = 0.02, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def request(method: str, port: int, path: str, body: bytes | None = None, headers=None, timeout: float = 10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def get_json(port: int, path: str):
    status, body = request("GET", port, path)
    assert status == 200, (status, body)
    return json.loads(body)


def try_get(port: int, path: str):
    try:
        return request("GET", port, path, timeout=2)
    except OSError:
        return None


class Service:
    """One server command run as a subprocess with the agent on."""

    def __init__(self, tmp_path: Path, argv_tail: list[str], env: dict | None = None, agent: bool = True):
        self.workdir = tmp_path / "work"
        shutil.copytree(APP_DIR, self.workdir)
        self.data_dir = tmp_path / "coverdata"
        self.data_dir.mkdir(exist_ok=True)
        self.port = free_port()
        self.agent_port = free_port()
        self.source = self.workdir / "service.py"
        self.env = dict(os.environ)
        if agent:
            self.env.update(
                PYCOV_HARVEST="1",
                PYCOV_HARVEST_DATA_DIR=str(self.data_dir),
                PYCOV_HARVEST_PORT=str(self.agent_port),
            )
        self.env.update(env or {})
        self.argv = [arg.format(port=self.port, python=sys.executable) for arg in argv_tail]
        self.log_path = tmp_path / "service.log"
        self.proc: subprocess.Popen | None = None

    def start(self, ready_path: str = "/health", timeout: float = 30) -> "Service":
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            self.argv, cwd=self.workdir, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            answer = try_get(self.port, ready_path)
            return answer is not None and answer[0] == 200

        wait_for(ready, timeout, 0.05, f"{self.argv} to answer")
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def agent_lines(self) -> list[str]:
        return [line for line in self.log().splitlines() if line.startswith("pycov-harvest:")]

    def get(self, path: str):
        status, body = request("GET", self.port, path)
        assert status == 200, (status, body)
        return json.loads(body)

    def flush(self, reset: bool = False, timeout: float = 5, token: str | None = None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = json.dumps({"reset": reset, "timeout": timeout}).encode()
        status, raw = request("POST", self.agent_port, "/pycov-harvest/flush", body, headers)
        return status, json.loads(raw)

    def registrations(self) -> list[dict]:
        registry = self.data_dir / ".pycov-harvest"
        found = []
        for path in registry.glob("proc-*.json"):
            try:
                found.append(json.loads(path.read_text()))
            except (OSError, ValueError):
                pass
        return found

    def ack(self, pid: int) -> dict | None:
        paths = list((self.data_dir / ".pycov-harvest").glob(f"ack-*-{pid}.json"))
        if not paths:
            return None
        try:
            return json.loads(paths[0].read_text())
        except (OSError, ValueError):
            return None

    def wait_for_ack(self, pid: int, since: float, trigger: str | None = None,
                     timeout: float = 5, interval: float = 0.02) -> dict:
        """The ack `pid` wrote at or after `since` (time.time()), of `trigger` when given."""
        def fresh():
            ack = self.ack(pid)
            if ack and ack["time"] >= since and (trigger is None or ack["trigger"] == trigger):
                return ack
            return None
        what = f"the {trigger} ack of pid {pid}" if trigger else f"an ack of pid {pid}"
        return wait_for(fresh, timeout, interval, what=what)

    def cli(self, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pycov_harvest", *args], env=self.env, capture_output=True, timeout=timeout
        )

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)
        self._log.close()


@pytest.fixture
def service(tmp_path):
    started = []

    def make(argv_tail, env=None, agent=True, ready_path="/health", start=True):
        svc = Service(tmp_path / f"s{len(started)}", argv_tail, env, agent)
        started.append(svc)
        return svc.start(ready_path) if start else svc

    yield make
    for svc in started:
        svc.stop()


def executed_lines(data_file: str | Path, source: Path) -> set[int]:
    """Lines of `source` recorded in one data file, read by coverage.py itself."""
    import coverage

    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    for measured in data.measured_files():
        if Path(measured).name == source.name:
            return set(data.lines(measured) or [])
    return set()


def combined_lines(data_dir: Path, source: Path, tmp_path: Path) -> set[int]:
    """Combine every data file of `data_dir` with coverage.py and read the lines of `source`."""
    import coverage

    combined = tmp_path / f"combined-{time.monotonic_ns()}" / ".coverage"  # combine looks for .coverage.*
    combined.parent.mkdir()
    cov = coverage.Coverage(data_file=str(combined), config_file=False)
    cov.combine([str(data_dir)], keep=True)
    cov.save()
    return executed_lines(combined, source)


def expected_core() -> str | None:
    return os.environ.get("PYCOV_TEST_EXPECT_CORE") or None


def uvicorn_version() -> tuple[int, ...]:
    import uvicorn

    return tuple(int(p) for p in uvicorn.__version__.split(".")[:3])
