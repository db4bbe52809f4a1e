"""connections.py against real processes: uvicorn on loopback with a stream open (IPv4, IPv6 and
a dual-stack listener reached over IPv4), and a container of the service image on Python 3.12."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import textwrap
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

from pycov_harvest_remote import connections

REPO = Path(__file__).resolve().parents[2]
STARTUP_BOUND = 20.0
# A tiny ASGI app: /stream sends an event every 0.2 s until the client goes away; any other path
# answers "ok".
APP = textwrap.dedent('''
    import asyncio

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        if scope["path"] != "/stream":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
            await send({"type": "http.response.body", "body": b"ok"})
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/event-stream")]})
        while True:
            await send({"type": "http.response.body", "body": b"data: tick\\n\\n", "more_body": True})
            await asyncio.sleep(0.2)
''')


class Server:
    def __init__(self, proc: subprocess.Popen, host: str, port: int) -> None:
        self.proc, self.host, self.port = proc, host, port

    @property
    def pid(self) -> int:
        return self.proc.pid


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def open_stream(host: str, port: int) -> socket.socket:
    """GET /stream, after waiting for the server to listen; returns once the first event came."""
    deadline = time.monotonic() + STARTUP_BOUND
    while True:
        try:
            conn = socket.create_connection((host, port), timeout=5)
            break
        except OSError:
            assert time.monotonic() < deadline, "nothing listened on %s:%d within %gs" % (host, port, STARTUP_BOUND)
            time.sleep(0.1)
    conn.sendall(b"GET /stream HTTP/1.1\r\nHost: test\r\n\r\n")
    seen = b""
    while b"data: tick" not in seen:
        chunk = conn.recv(4096)
        assert chunk, "the stream closed before its first event"
        seen += chunk
    return conn


@pytest.fixture
def start(tmp_path: Path) -> Iterator:
    (tmp_path / "app.py").write_text(APP)
    started: List[subprocess.Popen] = []

    def start(argv: List[str], env: Optional[Dict[str, str]] = None, host: str = "127.0.0.1",
              sock: Optional[socket.socket] = None) -> Server:
        port = free_port() if sock is None else sock.getsockname()[1]
        full = [sys.executable] + argv
        if sock is not None:
            full += ["--fd", str(sock.fileno())]
        elif "uvicorn" in argv:
            full += ["--host", host, "--port", str(port)]
        base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        proc = subprocess.Popen(full, cwd=str(tmp_path), env=dict(base, **(env or {})), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, pass_fds=[sock.fileno()] if sock else [])
        started.append(proc)
        return Server(proc, host, port)

    yield start
    for proc in started:
        proc.kill()
        proc.wait()


def test_lists_the_stream_on_an_ipv4_listener_with_its_peer_and_state(start) -> None:
    server = start(["-m", "uvicorn", "app:app"])
    client = open_stream("127.0.0.1", server.port)
    try:
        listeners, found = connections.open_connections(server.pid)
        peer = "127.0.0.1:%d" % client.getsockname()[1]
        assert listeners == [{"address": "127.0.0.1", "port": server.port, "family": "ipv4"}]
        assert [(c["peer"], c["local"], c["state"], c["owned"]) for c in found] == [
            (peer, "127.0.0.1:%d" % server.port, "ESTABLISHED", True)]
    finally:
        client.close()


def test_tcp_info_tells_a_stream_from_a_connection_that_never_sent_a_request(start) -> None:
    server = start(["-m", "uvicorn", "app:app"])
    client = open_stream("127.0.0.1", server.port)
    silent = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    try:
        silent_peer = "127.0.0.1:%d" % silent.getsockname()[1]
        deadline = time.monotonic() + 5  # until the server accepts it, it has no socket inode
        while silent_peer not in _owned_peers(server.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # a few ticks of the stream
        by_peer = {c["peer"]: c for c in connections.open_connections(server.pid)[1]}
        stream = by_peer["127.0.0.1:%d" % client.getsockname()[1]]
        assert stream["received"] is not None and stream["received"] > 0
        assert stream["last_sent_ms"] is not None and stream["last_sent_ms"] < 1000  # a tick every 0.2 s
        assert by_peer[silent_peer]["received"] == 0
    finally:
        client.close()
        silent.close()


def test_a_closed_stream_no_longer_holds_the_server(start) -> None:
    server = start(["-m", "uvicorn", "app:app"])
    open_stream("127.0.0.1", server.port).close()
    deadline = time.monotonic() + 5
    while True:
        found = [c for c in connections.open_connections(server.pid)[1] if c["owned"]]
        if not found or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert found == []


@pytest.mark.skipif(not has_ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_lists_an_ipv6_peer_in_brackets(start) -> None:
    server = start(["-m", "uvicorn", "app:app"], host="::1")
    client = open_stream("::1", server.port)
    try:
        listeners, found = connections.open_connections(server.pid)
        assert listeners == [{"address": "::1", "port": server.port, "family": "ipv6"}]
        assert [(c["peer"], c["state"]) for c in found] == [("[::1]:%d" % client.getsockname()[1], "ESTABLISHED")]
    finally:
        client.close()


@pytest.mark.skipif(not has_ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_an_ipv4_client_of_a_dual_stack_listener_shows_as_ipv4(start) -> None:
    # asyncio makes `--host ::` IPv6-only; a socket handed over with --fd (as gunicorn and systemd
    # do) may take both: its IPv4 peers show in tcp6 as IPv4-mapped addresses.
    sock = socket.socket(socket.AF_INET6)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::", 0))
    server = start(["-m", "uvicorn", "app:app"], sock=sock)
    sock.close()
    client = open_stream("127.0.0.1", server.port)
    try:
        listeners, found = connections.open_connections(server.pid)
        assert listeners == [{"address": "::", "port": server.port, "family": "ipv6"}]
        assert [(c["peer"], c["local"], c["state"]) for c in found] == [
            ("127.0.0.1:%d" % client.getsockname()[1], "127.0.0.1:%d" % server.port, "ESTABLISHED")]
    finally:
        client.close()


def test_connections_to_another_process_are_not_the_servers(start) -> None:
    server = start(["-m", "uvicorn", "app:app"])
    other = socket.socket()
    other.bind(("127.0.0.1", 0))
    other.listen(1)
    client = socket.create_connection(other.getsockname())
    stream = open_stream("127.0.0.1", server.port)
    try:
        listeners, found = connections.open_connections(server.pid)
        assert [c["local"] for c in found] == ["127.0.0.1:%d" % server.port]
    finally:
        for s in (stream, client, other):
            s.close()


def test_decodes_the_kernels_hex_addresses() -> None:
    assert connections.decode_endpoint("0100007F:1F40", "ipv4") == {
        "address": "127.0.0.1", "port": 8000, "family": "ipv4"}
    assert connections.decode_endpoint("00000000000000000000000001000000:0050", "ipv6") == {
        "address": "::1", "port": 80, "family": "ipv6"}
    assert connections.decode_endpoint("0000000000000000FFFF00000B00000A:D431", "ipv6") == {
        "address": "10.0.0.11", "port": 54321, "family": "ipv4"}


def test_reads_uvicorn_venv_and_graceful_timeout_of_a_server(start) -> None:
    server = start(["-m", "uvicorn", "app:app", "--timeout-graceful-shutdown", "7"])
    open_stream("127.0.0.1", server.port).close()
    facts = connections.server_facts(server.pid)
    assert facts["uvicorn"] == "0.30.6"
    assert facts["venv"] == sys.prefix
    assert facts["uvicorn_path"] == os.path.join(sys.prefix, "lib", "python3.12", "site-packages")
    assert facts["python"] == "%d.%d.%d" % sys.version_info[:3]
    assert (facts["graceful_timeout"], facts["graceful_source"]) == (7.0, "argv")
    assert facts["loop"] == "asyncio"  # this venv has no uvloop


def test_the_loop_is_uvloop_when_auto_would_import_it(start, tmp_path: Path) -> None:
    fake = tmp_path / "extra" / "uvloop"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    auto = start(["-c", "import time; time.sleep(60)", "uvicorn"], env={"PYTHONPATH": "extra"})
    chosen = start(["-c", "import time; time.sleep(60)", "uvicorn", "--loop", "asyncio"], env={"PYTHONPATH": "extra"})
    script = start(["-c", "import time; time.sleep(60)"], env={"PYTHONPATH": "extra"})
    fastapi_cli = start(["-c", "import time; time.sleep(60)", "fastapi", "run"], env={"PYTHONPATH": "extra"})
    for proc in (auto, chosen, script, fastapi_cli):
        _wait_for_cmdline(proc.pid)
    assert connections.server_facts(auto.pid)["loop"] == "uvloop"
    assert connections.server_facts(fastapi_cli.pid)["loop"] == "uvloop"
    assert connections.server_facts(chosen.pid)["loop"] == "asyncio"
    assert connections.server_facts(script.pid)["loop"] is None


def _wait_for_cmdline(pid: int) -> None:
    deadline = time.monotonic() + 5
    while not connections.procfs.cmdline(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_graceful_timeout_from_the_environment_counts_for_uvicorns_command_line_only(start) -> None:
    cli = start(["-m", "uvicorn", "app:app"], env={"UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN": "4"})
    script = start(["-c", "import uvicorn, time; time.sleep(60)"], env={"UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN": "4"})
    open_stream("127.0.0.1", cli.port).close()
    assert connections.server_facts(cli.pid)["graceful_timeout"] == 4.0
    assert connections.server_facts(cli.pid)["graceful_source"] == "env"
    assert connections.server_facts(script.pid)["graceful_timeout"] is None


def test_a_uvicorn_on_pythonpath_wins_over_the_venvs(start, tmp_path: Path) -> None:
    shadow = tmp_path / "shadow" / "uvicorn"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('__version__ = "9.9.9"\n')
    proc = start(["-c", "import time; time.sleep(60)"], env={"PYTHONPATH": "shadow"})
    _wait_for_cmdline(proc.pid)
    facts = connections.server_facts(proc.pid)
    assert (facts["uvicorn"], facts["uvicorn_path"]) == ("9.9.9", str(tmp_path / "shadow"))


def _read_versions_env() -> Dict[str, str]:
    lines = (REPO / "test" / "images" / "versions.env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


# Runs in the container as the image's user, with the modules copied to /tmp/remote.
IN_CONTAINER = textwrap.dedent('''
    import json, os, sys
    sys.path.insert(0, "/tmp/remote")
    from pycov_harvest_remote import connections
    pid = next(int(p) for p in os.listdir("/proc") if p.isdigit()
               and b"uvicorn" in open("/proc/%s/cmdline" % p, "rb").read() and p != "1")
    listeners, found = connections.open_connections(pid)
    print(json.dumps({"listeners": listeners, "connections": found, "facts": connections.server_facts(pid)}))
''')


@pytest.mark.skipif(shutil.which("podman") is None, reason="podman is not installed (test/images/setup-podman.sh)")
def test_inside_a_container_of_the_python_3_12_service_image(tmp_path: Path) -> None:
    image = _read_versions_env()["SERVICE_PY312_IMAGE"] + os.environ.get("PYCOV_HARVEST_IMAGE_TAG_SUFFIX", "")
    if subprocess.run(["podman", "image", "exists", image]).returncode != 0:
        pytest.fail("image %s is missing; build it with `bash test/images/build.sh service-py312`" % image)
    name, port = "stacks-connections-%d" % os.getpid(), free_port()
    subprocess.run(["podman", "run", "-d", "--rm", "--name", name, "-p", "127.0.0.1:%d:8000" % port,
                    "-e", "COVERAGE_MODE=sigterm", "-e", "GRACEFUL_TIMEOUT=5", image], check=True,
                   stdout=subprocess.DEVNULL)
    try:
        client = open_stream("127.0.0.1", port)
        with tarfile.open(tmp_path / "remote.tar", "w") as tar:
            for package, module in (("pycov_harvest_remote", "connections"), ("pycov_harvest_remote", "processes"),
                                    ("pycov_harvest_remote", "sockdiag"), ("pycov_harvest", "procfs")):
                base = REPO / ("src/remote" if package == "pycov_harvest_remote" else "agent")
                tar.add(str(base / package / (module + ".py")), "remote/%s/%s.py" % (package, module))
            for package in ("pycov_harvest_remote", "pycov_harvest"):
                (tmp_path / "empty.py").write_text("")
                tar.add(str(tmp_path / "empty.py"), "remote/%s/__init__.py" % package)
        subprocess.run(["podman", "cp", str(tmp_path / "remote.tar"), name + ":/tmp/remote.tar"], check=True)
        subprocess.run(["podman", "exec", name, "tar", "-C", "/tmp", "-xf", "/tmp/remote.tar"], check=True)
        out = subprocess.run(["podman", "exec", name, "python3", "-S", "-c", IN_CONTAINER], check=True,
                             stdout=subprocess.PIPE, timeout=60).stdout
        seen = json.loads(out)
        client.close()
    finally:
        subprocess.run(["podman", "rm", "-f", "-t", "0", name], stdout=subprocess.DEVNULL)
    assert seen["listeners"] == [{"address": "0.0.0.0", "port": 8000, "family": "ipv4"}]
    assert [(c["local"].rsplit(":", 1)[1], c["state"], c["owned"]) for c in seen["connections"]] == [
        ("8000", "ESTABLISHED", True)]
    # tcp_info through netlink works as the image's user (1001) in the container's namespace.
    assert seen["connections"][0]["received"] > 0
    facts = seen["facts"]
    assert facts["uvicorn"] == "0.30.6" and facts["venv"] == "/opt/venv"
    assert facts["python"].startswith("3.12")
    assert (facts["graceful_timeout"], facts["graceful_source"]) == (5.0, "argv")
    assert facts["loop"] == "asyncio"


def _owned_peers(pid: int) -> List[str]:
    return [c["peer"] for c in connections.open_connections(pid)[1] if c["owned"] and c["state"] == "ESTABLISHED"]


def test_an_idle_keep_alive_connection_goes_within_the_keep_alive_timeout_and_a_stream_stays(start) -> None:
    """Why one snapshot is not enough to say a connection holds the shutdown: an idle keep-alive
    connection is ESTABLISHED too, but uvicorn closes it after --timeout-keep-alive (and at once
    on shutdown); a stream stays. (A connection that never sent a request is not timed out, but
    the shutdown closes it at once too.)"""
    server = start(["-m", "uvicorn", "app:app", "--timeout-keep-alive", "1"])
    stream = open_stream("127.0.0.1", server.port)
    # Idle: its one request answered, the connection kept for the next (uvicorn starts the
    # keep-alive timer when a response completes).
    keep_alive = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    keep_alive.sendall(b"GET /plain HTTP/1.1\r\nHost: test\r\n\r\n")
    answer = b""
    while not answer.endswith(b"ok"):
        chunk = keep_alive.recv(4096)
        assert chunk, "the connection closed before the answer"
        answer += chunk
    try:
        stream_peer = "127.0.0.1:%d" % stream.getsockname()[1]
        idle_peer = "127.0.0.1:%d" % keep_alive.getsockname()[1]
        assert sorted(_owned_peers(server.pid)) == sorted([stream_peer, idle_peer])
        deadline = time.monotonic() + 10
        while idle_peer in _owned_peers(server.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _owned_peers(server.pid) == [stream_peer]
    finally:
        stream.close()
        keep_alive.close()
