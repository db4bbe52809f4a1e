"""Where `attach` takes a thread over: a point proven safe on the stopped thread's own state.

Two ways to reach one (docs/attach.md, "Safety"):
- the thread was already waiting inside a listed system call when it stopped (an idle loop);
- it was running Python code: it is followed, system call by system call, to the entry of its
  next listed one (a busy loop enters epoll_wait on every turn). That call is cancelled, the
  thread taken over at its exit, and the registers restored at the end issue it again.
Either way the thread is at a system call boundary in a libc wrapper."""

from __future__ import annotations

import ctypes
import errno
import signal
import time

from pycov_harvest_remote.attach_arch import Arch
from pycov_harvest_remote.attach_ptrace import PTRACE_EVENT_STOP, PTRACE_SYSCALL, PtraceError, StopTimeout, Tracee

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Optional

SYSCALL_STOP = signal.SIGTRAP | 0x80
# A thread in user code is followed through at most this many system calls (each costs it two
# stops) before it is let go; the caller tries again later.
MAX_FOLLOWED = 400
PARK_TIMEOUT = 1.0


class Point:
    """base: the registers to build on; at: a system call instruction to reuse; restore: the
    registers (and FP state) that put the thread back as it was; name: the system call."""

    def __init__(self, name: str, at: int, base: ctypes.Structure, restore: ctypes.Structure,
                 fpregs: bytes) -> None:
        self.name = name
        self.at = at
        self.base = base
        self.restore = restore
        self.fpregs = fpregs


def waiting(t: Tracee, arch: Arch, regs: ctypes.Structure) -> Optional[Point]:
    """The point if the stopped thread is inside a listed system call, else None."""
    width = len(arch.syscall_insn)
    pc = arch.pc(regs)
    name = arch.in_waiting_syscall(regs, t.read(pc, width))
    at = arch.syscall_address(regs, t.read(pc - width, width), t.read(pc, width))
    if not name or not at:
        return None
    return Point(name, at, regs, regs, t.get_fpregs())


def _next_syscall_stop(t: Tracee, deadline: float) -> None:
    sig = 0
    while True:
        t.resume(PTRACE_SYSCALL, sig)
        got, event = t.wait(deadline)
        if got == SYSCALL_STOP:
            return
        sig = got if event == 0 and got != signal.SIGTRAP else 0


def _park(t: Tracee) -> None:
    """Stops a thread that ran on past our deadline (blocked in an unlisted call), untouched,
    so that it can be detached."""
    t.interrupt()
    deadline = time.monotonic() + PARK_TIMEOUT
    while t.wait(deadline)[1] != PTRACE_EVENT_STOP:
        t.resume(PTRACE_SYSCALL)


def follow(t: Tracee, arch: Arch, deadline: float) -> Optional[Point]:
    """Follows a thread stopped in user code to the entry of its next listed system call."""
    for _ in range(MAX_FOLLOWED):
        if time.monotonic() >= deadline:
            return None
        try:
            _next_syscall_stop(t, deadline)
        except StopTimeout:
            _park(t)
            return None
        try:
            nr = t.syscall_entry()
        except PtraceError as e:
            if e.errno in (errno.EIO, errno.EINVAL):  # a kernel before 5.3: no following
                return None
            raise
        if nr not in arch.waiting_syscalls:
            continue
        entry = t.get_regs(arch.regs_type)
        fpregs = t.get_fpregs()
        width = len(arch.syscall_insn)
        at = arch.pc(entry) - width
        if t.read(at, width) != arch.syscall_insn:
            continue
        skipped = type(entry).from_buffer_copy(entry)
        if arch.skip_syscall(skipped):
            t.set_regs(skipped)
        else:
            t.set_arm64_syscall(-1)
        _next_syscall_stop(t, deadline)  # the skipped call's exit
        return Point(arch.waiting_syscalls[nr], at, t.get_regs(arch.regs_type), arch.reissue(entry, at), fpregs)
    return None
