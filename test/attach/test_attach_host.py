"""attach against real services on the host: `coverage run` of uvicorn 0.30.6 (and gunicorn)
on pyenv's CPython 3.8, 3.11, 3.12 and 3.13, each with an SSE stream held open."""

import os
import time

import pytest

from support import VERSIONS, Service, Stream, attach, children, get, line_of, measured_lines, venv_python

LATER_LINE = line_of('return "this line runs only after the first attach"')
WORK_LINE = line_of("total += i")


def cmdline(pid):
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        return f.read().decode(errors="replace")


def versions_with(minimum):
    return [v for v in VERSIONS if tuple(int(x) for x in v.split(".")[:2]) >= minimum]


def _attached(events, pid):
    event = events[pid]
    assert event["event"] == "attached", event
    return event


def _stream_alive(stream, before):
    deadline = time.monotonic() + 5
    while stream.events <= before and time.monotonic() < deadline:
        time.sleep(0.1)
    return stream.events > before and stream.error is None


# sys.monitoring exists from Python 3.12.
@pytest.mark.parametrize("version,core", [(v, "ctrace") for v in VERSIONS]
                         + [(v, "sysmon") for v in versions_with((3, 12))])
def test_save_then_a_second_attach_adds_the_lines_run_since(version, core):
    svc = Service(version, env={"COVERAGE_CORE": core})
    stream = Stream(svc.port)
    try:
        time.sleep(0.5)
        events, elapsed = attach([svc.proc.pid], version)
        first = _attached(events, svc.proc.pid)
        assert elapsed < 10, elapsed
        assert first["bytes"] > 0 and os.path.exists(first["data_file"])
        assert first["core"] == {"ctrace": "CTracer", "sysmon": "SysMonitor"}[core]
        lines = measured_lines(version, svc.dir, os.path.join(svc.dir, "app.py"))
        assert LATER_LINE not in lines
        assert get(svc.port, "/later") == (200, "this line runs only after the first attach")
        assert get(svc.port, "/work?n=5")[0] == 200
        events, _ = attach([svc.proc.pid], version)
        _attached(events, svc.proc.pid)
        lines = measured_lines(version, svc.dir, os.path.join(svc.dir, "app.py"))
        assert {LATER_LINE, WORK_LINE} <= lines
        assert get(svc.port, "/") == (200, "ok")
        assert _stream_alive(stream, stream.events)
        assert svc.proc.poll() is None
        assert "Traceback" not in svc.read_log()
    finally:
        stream.close()
        svc.stop()


@pytest.mark.parametrize("version", ["3.12.1", "3.13.0", "3.14"])
def test_every_worker_of_uvicorn_and_gunicorn(version):
    for server in ("uvicorn", "gunicorn"):
        svc = Service(version, server=server, workers=2,
                      rc_extra="parallel = true\nconcurrency = multiprocessing\npatch = subprocess\n")
        try:
            deadline = time.monotonic() + 20
            while len(svc.pids()) < 3 and time.monotonic() < deadline:
                time.sleep(0.2)
            for _ in range(6):
                get(svc.port, "/work?n=3")
            pids = svc.pids()
            events, elapsed = attach([p for p in pids if "resource_tracker" not in cmdline(p)], version)
            saved = [e for e in events.values() if e["event"] == "attached"]
            # multiprocessing's resource tracker (uvicorn's spawn) runs no coverage and waits in
            # read(): it is refused after the timeout, as it should be. The workers must save.
            workers = [p for p in children(svc.proc.pid) if "resource_tracker" not in cmdline(p)]
            assert len(workers) >= 2, (server, pids)
            assert set(workers) <= set(e["pid"] for e in saved), (server, events)
            assert WORK_LINE in measured_lines(version, svc.dir, os.path.join(svc.dir, "app.py"))
            assert get(svc.port, "/") == (200, "ok")
        finally:
            svc.stop()


def test_a_process_without_coverage_is_refused_in_one_sentence():
    svc = Service("3.12.1", env={"COVERAGE_CORE": "ctrace"})
    try:
        # The attach program itself is a Python without coverage: attach to a plain sleeper.
        import subprocess
        plain = subprocess.Popen([venv_python("3.12.1"), "-c", "import time; time.sleep(60)"])
        try:
            time.sleep(0.5)
            events, _ = attach([plain.pid], "3.12.1", timeout=3)
            assert events[plain.pid]["event"] == "refused"
        finally:
            plain.kill()
            plain.wait()
    finally:
        svc.stop()


def test_314_refusals_remote_debugging_off_and_another_interpreter():
    svc = Service("3.14", python_opts=["-X", "disable-remote-debug"])
    try:
        pid = svc.proc.pid
        events, _ = attach([pid], "3.14", timeout=3)
        assert events[pid]["reason"] == (
            "pid %d has remote debugging turned off (PYTHON_DISABLE_REMOTE_DEBUG, -X disable-remote-debug, "
            "or a build --without-remote-debug): remove that setting, or use the agent" % pid)
        assert get(svc.port, "/")[0] == 200
    finally:
        svc.stop()
    svc = Service("3.14")
    try:
        pid = svc.proc.pid
        events, _ = attach([pid], "3.14", timeout=3, injector="/usr/bin/python3.15")
        assert events[pid]["reason"] == (
            "pid %d runs Python 3.14 and this injector 3.15: sys.remote_exec needs the same version; "
            "run attach from the service's own image" % pid)
    finally:
        svc.stop()


@pytest.mark.parametrize("version", ["3.8.18", "3.12.1", "3.14"])
def test_an_idle_loop_is_woken_by_one_connection_to_its_own_socket(version):
    svc = Service(version, server="idle")
    try:
        time.sleep(1.0)  # idle: its main thread waits in epoll_wait
        events, elapsed = attach([svc.proc.pid], version)
        event = events[svc.proc.pid]
        assert event["event"] == "attached", event
        assert event["wakes"] >= 1 and elapsed < 10
        assert get(svc.port, "/")[1] == "ok"
        assert "Traceback" not in svc.read_log()
    finally:
        svc.stop()


def test_a_pid_reused_since_it_was_found_is_refused():
    svc = Service("3.12.1")
    try:
        pid = svc.proc.pid
        with open("/proc/%d/stat" % pid) as f:
            start = int(f.read().rsplit(")", 1)[1].split()[19])
        from support import attach_with
        events = attach_with({"pids": [pid], "timeout": 3, "starts": {str(pid): start + 1}}, "3.12.1")
        assert events[pid]["reason"] == (
            "pid %d is another process than the one found (it restarted since); harvest again" % pid)
        events = attach_with({"pids": [pid], "timeout": 5, "starts": {str(pid): start}}, "3.12.1")
        assert events[pid]["event"] == "attached", events
    finally:
        svc.stop()
