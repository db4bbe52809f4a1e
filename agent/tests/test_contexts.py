"""Contexts: a switch saves the window measured so far under the previous context
and measures on under the new one, in every agent process; coverage.py's own
per-line contexts hold the names (CoverageData.contexts_by_lineno, and
`coverage json --show-contexts`)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import mark_line, request, wait_for
from test_workers import gunicorn_worker_class, worker_pids

UVICORN = ["{python}", "-m", "uvicorn", "service:app", "--host", "127.0.0.1", "--port", "{port}"]


def switch(svc, name: str, timeout: float = 5, token: str | None = None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"context": name, "timeout": timeout}).encode()
    status, raw = request("POST", svc.agent_port, "/pycov-harvest/context", body, headers)
    return status, json.loads(raw)


def combine(data_dir: Path, tmp_path: Path) -> Path:
    """Every data file of `data_dir` combined by coverage.py itself; the combined file's path."""
    import coverage

    combined = tmp_path / f"combined-{time.monotonic_ns()}" / ".coverage"
    combined.parent.mkdir()
    cov = coverage.Coverage(data_file=str(combined), config_file=False)
    cov.combine([str(data_dir)], keep=True)
    cov.save()
    return combined


def contexts_of(data_file: Path, source: Path) -> dict[int, set[str]]:
    """Line -> the contexts that ran it, read with CoverageData.contexts_by_lineno."""
    import coverage

    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    (measured,) = [f for f in data.measured_files() if Path(f).resolve() == source.resolve()]
    return {line: set(names) for line, names in data.contexts_by_lineno(measured).items()}


def test_each_line_under_its_own_context(service, tmp_path):
    svc = service(UVICORN)
    status, first = switch(svc, "t1")
    assert status == 200 and first["ok"] and first["context"] == "t1", first
    (ack,) = first["acks"]
    assert ack["context"] == "t1" and ack["previous_context"] == "" and ack["trigger"] == "http"
    svc.get("/a")
    status, second = switch(svc, "t2")
    assert second["ok"] and second["seq"] == first["seq"] + 1 and second["acks"][0]["previous_context"] == "t1"
    svc.get("/b")
    status, last = switch(svc, "")
    assert last["ok"] and last["acks"][0]["context"] == ""
    by_line = contexts_of(combine(svc.data_dir, tmp_path), svc.source)
    assert by_line[mark_line("A")] == {"t1"}
    assert by_line[mark_line("B")] == {"t2"}
    # Startup ran before any switch: the module's own lines are under no context.
    assert by_line[mark_line("A") - 1] == {""}, "the route's def line ran at import"


def test_a_line_run_again_is_recorded_again_under_the_next_context(service, tmp_path):
    # sys.monitoring stops reporting a line once recorded; after a switch it must report it again.
    svc = service(UVICORN)
    switch(svc, "t1")
    svc.get("/a")
    switch(svc, "t2")
    svc.get("/a")
    svc.get("/b")
    status, result = svc.flush()  # a flush saves under the current context and keeps it
    assert result["ok"] and result["acks"][0]["context"] == "t2"
    by_line = contexts_of(combine(svc.data_dir, tmp_path), svc.source)
    assert by_line[mark_line("A")] == {"t1", "t2"}
    assert by_line[mark_line("B")] == {"t2"}


def test_every_gunicorn_worker_switches(service, tmp_path):
    svc = service(["{python}", "-m", "gunicorn", "-w", "2", "-k", gunicorn_worker_class(),
                   "-b", "127.0.0.1:{port}", "service:app"])
    pids = worker_pids(svc, 2)
    status, result = switch(svc, "checkout flow")
    assert status == 200 and result["ok"], result
    assert {a["pid"] for a in result["acks"]} == pids | {svc.proc.pid}
    assert all(a["context"] == "checkout flow" for a in result["acks"])
    for _ in range(6):
        svc.get("/a")
    switch(svc, "refunds")
    for _ in range(6):
        svc.get("/b")
    status, result = switch(svc, "")
    assert result["ok"] and len(result["acks"]) == 3, result
    by_line = contexts_of(combine(svc.data_dir, tmp_path), svc.source)
    assert by_line[mark_line("A")] == {"checkout flow"}
    assert by_line[mark_line("B")] == {"refunds"}
    assert by_line[mark_line("PID")] == {""}, "worker_pids ran it before the first switch"


def test_cli_switch_and_coverage_json_show_contexts(service, tmp_path):
    svc = service(UVICORN)
    done = svc.cli("context", "t1")
    assert done.returncode == 0, done.stdout
    result = json.loads(done.stdout)
    assert result["ok"] and result["context"] == "t1" and result["acks"][0]["trigger"] == "cli"
    svc.get("/a")
    assert svc.cli("context", "t2").returncode == 0
    svc.get("/b")
    assert svc.cli("context", "").returncode == 0
    combined = combine(svc.data_dir, tmp_path)
    report = tmp_path / "report.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYCOV_HARVEST", "COVERAGE_"))}
    done = subprocess.run(
        [sys.executable, "-m", "coverage", "json", "--show-contexts", f"--data-file={combined}", "-o", str(report)],
        cwd=svc.workdir, env=env, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    files = json.loads(report.read_text())["files"]
    (contexts,) = [f["contexts"] for name, f in files.items() if Path(name).name == "service.py"]
    assert contexts[str(mark_line("A"))] == ["t1"]
    assert contexts[str(mark_line("B"))] == ["t2"]


def test_bad_requests_are_refused(service):
    svc = service(UVICORN)
    status, raw = request("POST", svc.agent_port, "/pycov-harvest/context", b"{}", {})
    assert status == 400 and b"name the context" in raw
    status, raw = request("POST", svc.agent_port, "/pycov-harvest/context", b"not json", {})
    assert status == 400
    status, body = switch(svc, "a\nb")
    assert status == 400 and "control characters" in body["error"]
    status, body = switch(svc, "x" * 300)
    assert status == 400 and "256 bytes" in body["error"]
    done = svc.cli("context", "x" * 300)
    assert done.returncode == 2 and "256 bytes" in json.loads(done.stdout)["error"]


def test_process_reached_through_the_save_signal_switches_too(service, tmp_path):
    svc = service(UVICORN, env={"PYCOV_HARVEST_PORT": "off"})
    (path,) = (svc.data_dir / ".pycov-harvest").glob("proc-*.json")
    registration = json.loads(path.read_text())
    registration["wake"] = None  # as on a system without abstract unix sockets
    path.write_text(json.dumps(registration))
    done = svc.cli("context", "t1")
    assert done.returncode == 0, done.stdout
    (ack,) = json.loads(done.stdout)["acks"]
    assert ack["trigger"] == "signal" and ack["context"] == "t1"
    svc.get("/a")
    assert svc.cli("context", "").returncode == 0
    assert contexts_of(combine(svc.data_dir, tmp_path), svc.source)[mark_line("A")] == {"t1"}


def test_a_process_started_after_a_switch_measures_under_it(service, tmp_path):
    first = service(UVICORN)
    switch(first, "t1")
    # A second server on the same data dir (a restarted container, a new worker) joins the window.
    second = service(UVICORN, env={"PYCOV_HARVEST_DATA_DIR": str(first.data_dir),
                                   "PYCOV_HARVEST_PORT": "off"})
    wait_for(lambda: len(first.registrations()) == 2, 10, what="the second server to register")
    second.get("/b")
    status, result = switch(first, "")
    assert result["ok"] and len(result["acks"]) == 2, result
    assert contexts_of(combine(first.data_dir, tmp_path), second.source)[mark_line("B")] == {"t1"}


def test_switch_with_a_token_is_signed_end_to_end(service, tmp_path):
    # With PYCOV_HARVEST_TOKEN the wake messages and acks carry a MAC: a switch still reaches
    # every process, and a request without the token is refused.
    svc = service(["{python}", "-m", "gunicorn", "-w", "2", "-k", gunicorn_worker_class(),
                   "-b", "127.0.0.1:{port}", "service:app"], env={"PYCOV_HARVEST_TOKEN": "s3cret"})
    pids = worker_pids(svc, 2)
    status, raw = request("POST", svc.agent_port, "/pycov-harvest/context", b'{"context": "t1"}', {})
    assert status == 401
    status, result = switch(svc, "t1", token="s3cret")
    assert status == 200 and result["ok"], result
    assert {a["pid"] for a in result["acks"]} == pids | {svc.proc.pid}
    for _ in range(4):
        svc.get("/a")
    status, result = switch(svc, "", token="s3cret")
    assert result["ok"], result
    assert contexts_of(combine(svc.data_dir, tmp_path), svc.source)[mark_line("A")] == {"t1"}
