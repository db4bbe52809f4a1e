"""Proof 1: the failure the project exists for. uvicorn (0.30.6 in one venv,
the latest in another) serving a FastAPI app with one open SSE stream and a
lifespan shutdown that sleeps: HTTP flush and signal flush each confirmed in
under 1 s with the executed lines present; after SIGTERM the data is on disk
within 1 s although the process is still shutting down."""

import http.client
import os
import signal
import sys
import time

import pytest

from conftest import executed_lines, expected_core, mark_line, wait_for

import importlib.util

UVICORN = ["{python}", "-m", "uvicorn", "service:app", "--host", "127.0.0.1", "--port", "{port}", "--loop"]
HANGING = {"APP_SHUTDOWN_SLEEP": "120"}
# uvloop is what `--loop auto` picks when installed (uvicorn[standard]); it is in one venv of the matrix.
LOOPS = ["asyncio"] + (["uvloop"] if importlib.util.find_spec("uvloop") else [])


def open_sse(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/sse")
    response = conn.getresponse()
    assert response.status == 200
    assert response.readline().startswith(b"data: 1")
    return conn


@pytest.fixture(params=LOOPS)
def hanging_uvicorn(service, request):
    svc = service(UVICORN + [request.param], env=HANGING)
    sse = open_sse(svc.port)
    yield svc
    sse.close()


def test_registration_reports_versions_and_listener(hanging_uvicorn):
    (reg,) = hanging_uvicorn.registrations()
    import coverage

    assert reg["pid"] == hanging_uvicorn.proc.pid
    assert reg["port"] == hanging_uvicorn.agent_port
    assert reg["coverage"] == coverage.__version__
    assert reg["python"] == ".".join(map(str, sys.version_info[:3]))
    assert reg["signal"] == "SIGUSR1" and reg["sigterm"] is True
    if expected_core():
        assert reg["core"] == expected_core()


def test_http_flush_confirmed_under_one_second(hanging_uvicorn):
    svc = hanging_uvicorn
    svc.get("/a")
    began = time.monotonic()
    status, result = svc.flush(timeout=5)
    elapsed = time.monotonic() - began
    assert status == 200 and result["ok"], result
    assert elapsed < 1.0, elapsed
    (ack,) = result["acks"]
    assert ack["pid"] == svc.proc.pid and ack["trigger"] == "http" and ack["seq"] == result["seq"]
    assert ack["error"] is None and ack["bytes"] == os.path.getsize(ack["data_file"])
    lines = executed_lines(ack["data_file"], svc.source)
    assert {mark_line("A"), mark_line("SSE")} <= lines
    # Saving did not stop measurement: a later request shows up in the next flush.
    svc.get("/b")
    status, again = svc.flush()
    assert again["ok"] and again["seq"] == result["seq"] + 1
    assert mark_line("B") in executed_lines(again["acks"][0]["data_file"], svc.source)


def test_signal_flush_confirmed_under_one_second(hanging_uvicorn):
    svc = hanging_uvicorn
    svc.get("/a")
    t0 = time.time()
    began = time.monotonic()
    os.kill(svc.proc.pid, signal.SIGUSR1)
    ack = svc.wait_for_ack(svc.proc.pid, since=t0, trigger="signal", interval=0.005)
    assert time.monotonic() - began < 1.0
    assert ack["error"] is None
    assert mark_line("A") in executed_lines(ack["data_file"], svc.source)
    # The service is unharmed by the save signal.
    assert svc.get("/b") == {"route": "b"}


def test_sigterm_saves_before_the_hanging_shutdown(hanging_uvicorn):
    svc = hanging_uvicorn
    svc.get("/b")
    t0 = time.time()
    began = time.monotonic()
    os.kill(svc.proc.pid, signal.SIGTERM)
    ack = svc.wait_for_ack(svc.proc.pid, since=t0, trigger="sigterm", interval=0.005)
    assert time.monotonic() - began < 1.0
    assert svc.proc.poll() is None, "data is on disk while the process is still alive"
    assert mark_line("B") in executed_lines(ack["data_file"], svc.source)
    # uvicorn's own handler ran after the save: it is shutting down, and hangs
    # (open SSE stream, then the sleeping lifespan), so the process is still alive.
    wait_for(lambda: "Waiting for connections to close" in svc.log(), timeout=5,
             what="uvicorn's graceful shutdown to start")
    assert svc.proc.poll() is None, "the process should still be shutting down"
