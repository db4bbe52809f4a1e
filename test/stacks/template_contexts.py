#!/usr/bin/env python3
"""What the agent does today with fastapi/full-stack-fastapi-template's coverage table (issue 18, §3).

Starts a FastAPI service with the agent (PYCOV_HARVEST=1, PYCOV_HARVEST_RCFILE=pyproject.toml)
whose pyproject.toml has the template's exact `[tool.coverage]` tables (source = ["app"],
dynamic_context = "test_function", the report and html tables), and route handlers named like the
template's (`test_email`, `test_token`) beside an ordinary one. Switches contexts as a harness
does (`python -m pycov_harvest context NAME`), requests, flushes, combines and reads
`coverage json --show-contexts`. Prints, per core and per config (the template's table, and the
same without dynamic_context: what the agent would measure if it did not apply it), the core the
agent reports and the executed lines per context, against the lines each switched phase really ran.

Usage (as root): python3 test/stacks/template_contexts.py [--python 3.13.0] [--uvicorn 0.30.6]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Dict, Optional

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("PYCOV_HARVEST_CACHE", Path.home() / ".cache" / "pycov-harvest")) / "template-contexts"
PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
# backend/pyproject.toml of fastapi/full-stack-fastapi-template (68adb40, 2026-08-21), its
# [tool.coverage.*] tables verbatim.
TEMPLATE_TABLES = '''[tool.coverage.run]
source = ["app"]
dynamic_context = "test_function"

[tool.coverage.report]
show_missing = true
sort = "-Cover"

[tool.coverage.html]
show_contexts = true
'''
APP = '''from fastapi import FastAPI

app = FastAPI()


@app.get("/items")
def read_items():
    items = [1, 2, 3]
    total = sum(items)
    return {"total": total}


@app.get("/utils/test-email")
def test_email():
    recipient = "a@example.com"
    subject = "Test email"
    return {"sent": recipient, "subject": subject}


@app.get("/login/test-token")
def test_token():
    user = {"id": 1}
    return user
'''
# Each phase: the context the harness switches to, and the requests of that test.
PHASES = [("e2e_items_and_email", ["/items", "/utils/test-email"]), ("e2e_token", ["/login/test-token"]),
          ("e2e_items_again", ["/items"])]


def venv(python: str, uvicorn: str) -> Path:
    target = CACHE / ("venv-%s-uvicorn%s" % (python, uvicorn))
    if not (target / ".ready").exists():
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run([str(PYENV / python / "bin" / "python"), "-m", "venv", str(target)], check=True)
        subprocess.run([str(target / "bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "-r", str(REPO / "test/images/requirements-service-newest.txt"), "uvicorn==" + uvicorn],
                       check=True)
        (target / ".ready").touch()
    # The agent from this checkout, every time, built from a copy (a build leaves build/ behind).
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(REPO / "agent", Path(tmp) / "agent", ignore=shutil.ignore_patterns(
            "tests", "build", "*.egg-info", ".mypy_cache", "__pycache__"))
        subprocess.run([str(target / "bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "--no-deps", "--force-reinstall", str(Path(tmp) / "agent")], check=True,
                       stdout=subprocess.DEVNULL)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str) -> None:
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=10) as response:
        response.read()


def run_service(env_bin: Path, work: Path, core: Optional[str]) -> Dict[str, object]:
    port, data = free_port(), work / "data"
    data.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work), "PYCOV_HARVEST": "1", "PYCOV_HARVEST_RCFILE": "pyproject.toml",
           "PYCOV_HARVEST_DATA_DIR": str(data), "PYCOV_HARVEST_PORT": str(free_port())}
    if core:
        env["COVERAGE_CORE"] = core
    proc = subprocess.Popen([str(env_bin / "python"), "-m", "uvicorn", "app.main:app", "--port", str(port)],
                            cwd=str(work), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(port, "/items")  # startup, outside any context
                break
            except OSError:
                assert time.monotonic() < deadline, "the service did not answer within 60 s"
                time.sleep(0.2)
        for name, paths in PHASES + [("", [])]:
            subprocess.run([str(env_bin / "python"), "-m", "pycov_harvest", "context", name], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            for path in paths:
                get(port, path)
        flushed = subprocess.run([str(env_bin / "python"), "-m", "pycov_harvest", "flush"], env=env, check=True,
                                 stdout=subprocess.PIPE).stdout
        registration = next(data.glob(".pycov-harvest/proc-*.json"))
        core_used = json.loads(registration.read_text()).get("core")
    finally:
        proc.terminate()
        log = proc.communicate(timeout=30)[0].decode(errors="replace")
    acks = json.loads(flushed)["acks"]
    subprocess.run([str(env_bin / "python"), "-m", "coverage", "combine", "--keep", "-q", str(data)], cwd=str(work),
                   check=True, env=dict(env, COVERAGE_FILE=str(work / ".coverage"), PYCOV_HARVEST="0"))
    subprocess.run([str(env_bin / "python"), "-m", "coverage", "json", "--show-contexts", "-q", "-o", "cov.json"],
                   cwd=str(work), check=True, env=dict(env, COVERAGE_FILE=str(work / ".coverage"), PYCOV_HARVEST="0"))
    report = json.loads((work / "cov.json").read_text())["files"]["app/main.py"]
    per_context: Dict[str, int] = {}
    for names in report["contexts"].values():
        for name in names:
            per_context[name] = per_context.get(name, 0) + 1
    warnings = [line for line in log.splitlines() if "arn" in line or "pycov-harvest" in line]
    return {"core": core_used, "contexts": per_context, "acks": len(acks), "service_log": warnings}


def expected_lines() -> Dict[str, int]:
    """Executed lines per phase when each request's handler lines count for the phase that ran it."""
    handler = {"/items": 3, "/utils/test-email": 3, "/login/test-token": 2}
    return {name: sum(handler[p] for p in paths) for name, paths in PHASES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default="3.13.0")
    parser.add_argument("--uvicorn", default="0.30.6")
    parser.add_argument("--cores", default="default,pytrace,sysmon")
    args = parser.parse_args()
    env_bin = venv(args.python, args.uvicorn) / "bin"
    print("expected (handler lines per phase):", json.dumps(expected_lines()))
    for label, tables in (("template", TEMPLATE_TABLES), ("template without dynamic_context",
                          TEMPLATE_TABLES.replace('dynamic_context = "test_function"\n', ""))):
        for core in args.cores.split(","):
            with tempfile.TemporaryDirectory(prefix="template-contexts-") as tmp:
                work = Path(tmp)
                (work / "app").mkdir()
                (work / "app" / "__init__.py").write_text("")
                (work / "app" / "main.py").write_text(APP)
                (work / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "0"\n\n' + tables)
                result = run_service(env_bin, work, None if core == "default" else core)
            print("%s, COVERAGE_CORE=%s: %s" % (label, core, json.dumps(result, sort_keys=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
