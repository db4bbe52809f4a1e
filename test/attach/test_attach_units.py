"""Pure pieces of attach, checked against real interpreters where the facts come from them."""

import errno
import os
import socket
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "remote"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "agent"))

from pycov_harvest_remote import attach_elf, attach_program, attach_remote, attach_wake  # noqa: E402
from support import venv_python  # noqa: E402

ADDRESSES = ("import ctypes, sys\n"
             "f = lambda n: ctypes.cast(getattr(ctypes.pythonapi, n), ctypes.c_void_p).value\n"
             "print(f('Py_AddPendingCall'), f('PyRun_SimpleString'), flush=True)\n"
             "sys.stdin.read()\n")


@pytest.mark.parametrize("python", [venv_python("3.8.18"), venv_python("3.12.1"), "/usr/bin/python3"])
def test_symbols_resolve_to_the_addresses_the_process_itself_sees(python):
    """libpython (pyenv, --enable-shared) and a static executable (Debian's python3)."""
    proc = subprocess.Popen([python, "-c", ADDRESSES], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        own = [int(x) for x in proc.stdout.readline().split()]
        found = attach_elf.resolve(proc.pid, ["Py_AddPendingCall", "PyRun_SimpleString"])
        assert found == {"Py_AddPendingCall": own[0], "PyRun_SimpleString": own[1]}
    finally:
        proc.kill()
        proc.wait()


def test_a_process_without_the_symbols_resolves_to_none():
    proc = subprocess.Popen(["sleep", "30"])
    try:
        time.sleep(0.2)
        assert attach_elf.resolve(proc.pid, ["Py_AddPendingCall"]) is None
    finally:
        proc.kill()
        proc.wait()


def test_the_bootstrap_binds_nothing_and_never_raises(tmp_path):
    main = {"__name__": "__main__"}
    exec(attach_program.bootstrap(str(tmp_path / "missing.py"), str(tmp_path), "n1"), main)
    assert sorted(main) == ["__builtins__", "__name__"]
    program = tmp_path / "program.py"
    program.write_text("import sys\nsys.modules['attach_test_ran'] = ANSWER_DIR + NONCE\n")
    exec(attach_program.bootstrap(str(program), "d", "n2"), main)
    assert sys.modules.pop("attach_test_ran") == "dn2"
    assert sorted(main) == ["__builtins__", "__name__"]


def test_the_program_answers_no_coverage_when_none_runs(tmp_path):
    sys.modules.pop("coverage", None)
    attach_program.main(str(tmp_path), "abc")
    answer = (tmp_path / attach_program.ANSWER).read_text()
    assert '"status": "no-coverage"' in answer and '"nonce": "abc"' in answer
    assert oct(os.stat(tmp_path / attach_program.ANSWER).st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("hex_addr, family, expected", [
    ("0100007F", socket.AF_INET, "127.0.0.1"),
    ("00000000", socket.AF_INET, "127.0.0.1"),
    ("00000000000000000000000001000000", socket.AF_INET6, "::1"),
    ("00000000000000000000000000000000", socket.AF_INET6, "::1"),
])
def test_listening_addresses_as_proc_prints_them(hex_addr, family, expected):
    assert attach_wake._address(hex_addr, family) == expected


def test_own_listening_socket_is_found():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    try:
        assert (socket.AF_INET, "127.0.0.1", s.getsockname()[1]) in attach_wake.listening(os.getpid())
    finally:
        s.close()


@pytest.mark.parametrize("error, start", [
    (RuntimeError("Remote debugging is not enabled in the remote process"), "pid 7 has remote debugging turned off"),
    (PermissionError(errno.EPERM, "Operation not permitted"), "the kernel refused to let this process read"),
    (ProcessLookupError(errno.ESRCH, "No such process"), "pid 7 exited before attach reached it"),
    (RuntimeError("something else"), "sys.remote_exec(7) failed: something else"),
])
def test_remote_exec_failures_become_one_sentence(error, start):
    assert attach_remote.explain(7, error).startswith(start)
