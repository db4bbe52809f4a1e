"""Below Python 3.14: hand the interpreter a pending call, through ptrace.

The one thread taken over is at a system call boundary of a listed waiting call
(epoll_wait, recvfrom, futex...), as its registers show once it is stopped
(attach_point): inside one, or at the entry of its next one. There it is not
inside malloc and holds no lock that what we run needs. In it we run exactly:

0. PyGILState_Check(), which only reads thread-local state: a thread that holds
   the GIL is let go untouched (only threads that released it are used);
1. an mmap system call (the thread's own `syscall`/`svc` instruction, reused)
   for one page that holds the bootstrap's text;
2. Py_AddPendingCall(PyRun_SimpleString, page): public C API documented as
   callable from any thread without the GIL; it takes only the pending-calls
   lock, which CPython never holds across a system call, and allocates nothing.

Then every register is put back and the thread resumes its system call (the
kernel restarts it, or returns EINTR, which CPython retries: PEP 475; a call
caught at its entry is issued again). The bootstrap runs later in the main
thread with the GIL, where the interpreter itself runs signal handlers (its
eval-breaker check), never inside our stop. The page (4 KiB) stays mapped: the
pending call reads it after we are gone."""

from __future__ import annotations

import errno
import os
import signal
import time

from pycov_harvest_remote import attach_elf, attach_point
from pycov_harvest_remote.attach_arch import MAP_PRIVATE_ANONYMOUS, PROT_READ_WRITE, STACK_GAP, Arch
from pycov_harvest_remote.attach_ptrace import (
    PTRACE_CONT, PTRACE_EVENT_STOP, PTRACE_SYSCALL, PtraceError, Tracee, run_until)

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict, List

SYMBOLS = ["Py_AddPendingCall", "PyRun_SimpleString", "PyGILState_Check"]
PAGE = 4096
# One stop, one system call and one short C call: each gets this long.
STEP_TIMEOUT = 2.0
# Py_AddPendingCall waits only for the pending-calls lock; past this the thread is stuck in it.
CALL_TIMEOUT = 5.0
RESCAN_PAUSE = 0.02
SYSCALL_STOP = signal.SIGTRAP | 0x80


class InjectError(Exception):
    """The pending call could not be placed; the message says why and what to do."""


class Moved(Exception):
    """The chosen thread reached no listed system call in time: try another, or again."""


def waiting_threads(pid: int, arch: Arch) -> List[int]:
    """Threads of pid now in a waiting system call, main thread last (it is the busiest)."""
    found = []
    for name in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/syscall" % (pid, name)) as f:
                head = f.read().split(" ", 1)[0]
        except OSError:
            continue
        if head.lstrip("-").isdigit() and int(head) in arch.waiting_syscalls:
            found.append(int(name))
    return sorted(found, key=lambda tid: (tid == pid, tid))


def _copy(regs: Any) -> Any:
    return type(regs).from_buffer_copy(regs)


def _stop(t: Tracee, deadline: float) -> None:
    """Stops a seized thread at a ptrace event stop, delivering any signal met on the way."""
    t.interrupt()
    sig, event = t.wait(deadline)
    while event != PTRACE_EVENT_STOP:
        t.resume(PTRACE_CONT, sig if event == 0 else 0)
        sig, event = t.wait(deadline)


def _mmap_page(t: Tracee, arch: Arch, saved: Any, at: int, size: int) -> int:
    regs = _copy(saved)
    arch.set_syscall(regs, at, arch.mmap_nr, 0, size, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0)
    t.set_regs(regs)
    deadline = time.monotonic() + STEP_TIMEOUT
    run_until(t, deadline, PTRACE_SYSCALL, SYSCALL_STOP)  # entering mmap
    run_until(t, deadline, PTRACE_SYSCALL, SYSCALL_STOP)  # leaving it
    result = arch.syscall_result(t.get_regs(arch.regs_type))
    if result < 0:
        raise InjectError("mmap in the target failed: %s" % os.strerror(-result))
    return result


def _call(t: Tracee, arch: Arch, saved: Any, func: int, *args: int) -> int:
    regs = _copy(saved)
    slot = arch.set_call(regs, func, arch.sp(saved) - STACK_GAP, *args)
    if slot >= 0:
        t.write(slot, b"\0" * 8)
    t.set_regs(regs)
    run_until(t, time.monotonic() + CALL_TIMEOUT, PTRACE_CONT, signal.SIGSEGV)
    after = t.get_regs(arch.regs_type)
    if arch.pc(after) != 0 or t.fault_address() != 0:
        raise InjectError("the injected call faulted at 0x%x; the service may be damaged: restart it"
                          % arch.pc(after))
    return arch.call_result(after)


def _inject_into(t: Tracee, arch: Arch, symbols: Dict[str, int], text: bytes) -> str:
    """Places the pending call from thread t; returns the waiting system call it was in."""
    deadline = time.monotonic() + STEP_TIMEOUT
    _stop(t, deadline)
    point = attach_point.waiting(t, arch, t.get_regs(arch.regs_type))
    if point is None:
        point = attach_point.follow(t, arch, deadline)
    if point is None:
        raise Moved()
    try:
        # PyGILState_Check reads thread-local state only. A thread that holds the GIL (a C
        # extension blocking without releasing it) is let go: on 3.13+ a contended
        # Py_AddPendingCall could release its GIL while its C code expects to hold it.
        if _call(t, arch, point.base, symbols["PyGILState_Check"]) != 0:
            raise Moved()
        size = (len(text) + 1 + PAGE - 1) // PAGE * PAGE
        page = _mmap_page(t, arch, point.base, point.at, size)
        t.write(page, text + b"\0")
        status = _call(t, arch, point.base, symbols["Py_AddPendingCall"], symbols["PyRun_SimpleString"], page)
        if status != 0:
            raise InjectError("Py_AddPendingCall refused (%d): the interpreter's queue of pending calls "
                              "is full or it is finalizing; retry later" % status)
    finally:
        t.set_regs(point.restore)
        t.set_fpregs(point.fpregs)
    return point.name + ("" if point.restore is point.base else " (entry)")


def add_pending_call(pid: int, arch: Arch, text: bytes, timeout: float) -> Dict[str, object]:
    """Queues `text` to run in pid's main thread; facts about how (thread, system call, time)."""
    symbols = attach_elf.resolve(pid, SYMBOLS)
    if symbols is None:
        raise InjectError("pid %d does not export Py_AddPendingCall, PyRun_SimpleString and PyGILState_Check: "
                          "not a CPython this injector can call; use the agent" % pid)
    deadline = time.monotonic() + timeout
    tries = 0
    while time.monotonic() < deadline:
        # A busy main thread is seldom caught waiting: it is then followed to its next wait.
        threads = waiting_threads(pid, arch)
        for tid in threads + ([] if pid in threads else [pid]):
            tries += 1
            t = Tracee(pid, tid)
            try:
                t.seize()
            except PtraceError as e:
                if e.errno == errno.ESRCH:  # the thread ended since the scan
                    continue
                raise
            try:
                syscall = _inject_into(t, arch, symbols, text)
                return {"tid": tid, "syscall": syscall, "tries": tries}
            except Moved:
                pass
            finally:
                t.detach()
                t.close()
        time.sleep(RESCAN_PAUSE)
    raise InjectError("no thread of pid %d waited in a system call within %.0f s (the process is busy "
                      "on the CPU); retry when it is idle, or use the agent" % (pid, timeout))

