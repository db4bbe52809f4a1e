"""The `attach` method: make running Python processes save their own
`coverage.Coverage.current()` without stopping them and without the agent.

Runs either in the target as the service's uid (enough where the kernel lets
same-uid processes trace each other: no Yama) or in a injector container made from
the service's own image that shares the target's PID and network namespaces with
CAP_SYS_PTRACE. Python 3.14+ goes through sys.remote_exec (and, when only its
memory calls are denied, the pending call), 3.8-3.13 through a pending call
placed with ptrace (attach_inject). Each process's save is confirmed by its own
answer and by the data file it names. A refusal's `cause` tells the caller
whether the injector container may do better ("denied") or must not try ("disabled").

Arguments: {"pids": [int, ...], "timeout": seconds, "route": "auto" | "ptrace"
| "remote_exec", "program": the source of attach_program (optional), "starts":
{"<pid>": start ticks} (optional), "start": a data file (optional: "measure from
now", coverage started where none runs, 3.14+)}. One JSON line per pid: event
"attached" (with the answer's facts), "started" (coverage started, nothing to
save yet) or "refused" (one sentence: the cause and the fix)."""

from __future__ import annotations

import binascii
import json
import os
import sys
import time

from pycov_harvest import procfs

from pycov_harvest_remote import attach_program, attach_remote, attach_wake
from pycov_harvest_remote.attach_target import PrivateDir, TargetError, python_version
from pycov_harvest_remote.output import EXIT_OK, emit, require

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict, List, Optional

POLL = 0.02
# uvicorn and gunicorn's workers run Python code at least every 0.1-1 s; a loop quiet this
# long after the trigger is woken, and again at every WAKE_EVERY.
WAKE_AFTER = 0.3
WAKE_EVERY = 1.0
# Budget for placing the trigger in one process (finding a waiting thread included).
TRIGGER_TIMEOUT = 3.0
MTIME_SLACK = 0.05
BUSY_PAUSE = 0.2
# A refusal's cause when the process runs no coverage at all (the caller does not count it).
NO_COVERAGE = "no-coverage"


class Attempt:
    """One process: its private directory, how it was triggered, and what came back."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.dir: Optional[PrivateDir] = None
        self.facts: Dict[str, Any] = {}
        self.answer: Optional[Dict[str, Any]] = None
        self.refusal = ""
        self.route = ""
        self.boot = ""
        self.boot_path = ""
        self.ptrace_allowed = True
        # For the caller: "denied" (another route with more rights may work), "disabled", or ''.
        self.cause = ""
        # "Measure from now" was asked: coverage is started where none runs.
        self.start_file = ""


def program_source() -> str:
    with open(attach_program.__file__) as f:
        return f.read()


def _route_for(pid: int, wanted: str, start: Optional[int]) -> str:
    if not os.path.exists("/proc/%d" % pid):
        raise attach_remote.Refused(
            "pid %d is not visible here: the injector container does not share the service's process "
            "namespace (`--pid container:<id>`, or a runtime without Kubernetes' targetContainerName "
            "support); use the agent" % pid)
    if start is not None and procfs.start_ticks(pid) != start:
        raise attach_remote.Refused("pid %d is another process than the one found (it restarted since); "
                                    "harvest again" % pid)
    try:
        version = python_version(pid)
    except PermissionError as e:
        raise attach_remote.Refused(
            "this process may not look into pid %d (%s: another user, and no CAP_SYS_PTRACE): %s"
            % (pid, e.strerror, attach_remote.PTRACE_FIX), attach_remote.DENIED) from e
    if version is None:
        raise attach_remote.Refused("pid %d is not a CPython this injector recognizes; use the agent" % pid)
    if version < (3, 8):
        raise attach_remote.Refused("pid %d runs Python %d.%d; attach supports 3.8 and later: use the "
                                    "agent or sigterm" % ((pid,) + version))
    route = wanted if wanted != "auto" else ("remote_exec" if version >= (3, 14) else "ptrace")
    if route == "remote_exec" and version != sys.version_info[:2]:
        raise attach_remote.Refused(
            "pid %d runs Python %d.%d and this injector %d.%d: sys.remote_exec needs the same version; "
            "run attach from the service's own image" % ((pid,) + version + tuple(sys.version_info[:2])))
    return route


def trigger(a: Attempt, route_wanted: str, program: str, nonce: str, start: Optional[int] = None,
            start_file: str = "") -> None:
    """Writes the program into the target and asks the interpreter to run it."""
    a.route = _route_for(a.pid, route_wanted, start)
    a.start_file = start_file
    a.ptrace_allowed = route_wanted != "remote_exec"
    a.dir = PrivateDir(a.pid, "%s-%d" % (nonce, a.pid))
    program_path = a.dir.write("program.py", program)
    a.boot = attach_program.bootstrap(program_path, a.dir.inside, nonce, start_file)
    if a.route == "remote_exec":
        a.boot_path = a.dir.write("boot.py", a.boot)
    fire(a)


def fire(a: Attempt) -> None:
    """Asks the interpreter to run the bootstrap at its next eval-breaker check."""
    started = time.monotonic()
    if a.route == "remote_exec":
        try:
            a.facts["route"], _ = attach_remote.remote_exec(a.pid, a.boot_path, a.boot)
        except attach_remote.Refused as e:
            # Denied memory access (a seccomp profile without process_vm_readv, as Docker 20.10's):
            # the pending call needs only ptrace and /proc/<pid>/mem. Remote debugging turned
            # off is the service's choice and is respected.
            if e.kind != attach_remote.DENIED or not a.ptrace_allowed:
                raise
            a.facts["remote_exec_refused"] = str(e)
            a.route = "ptrace"
    if a.route == "ptrace":
        from pycov_harvest_remote import attach_arch, attach_inject, attach_ptrace
        try:
            a.facts.update(attach_inject.add_pending_call(
                a.pid, attach_arch.machine_arch(), a.boot.encode(), TRIGGER_TIMEOUT))
        except attach_ptrace.PtraceError as e:
            raise attach_remote.Refused("the kernel refused to let this process trace pid %d (%s): %s"
                                        % (a.pid, e, attach_remote.PTRACE_FIX), attach_remote.DENIED) from e
        a.facts["route"] = "ptrace"
    a.facts["trigger_ms"] = int((time.monotonic() - started) * 1000)


def _read_answer(a: Attempt) -> Optional[Dict[str, Any]]:
    assert a.dir is not None
    try:
        with open(os.path.join(a.dir.here, attach_program.ANSWER)) as f:
            value = json.load(f)
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _again(a: Attempt) -> None:
    """The process was in the middle of an import: ask once more, a moment later."""
    assert a.dir is not None
    a.answer = None
    a.facts["busy"] = a.facts.get("busy", 0) + 1
    os.remove(os.path.join(a.dir.here, attach_program.ANSWER))
    time.sleep(BUSY_PAUSE)
    try:
        fire(a)
    except Exception as e:
        a.refusal = "attach to pid %d failed on a second try: %s: %s" % (a.pid, type(e).__name__, e)


def collect(attempts: List[Attempt], deadline: float) -> None:
    """Polls for every answer, waking idle loops; bounded by deadline."""
    waiting = [a for a in attempts if not a.refusal]
    started = time.monotonic()
    next_wake = started + WAKE_AFTER
    while waiting and time.monotonic() < deadline:
        for a in list(waiting):
            a.answer = _read_answer(a)
            if a.answer is not None and a.answer.get("status") == "busy":
                _again(a)
                if a.refusal:
                    waiting.remove(a)
            elif a.answer is not None:
                a.facts["answer_ms"] = int((time.monotonic() - started) * 1000)
                waiting.remove(a)
        if waiting and time.monotonic() >= next_wake:
            for a in waiting:
                a.facts["wakes"] = a.facts.get("wakes", 0) + attach_wake.wake(a.pid)
            next_wake = time.monotonic() + WAKE_EVERY
        if waiting:
            time.sleep(POLL)


def verdict(a: Attempt, nonce: str, t0: float, timeout: float) -> str:
    """'' when the answer and the data file confirm a save made now; else the refusal sentence."""
    if a.refusal:
        return a.refusal
    answer = a.answer
    if answer is None:
        return ("pid %d did not answer within %.0f s: its main thread ran no Python code (blocked in a C "
                "call, or no listening socket to wake it); use the agent, or sigterm" % (a.pid, timeout))
    if answer.get("nonce") != nonce or answer.get("pid") != a.pid:
        return "pid %d answered for another attach (nonce or pid differ); retry" % a.pid
    if answer.get("status") == "no-coverage" and a.start_file:
        a.cause = NO_COVERAGE
        return ("pid %d runs no coverage and could not start it (measuring from now needs Python 3.14+ "
                "with coverage installed in the service's environment); install coverage in the image, "
                "or run the server under `coverage run`" % a.pid)
    if answer.get("status") == "no-coverage":
        a.cause = NO_COVERAGE
        return ("pid %d runs no coverage (no coverage.Coverage.current()); start it with `coverage run` "
                "or the agent" % a.pid)
    if answer.get("status") == "started":
        return ""
    if answer.get("status") != "saved":
        return "pid %d could not save its coverage: %s" % (a.pid, answer.get("error", "no reason given"))
    path = "/proc/%d/root%s" % (a.pid, answer.get("data_file", ""))
    try:
        st = os.stat(path)
    except OSError as e:
        return "pid %d saved %s, but it is not there (%s); check the data directory" % (
            a.pid, answer.get("data_file"), e.strerror)
    # A save with nothing new to add leaves the file as it was (sys.monitoring core): then it must
    # be exactly as the save left it. Otherwise it must have been written since the attach.
    if st.st_mtime < t0 - MTIME_SLACK and st.st_mtime != answer.get("mtime"):
        return "pid %d answered, but %s was not written since the attach; retry" % (a.pid, answer["data_file"])
    return ""


def _nonce(args: Dict[str, Any]) -> str:
    return str(args.get("nonce") or binascii.hexlify(os.urandom(8)).decode())


def main(args: Dict[str, Any]) -> int:
    pids = [int(p) for p in require(args, "pids", list)]
    timeout = float(args.get("timeout", 10))
    nonce = _nonce(args)
    # {"<pid>": start ticks} as the harvest program saw them: a pid reused since is refused.
    starts = dict((str(k), int(v)) for k, v in dict(args.get("starts") or {}).items())
    program = str(args.get("program") or program_source())
    start_file = str(args.get("start") or "")
    t0 = time.time()
    deadline = time.monotonic() + timeout
    attempts = [Attempt(pid) for pid in pids]
    for a in attempts:
        try:
            trigger(a, str(args.get("route", "auto")), program, nonce, starts.get(str(a.pid)), start_file)
        except (attach_remote.Refused, TargetError) as e:
            a.refusal = str(e)
            a.cause = getattr(e, "kind", "")
        except Exception as e:  # the injector's own failure: reported, never a crash of the chain
            a.refusal = "attach to pid %d failed: %s: %s" % (a.pid, type(e).__name__, e)
    collect(attempts, deadline)
    for a in attempts:
        problem = verdict(a, nonce, t0, timeout)
        if a.dir is not None:
            a.dir.remove()
        answer = a.answer or {}
        if problem:
            emit("refused", pid=a.pid, reason=problem, cause=a.cause, **a.facts)
        elif answer.get("status") == "started":
            emit("started", pid=a.pid, data_file=answer.get("data_file", ""),
                 coverage=answer.get("coverage"), core=answer.get("core"), **a.facts)
        else:
            emit("attached", pid=a.pid, data_file=answer["data_file"], bytes=answer["bytes"],
                 coverage=answer.get("coverage"), core=answer.get("core"), python=answer.get("python"),
                 started=answer.get("started"), **a.facts)
    return EXIT_OK
