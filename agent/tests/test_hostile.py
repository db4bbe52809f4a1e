"""Hostile input against the agent in real uvicorn and gunicorn services.

Each case does one bad thing, then asserts that the service still answers
/health, that the next flush is ok and really saved (every counted process
answered with a save of a line run just before), that no flush reported ok
without such a save, and that the service log holds no traceback."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import pytest

from conftest import Service, executed_lines, mark_line, request
from test_workers import gunicorn_worker_class, worker_pids

# The services run with few file descriptors (podman's default is 1024), so a
# listener that kept every connection open would take the service down.
NOFILE = 256
LIMIT = ["prlimit", f"--nofile={NOFILE}:{NOFILE}"] if shutil.which("prlimit") else []

SERVERS = {
    "uvicorn": [*LIMIT, "{python}", "-m", "uvicorn", "service:app", "--host", "127.0.0.1", "--port", "{port}"],
    "gunicorn": [*LIMIT, "{python}", "-m", "gunicorn", "-w", "2", "-k", gunicorn_worker_class(),
                 "-b", "127.0.0.1:{port}", "service:app"],
}


@pytest.fixture(scope="module", params=sorted(SERVERS))
def hostile_service(request, tmp_path_factory):
    svc = Service(tmp_path_factory.mktemp(request.param), SERVERS[request.param])
    svc.start()
    svc.kind = request.param
    svc.workers = worker_pids(svc, 2) if request.param == "gunicorn" else {svc.proc.pid}
    yield svc
    svc.stop()


def raw(port: int, data: bytes, read: bool = True, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        if not read:
            return b""
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def json_error(answer: bytes) -> dict:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"application/json" in head, answer[:300]
    return json.loads(body)


def assert_still_sound(svc: Service) -> None:
    assert svc.get("/health") == {"ok": True}
    for _ in range(4):
        svc.get("/pid")
    t0 = time.time()
    status, result = svc.flush(timeout=10)
    assert status == 200 and result["ok"], result
    acked = {a["pid"]: a for a in result["acks"]}
    registered = {r["pid"] for r in svc.registrations()}
    assert registered <= set(acked), "every registered process answered"
    for pid, ack in acked.items():
        assert ack["error"] is None and ack["began"] >= t0 - 1, ack
        if pid in svc.workers:
            assert mark_line("PID") in executed_lines(ack["data_file"], svc.source), pid
    log = svc.log()
    assert "Traceback" not in log, log[-3000:]


def post_raw(port: int, head_lines: list[str], body: bytes = b"") -> bytes:
    head = "\r\n".join(["POST /pycov-harvest/flush HTTP/1.1", "Host: x", *head_lines]) + "\r\n\r\n"
    return raw(port, head.encode() + body)


def case_content_length_abc(svc):
    assert status_of(post_raw(svc.agent_port, ["Content-Length: abc"])) == 400


def case_content_length_negative(svc):
    assert status_of(post_raw(svc.agent_port, ["Content-Length: -1"])) == 400


def case_content_length_float(svc):
    answer = post_raw(svc.agent_port, ["Content-Length: 1e12"])
    assert status_of(answer) == 400 and "Content-Length" in json_error(answer)["error"]


def case_content_length_huge(svc):
    answer = post_raw(svc.agent_port, ["Content-Length: 1000000000000"])
    assert status_of(answer) == 413


def case_body_over_the_cap(svc):
    body = b"x" * (200 << 10)
    with socket.create_connection(("127.0.0.1", svc.agent_port), timeout=10) as s:
        s.sendall(f"POST /pycov-harvest/flush HTTP/1.1\r\nContent-Length: {len(body)}\r\n\r\n".encode())
        answer = s.recv(65536)
    assert status_of(answer) == 413


def case_conflicting_content_lengths(svc):
    assert status_of(post_raw(svc.agent_port, ["Content-Length: 2", "Content-Length: 3"], b"{}")) == 400


def case_chunked_body(svc):
    assert status_of(post_raw(svc.agent_port, ["Transfer-Encoding: chunked"], b"2\r\n{}\r\n0\r\n\r\n")) == 411


def case_json_array(svc):
    status, body = request("POST", svc.agent_port, "/pycov-harvest/flush", b"[1, 2]")
    assert status == 400 and "JSON object" in json.loads(body)["error"]


def case_json_string(svc):
    assert request("POST", svc.agent_port, "/pycov-harvest/flush", b'"reset"')[0] == 400


def case_invalid_json(svc):
    assert request("POST", svc.agent_port, "/pycov-harvest/flush", b"{reset: 1")[0] == 400


def case_deeply_nested_json(svc):
    assert request("POST", svc.agent_port, "/pycov-harvest/flush", b"[" * 60000)[0] == 400


def case_timeout_not_a_number(svc):
    status, body = request("POST", svc.agent_port, "/pycov-harvest/flush", b'{"timeout": "abc"}')
    assert status == 400 and "timeout" in json.loads(body)["error"]


def case_timeout_nan(svc):
    assert request("POST", svc.agent_port, "/pycov-harvest/flush", b'{"timeout": NaN}')[0] == 400


def case_timeout_infinite_and_huge(svc):
    for value in (b"Infinity", b"1e300", b"-1", b"0", b"true", b"[]"):
        assert request("POST", svc.agent_port, "/pycov-harvest/flush", b'{"timeout": ' + value + b"}")[0] == 400


def case_reset_not_a_flag(svc):
    assert request("POST", svc.agent_port, "/pycov-harvest/flush", b'{"reset": "maybe"}')[0] == 400


def case_garbage_request_line(svc):
    assert status_of(raw(svc.agent_port, b"\x00\x01\x02 garbage\r\n\r\n")) == 400


def case_bad_protocol(svc):
    assert status_of(raw(svc.agent_port, b"GET /pycov-harvest/status HTTP/9.9\r\n\r\n")) == 505


def case_header_too_large(svc):
    answer = raw(svc.agent_port, b"GET /pycov-harvest/status HTTP/1.1\r\nX: " + b"a" * (40 << 10) + b"\r\n\r\n")
    assert status_of(answer) == 431


def case_unknown_path_and_method(svc):
    assert request("GET", svc.agent_port, "/pycov-harvest/nope")[0] == 404
    assert request("DELETE", svc.agent_port, "/pycov-harvest/flush")[0] == 405
    assert request("GET", svc.agent_port, "/pycov-harvest/flush")[0] == 405


def case_client_gone_mid_body(svc):
    with socket.create_connection(("127.0.0.1", svc.agent_port), timeout=5) as s:
        s.sendall(b"POST /pycov-harvest/flush HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"ti")


def case_slowloris_does_not_starve_flushes(svc):
    conns = []
    try:
        for _ in range(400):
            s = socket.create_connection(("127.0.0.1", svc.agent_port), timeout=5)
            s.sendall(b"POST /pycov-harvest/flush HTTP/1.1\r\nX-Slow: ")
            conns.append(s)
        ok = sum(1 for _ in range(10) if svc.flush(timeout=10)[1]["ok"])
        assert ok == 10
    finally:
        for s in conns:
            s.close()


def case_many_idle_connections(svc):
    conns = []
    try:
        for _ in range(4 * NOFILE):
            conns.append(socket.create_connection(("127.0.0.1", svc.agent_port), timeout=5))
        assert svc.get("/health") == {"ok": True}
        assert svc.flush(timeout=10)[1]["ok"]
    finally:
        for s in conns:
            s.close()


def case_parallel_posts(svc):
    results = []

    def one():
        try:
            results.append(svc.flush(timeout=20)[1]["ok"])
        except OSError as e:
            results.append(e)

    threads = [threading.Thread(target=one) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [True] * 50, [r for r in results if r is not True][:5]


def case_data_with_fifo_link_and_symlink(svc):
    outside = svc.data_dir.parent / "outside.db"
    outside.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4080)
    os.link(outside, svc.data_dir / ".coverage.linked")
    (svc.data_dir / ".coverage.sym").symlink_to("/etc/hostname")
    os.mkfifo(svc.data_dir / ".coverage.fifo")
    try:
        import io
        import tarfile

        status, body = request("GET", svc.agent_port, "/pycov-harvest/data", timeout=20)
        assert status == 200
        with tarfile.open(fileobj=io.BytesIO(body)) as tar:
            names = tar.getnames()
            manifest = json.loads(tar.extractfile(names[-1]).read())
        skipped = {s["name"]: s["reason"] for s in manifest["skipped"]}
        assert not {".coverage.linked", ".coverage.sym", ".coverage.fifo"} & set(names)
        assert {".coverage.linked", ".coverage.sym", ".coverage.fifo"} <= set(skipped), skipped
    finally:
        for name in (".coverage.linked", ".coverage.sym", ".coverage.fifo"):
            (svc.data_dir / name).unlink()


def case_forged_sigkill_registration(svc):
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    host = socket.gethostname()
    path = svc.data_dir / ".pycov-harvest" / f"proc-{host}-{victim.pid}.json"
    try:
        path.write_text(json.dumps({"pid": victim.pid, "host": host, "signal": "SIGKILL", "wake": None}))
        result = svc.flush()[1]
        assert victim.poll() is None and not result["ok"]
    finally:
        path.unlink()
        victim.kill()
        victim.wait()


def case_malformed_registrations_and_request(svc):
    reg = svc.data_dir / ".pycov-harvest"
    host = socket.gethostname()
    paths = [reg / f"proc-{host}-77770{i}.json" for i in range(3)]
    paths[0].write_text(json.dumps({"pid": "abc", "host": host}))
    paths[1].write_text(json.dumps({"pid": 777701, "host": host, "wake": 5}))
    paths[2].write_text("[]")
    (reg / "request.json").write_text(json.dumps({"seq": "x"}))
    try:
        assert svc.flush()[1]["ok"]
    finally:
        for p in paths:
            p.unlink()


def case_forged_fresh_ack(svc):
    host = socket.gethostname()
    for pid in svc.workers:
        fake = {"seq": 10 ** 9, "request": None, "pid": pid, "host": host, "trigger": "http", "reset": False,
                "data_file": "/nope", "bytes": 0, "began": time.time() + 3600, "time": time.time() + 3600,
                "error": None}
        (svc.data_dir / ".pycov-harvest" / f"ack-{host}-{pid}.json").write_text(json.dumps(fake))
    # assert_still_sound checks that the acks counted are real saves


def case_garbage_on_the_wake_sockets(svc):
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        for reg in svc.registrations():
            for message in (b"\xff" * 500, b"req", b"req x y z w v", b"req 1 2 http - id", b"local", b"ack {}"):
                try:
                    s.sendto(message, "\0" + reg["wake"])
                except OSError:
                    pass


def case_stale_temporaries(svc):
    reg = svc.data_dir / ".pycov-harvest"
    old = time.time() - 3600
    leftovers = [reg / f".tmp-hostile{i}.json" for i in range(5)]
    for p in leftovers:
        p.write_text("{")
        os.utime(p, (old, old))
    assert svc.flush()[1]["ok"]
    assert not any(p.exists() for p in leftovers)


def case_http10_without_host(svc):
    answer = raw(svc.agent_port, b"GET /pycov-harvest/status HTTP/1.0\r\n\r\n")
    assert status_of(answer) == 200


def case_expect_continue(svc):
    body = b'{"timeout": 5}'
    with socket.create_connection(("127.0.0.1", svc.agent_port), timeout=10) as s:
        s.sendall(b"POST /pycov-harvest/flush HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n"
                  % len(body))
        assert s.recv(100).startswith(b"HTTP/1.1 100 Continue")
        s.sendall(body)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert status_of(answer) == 200


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}
assert len(CASES) >= 20


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile(hostile_service, case):
    CASES[case](hostile_service)
    assert_still_sound(hostile_service)
