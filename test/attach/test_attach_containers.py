"""attach on real containers (podman and the Docker engine): the first users' entrypoint,
unchanged (bash PID 1, UID 1001, `coverage run` with `[run] sigterm = true`, uvicorn 0.30.6),
an SSE stream held open, and the injector in a second container made from the service's own
image that shares its PID and network namespaces with SYS_PTRACE. The service gets nothing."""

import socket
import time

import pytest

from containers import ENGINES, ServiceContainer, inject, run, seccomp_profile


def marker_lines(svc, marker):
    text = svc.exec_python("print(open('/app/src/main.py').read())")
    return set(n for n, line in enumerate(text.splitlines(), 1) if marker in line)


class Stream:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        self.sock.recv(4096)

    def still_streaming(self):
        return b"data:" in self.sock.recv(4096)

    def close(self):
        self.sock.close()


@pytest.fixture(params=ENGINES)
def engine(request):
    return request.param


def _python(svc):
    pids = svc.python_pids()
    assert len(pids) == 1, pids
    return pids[0]


@pytest.mark.parametrize("version", ["3.12", "3.13", "3.14"])
def test_first_users_service_saved_twice_while_serving(engine, version):
    svc = ServiceContainer(engine, version)
    stream = Stream(svc.port)
    try:
        pid, exe = _python(svc)
        events, elapsed = inject(svc, [pid], exe)
        first = events[pid]
        assert first["event"] == "attached", first
        assert first["route"] == ("remote_exec" if version == "3.14" else "ptrace")
        assert elapsed < 10, elapsed
        assert first["data_file"] == "/coverdata/.coverage" and first["bytes"] > 0
        odd = marker_lines(svc, "cov:items-odd")
        assert not odd & svc.measured_lines()
        assert svc.get("/items/3")[0] == 200
        events, _ = inject(svc, [pid], exe)
        assert events[pid]["event"] == "attached", events
        assert odd <= svc.measured_lines()
        assert svc.get("/health")[0] == 200
        assert stream.still_streaming()
        assert "Traceback" not in svc.logs()
    finally:
        stream.close()
        svc.remove()


def test_ptrace_denied_by_seccomp_is_one_sentence(engine):
    svc = ServiceContainer(engine, "3.12")
    try:
        pid, exe = _python(svc)
        profile = seccomp_profile(["ptrace"])
        events, _ = inject(svc, [pid], exe, extra=["--security-opt", "seccomp=" + profile], timeout=5)
        assert events[pid]["event"] == "refused"
        assert events[pid]["reason"] == (
            "the kernel refused to let this process trace pid %d (PTRACE_SEIZE: Operation not permitted): "
            "run attach with CAP_SYS_PTRACE (`--cap-add SYS_PTRACE` for docker and compose, "
            "`securityContext.capabilities.add: [SYS_PTRACE]` in Kubernetes), or use the agent" % pid)
        assert svc.get("/health")[0] == 200
    finally:
        svc.remove()


def test_ptrace_route_needs_no_process_vm_calls(engine):
    svc = ServiceContainer(engine, "3.12")
    try:
        pid, exe = _python(svc)
        profile = seccomp_profile(["process_vm_readv", "process_vm_writev"])
        events, _ = inject(svc, [pid], exe, extra=["--security-opt", "seccomp=" + profile])
        assert events[pid]["event"] == "attached", events
    finally:
        svc.remove()


def test_another_uid_without_the_capability_is_refused(engine):
    svc = ServiceContainer(engine, "3.12")
    try:
        pid, exe = _python(svc)
        events, _ = inject(svc, [pid], exe, user="1002", caps=(), timeout=5)
        assert events[pid]["event"] == "refused"
        # Another uid cannot even open the target's files: refused before any ptrace call.
        assert events[pid]["reason"].startswith(
            "this process may not look into pid %d (Permission denied: another user, and no "
            "CAP_SYS_PTRACE): run attach with CAP_SYS_PTRACE" % pid)
        assert events[pid]["cause"] == "denied"
        assert svc.get("/health")[0] == 200
    finally:
        svc.remove()


def test_remote_exec_refusals_on_314(engine):
    svc = ServiceContainer(engine, "3.14", env={"PYTHON_DISABLE_REMOTE_DEBUG": "1"})
    try:
        pid, exe = _python(svc)
        events, _ = inject(svc, [pid], exe, timeout=5)
        assert events[pid]["reason"] == (
            "pid %d has remote debugging turned off (PYTHON_DISABLE_REMOTE_DEBUG, -X disable-remote-debug, "
            "or a build --without-remote-debug): remove that setting, or use the agent" % pid)
    finally:
        svc.remove()
    svc = ServiceContainer(engine, "3.14")
    try:
        pid, exe = _python(svc)
        profile = seccomp_profile(["process_vm_readv", "process_vm_writev", "ptrace"])
        events, _ = inject(svc, [pid], exe, extra=["--security-opt", "seccomp=" + profile], timeout=5)
        assert events[pid]["event"] == "refused"
        assert "CAP_SYS_PTRACE" in events[pid]["reason"], events
    finally:
        svc.remove()


@pytest.mark.parametrize("version", ["3.12", "3.14"])
def test_from_an_exec_as_the_service_uid_without_any_capability(engine, version):
    """The cheaper route: no injector container, the service's own uid. It works where the kernel
    lets same-uid processes trace each other (no Yama, as on this host). On 3.14 sys.remote_exec
    also needs process_vm_readv: podman's seccomp profile allows it; Docker 20.10's allows it
    only with CAP_SYS_PTRACE, and there the pending call (ptrace + /proc/<pid>/mem) takes over."""
    from payload import argv
    import json
    svc = ServiceContainer(engine, version)
    try:
        pid, exe = _python(svc)
        t0 = time.monotonic()
        out = run(engine, ["exec", "--user", "1001", svc.name, exe] + argv({"pids": [pid], "timeout": 10}))
        event = json.loads(out.stdout.decode().splitlines()[0])
        assert event["event"] == "attached", event
        assert time.monotonic() - t0 < 10
        if version == "3.14" and engine == "docker":
            assert event["route"] == "ptrace"
            assert event["remote_exec_refused"].startswith(
                "the kernel refused to let this process read or write pid %d's memory" % pid)
        else:
            assert event["route"] == ("remote_exec" if version == "3.14" else "ptrace")
        assert svc.get("/health")[0] == 200
    finally:
        svc.remove()


def test_an_injector_container_without_the_service_process_namespace_is_refused(engine):
    svc = ServiceContainer(engine, "3.12")
    try:
        pid, exe = _python(svc)
        events, _ = inject(svc, [pid], exe, share_pid=False, timeout=3)
        assert events[pid]["reason"].startswith(
            "pid %d is not visible here: the injector container does not share the service's process namespace" % pid)
    finally:
        svc.remove()


def test_a_shell_less_image_with_python_as_pid_1(engine):
    """Distroless-like: no shell, no coreutils; `coverage run` is PID 1 as UID 1001."""
    svc = ServiceContainer(engine, "3.12-distroless", entrypoint=None)
    try:
        pid, exe = _python(svc)
        assert pid == 1
        events, _ = inject(svc, [pid], exe)
        assert events[pid]["event"] == "attached", events
        assert events[pid]["data_file"].startswith("/coverdata/.coverage.")
        assert svc.get("/items/3")[0] == 200
        events, _ = inject(svc, [pid], exe)
        assert marker_lines(svc, "cov:items-odd") <= svc.measured_lines()
    finally:
        svc.remove()
