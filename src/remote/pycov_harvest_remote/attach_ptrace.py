"""ptrace through ctypes: seize one thread, stop it, read and write its registers
and memory, run it until a chosen stop, and let it go. Every wait is bounded.

Only the one thread taken over stops; the process's other threads keep running."""

from __future__ import annotations

import ctypes
import os
import signal
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, List, Optional, Tuple, Type

PTRACE_CONT = 7
PTRACE_DETACH = 17
PTRACE_SYSCALL = 24
PTRACE_GETSIGINFO = 0x4202
PTRACE_GETREGSET = 0x4204
PTRACE_SETREGSET = 0x4205
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
PTRACE_O_TRACESYSGOOD = 1
PTRACE_EVENT_STOP = 128
PTRACE_GET_SYSCALL_INFO = 0x420E
PTRACE_SYSCALL_INFO_ENTRY = 1
NT_PRSTATUS = 1
NT_PRFPREG = 2
NT_ARM_SYSTEM_CALL = 0x404
WALL = 0x40000000
WNOHANG = 1
# Large enough for x86_64's fxsave area (512) and aarch64's user_fpsimd_state (528).
FPREGS_SIZE = 1024
POLL = 0.0005


class PtraceError(Exception):
    """A ptrace request failed; errno says why (EPERM: not allowed to trace)."""

    def __init__(self, what: str, err: int) -> None:
        Exception.__init__(self, "%s: %s" % (what, os.strerror(err)))
        self.errno = err


class StopTimeout(Exception):
    """The traced thread did not reach the expected stop in time."""


class ThreadGone(Exception):
    """The traced thread exited (the process ended) while we held it."""


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class SigInfo(ctypes.Structure):
    # siginfo_t's head on 64-bit Linux; for SIGSEGV the fault address follows at offset 16.
    _fields_ = [("signo", ctypes.c_int), ("errno", ctypes.c_int), ("code", ctypes.c_int),
                ("pad", ctypes.c_int), ("addr", ctypes.c_uint64), ("rest", ctypes.c_byte * 104)]


_ptrace: List[Any] = []


def _libc_ptrace() -> Any:
    """libc's ptrace(), loaded on first use (the programs' loader runs every bundled module)."""
    if not _ptrace:
        call = ctypes.CDLL(None, use_errno=True).ptrace
        call.restype = ctypes.c_long
        call.argtypes = [ctypes.c_long, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
        _ptrace.append(call)
    return _ptrace[0]


def _call(what: str, request: int, tid: int, addr: int, data: Optional[int]) -> None:
    ctypes.set_errno(0)
    if _libc_ptrace()(request, tid, addr, data) == -1:
        err = ctypes.get_errno()
        if err:
            raise PtraceError(what, err)


class Tracee:
    """One seized thread of another process."""

    def __init__(self, pid: int, tid: int) -> None:
        self.pid = pid
        self.tid = tid
        self.attached = False
        self.mem_fd = -1

    def seize(self) -> None:
        _call("PTRACE_SEIZE", PTRACE_SEIZE, self.tid, 0, PTRACE_O_TRACESYSGOOD)
        self.attached = True

    def interrupt(self) -> None:
        _call("PTRACE_INTERRUPT", PTRACE_INTERRUPT, self.tid, 0, 0)

    def wait(self, deadline: float) -> Tuple[int, int]:
        """(stop signal, ptrace event) of the next stop; raises StopTimeout or ThreadGone."""
        while True:
            try:
                tid, status = os.waitpid(self.tid, WALL | WNOHANG)
            except ChildProcessError:
                raise ThreadGone("thread %d is gone" % self.tid) from None
            if tid == self.tid:
                if os.WIFEXITED(status) or os.WIFSIGNALED(status):
                    self.attached = False
                    raise ThreadGone("thread %d exited" % self.tid)
                if os.WIFSTOPPED(status):
                    return os.WSTOPSIG(status), status >> 16
            if time.monotonic() >= deadline:
                raise StopTimeout("thread %d did not stop in time" % self.tid)
            time.sleep(POLL)

    def resume(self, request: int = PTRACE_CONT, sig: int = 0) -> None:
        _call("PTRACE_CONT", request, self.tid, 0, sig)

    def detach(self, sig: int = 0) -> None:
        if self.attached:
            self.attached = False
            _call("PTRACE_DETACH", PTRACE_DETACH, self.tid, 0, sig)

    def _regset(self, request: int, note: int, buf: ctypes.Array) -> int:  # type: ignore[type-arg]
        iov = IoVec(ctypes.cast(buf, ctypes.c_void_p), ctypes.sizeof(buf))
        _call("PTRACE_GETREGSET" if request == PTRACE_GETREGSET else "PTRACE_SETREGSET",
              request, self.tid, note, ctypes.addressof(iov))
        return int(iov.len)

    def get_regs(self, regs_type: Type[ctypes.Structure]) -> ctypes.Structure:
        buf = (ctypes.c_char * ctypes.sizeof(regs_type))()
        self._regset(PTRACE_GETREGSET, NT_PRSTATUS, buf)
        return regs_type.from_buffer_copy(buf)

    def set_regs(self, regs: ctypes.Structure) -> None:
        buf = (ctypes.c_char * ctypes.sizeof(regs)).from_buffer_copy(regs)
        self._regset(PTRACE_SETREGSET, NT_PRSTATUS, buf)

    def get_fpregs(self) -> bytes:
        buf = (ctypes.c_char * FPREGS_SIZE)()
        size = self._regset(PTRACE_GETREGSET, NT_PRFPREG, buf)
        return bytes(buf.raw[:size])

    def set_fpregs(self, data: bytes) -> None:
        buf = (ctypes.c_char * len(data)).from_buffer_copy(data)
        self._regset(PTRACE_SETREGSET, NT_PRFPREG, buf)

    def syscall_entry(self) -> int:
        """At a system call stop: the number of the call being entered, or -1 at an exit (Linux 5.3+)."""
        info = (ctypes.c_uint64 * 11)()
        _call("PTRACE_GET_SYSCALL_INFO", PTRACE_GET_SYSCALL_INFO, self.tid, ctypes.sizeof(info),
              ctypes.addressof(info))
        return int(info[3]) if info[0] & 0xFF == PTRACE_SYSCALL_INFO_ENTRY else -1

    def set_arm64_syscall(self, nr: int) -> None:
        buf = (ctypes.c_char * 4).from_buffer_copy(ctypes.c_int32(nr))
        self._regset(PTRACE_SETREGSET, NT_ARM_SYSTEM_CALL, buf)

    def fault_address(self) -> int:
        info = SigInfo()
        _call("PTRACE_GETSIGINFO", PTRACE_GETSIGINFO, self.tid, 0, ctypes.addressof(info))
        return int(info.addr)

    def _mem(self) -> int:
        # /proc/<pid>/mem, not process_vm_readv/writev: it needs only the ptrace attachment we
        # hold and writes through read-only mappings' copy-on-write like a debugger does.
        if self.mem_fd < 0:
            self.mem_fd = os.open("/proc/%d/mem" % self.pid, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
        return self.mem_fd

    def read(self, address: int, size: int) -> bytes:
        return os.pread(self._mem(), size, address)

    def write(self, address: int, data: bytes) -> None:
        if os.pwrite(self._mem(), data, address) != len(data):
            raise PtraceError("write to /proc/%d/mem" % self.pid, 5)

    def close(self) -> None:
        if self.mem_fd >= 0:
            os.close(self.mem_fd)
            self.mem_fd = -1


def run_until(t: Tracee, deadline: float, request: int, want_sig: int) -> None:
    """Resumes t with `request` until it stops with want_sig; passes any other signal through."""
    sig = 0
    while True:
        t.resume(request, sig)
        got, event = t.wait(deadline)
        if got == want_sig and event == 0:
            return
        # A signal meant for the thread: deliver it (its frame saves and restores our state).
        sig = got if event == 0 and got not in (signal.SIGTRAP, want_sig & 0x7F) else 0
