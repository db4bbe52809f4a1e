"""Shared pieces of the agent benchmarks: a FastAPI service with a few thousand
measured lines, started as a real uvicorn subprocess in one of three modes."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TESTS_APP = Path(__file__).resolve().parents[2] / "agent" / "tests" / "app"
BIG_FUNCTIONS = 700  # x 5 lines each, all executed at startup


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_app_dir() -> Path:
    root = Path(tempfile.mkdtemp(prefix="pycov-bench-"))
    app = root / "app"
    shutil.copytree(TESTS_APP, app)
    body = []
    for i in range(BIG_FUNCTIONS):
        body.append(f"def f{i}(x):\n    y = x + {i}\n    if y > 0:\n        y -= 1\n    return y\n")
    body.append(f"TOTAL = sum(globals()[f'f{{i}}'](i) for i in range({BIG_FUNCTIONS}))\n")
    (app / "big.py").write_text("\n".join(body))
    (app / "bench_service.py").write_text("import big  # noqa: F401\nfrom service import app  # noqa: F401\n")
    (app / ".coveragerc").write_text("[run]\nsource = .\n")
    return root


class Server:
    """mode: 'none' (no coverage), 'coverage-run' (`coverage run`), 'agent' (PYCOV_HARVEST=1)."""

    def __init__(self, root: Path, mode: str, extra_coverage_args=()):
        self.root, self.mode = root, mode
        self.port, self.agent_port = free_port(), free_port()
        self.data_dir = root / f"data-{mode}-{time.monotonic_ns()}"
        self.data_dir.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYCOV_HARVEST")}
        uvicorn = ["-m", "uvicorn", "bench_service:app", "--host", "127.0.0.1", "--port", str(self.port),
                   "--loop", "asyncio", "--no-access-log", "--log-level", "warning"]
        if mode == "none":
            argv = [sys.executable, *uvicorn]
        elif mode == "coverage-run":
            env["COVERAGE_FILE"] = str(self.data_dir / ".coverage")
            argv = [sys.executable, "-m", "coverage", "run", *extra_coverage_args, *uvicorn]
        elif mode == "agent":
            env.update(PYCOV_HARVEST="1", PYCOV_HARVEST_DATA_DIR=str(self.data_dir),
                       PYCOV_HARVEST_PORT=str(self.agent_port))
            argv = [sys.executable, *uvicorn]
        else:
            raise ValueError(mode)
        self.proc = subprocess.Popen(argv, cwd=root / "app", env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not self._answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{mode} server did not start")
            time.sleep(0.05)

    def _answers(self) -> bool:
        try:
            return get(self.port, "/health") == 200
        except OSError:
            return False

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def percentile(values, p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(values) -> str:
    return f"p50 {percentile(values, 50) * 1000:7.2f} ms   p95 {percentile(values, 95) * 1000:7.2f} ms"


median = statistics.median
