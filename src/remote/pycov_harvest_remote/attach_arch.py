"""Registers and system call numbers of the two architectures `attach` injects on.

x86_64 is tested on real processes; aarch64 follows the kernel's user_pt_regs
and the generic system call table, and is untested (see docs/attach.md)."""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Dict, FrozenSet, Type

# Kernel-internal errors a system call interrupted by a ptrace stop returns (include/linux/errno.h);
# the kernel turns them into a restart or EINTR when the thread resumes with the registers we saved.
RESTART_ERRORS = frozenset([-errno.EINTR, -512, -513, -514, -516])
PROT_READ_WRITE = 0x1 | 0x2
MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20
# Below the stack pointer the thread may keep data (x86_64's 128-byte red zone): the call frame
# we build starts well below it.
STACK_GAP = 512


class UnsupportedArch(Exception):
    """This machine is neither x86_64 nor aarch64."""


class X8664Regs(ctypes.Structure):
    """struct user_regs_struct (arch/x86/include/uapi/asm/ptrace.h, 64-bit)."""

    _fields_ = [(name, ctypes.c_uint64) for name in (
        "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx",
        "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base", "gs_base", "ds",
        "es", "fs", "gs")]


class Arm64Regs(ctypes.Structure):
    """struct user_pt_regs (arch/arm64/include/uapi/asm/ptrace.h)."""

    _fields_ = [("x", ctypes.c_uint64 * 31), ("sp", ctypes.c_uint64), ("pc", ctypes.c_uint64),
                ("pstate", ctypes.c_uint64)]


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


class Arch:
    """What the injector needs to know about one architecture."""

    name = ""
    regs_type: Type[ctypes.Structure] = ctypes.Structure
    syscall_insn = b""
    mmap_nr = 0
    # System calls in which a thread of CPython waits with the GIL released: the only places
    # `attach` takes a thread over. futex is among them: a thread waits there for a lock (a
    # threading.Lock, the GIL, malloc's arena), and what we run takes only the pending-calls
    # lock, which CPython never holds while it waits for another (docs/attach.md, "Safety").
    waiting_syscalls: Dict[int, str] = {}

    def pc(self, regs: ctypes.Structure) -> int:
        raise NotImplementedError

    def sp(self, regs: ctypes.Structure) -> int:
        raise NotImplementedError

    def in_waiting_syscall(self, regs: ctypes.Structure, code_at_pc: bytes) -> str:
        """The name of the waiting system call the stopped thread is in, or ''."""
        raise NotImplementedError

    def syscall_address(self, regs: ctypes.Structure, code_before: bytes, code_at: bytes) -> int:
        """Address of the system call instruction the thread was stopped at (to reuse it)."""
        raise NotImplementedError

    def set_syscall(self, regs: ctypes.Structure, at: int, nr: int, *args: int) -> None:
        raise NotImplementedError

    def syscall_result(self, regs: ctypes.Structure) -> int:
        raise NotImplementedError

    def skip_syscall(self, regs: ctypes.Structure) -> bool:
        """At a system call's entry stop: makes the kernel skip it. False when this architecture
        needs another register set for that (aarch64's NT_ARM_SYSTEM_CALL)."""
        raise NotImplementedError

    def reissue(self, entry: ctypes.Structure, at: int) -> ctypes.Structure:
        """Registers that, restored, make the thread issue again the system call it was entering."""
        raise NotImplementedError

    def set_call(self, regs: ctypes.Structure, func: int, stack: int, *args: int) -> int:
        """Sets up a call of func(args) returning to address 0; returns where to write the 0 (or -1)."""
        raise NotImplementedError

    def call_result(self, regs: ctypes.Structure) -> int:
        raise NotImplementedError


class X8664(Arch):
    name = "x86_64"
    regs_type = X8664Regs
    syscall_insn = b"\x0f\x05"
    mmap_nr = 9
    waiting_syscalls = {232: "epoll_wait", 281: "epoll_pwait", 441: "epoll_pwait2", 23: "select",
                        270: "pselect6", 7: "poll", 271: "ppoll", 43: "accept", 288: "accept4",
                        35: "nanosleep", 230: "clock_nanosleep", 61: "wait4", 247: "waitid",
                        202: "futex", 0: "read", 45: "recvfrom", 47: "recvmsg"}

    def pc(self, regs: ctypes.Structure) -> int:
        return int(regs.rip)  # type: ignore[attr-defined]

    def sp(self, regs: ctypes.Structure) -> int:
        return int(regs.rsp)  # type: ignore[attr-defined]

    def in_waiting_syscall(self, regs: ctypes.Structure, code_at_pc: bytes) -> str:
        # orig_rax is the number of the system call the thread is in, -1 outside of one.
        return self.waiting_syscalls.get(_signed(regs.orig_rax), "")  # type: ignore[attr-defined]

    def syscall_address(self, regs: ctypes.Structure, code_before: bytes, code_at: bytes) -> int:
        # Stopped on the way out of a system call, rip is just past its `syscall` instruction.
        return self.pc(regs) - 2 if code_before == self.syscall_insn else 0

    def set_syscall(self, regs: ctypes.Structure, at: int, nr: int, *args: int) -> None:
        r = regs
        r.rip, r.rax, r.orig_rax = at, nr, (1 << 64) - 1  # type: ignore[attr-defined]
        for name, value in zip(("rdi", "rsi", "rdx", "r10", "r8", "r9"), args):
            setattr(r, name, value & ((1 << 64) - 1))

    def syscall_result(self, regs: ctypes.Structure) -> int:
        return _signed(regs.rax)  # type: ignore[attr-defined]

    def skip_syscall(self, regs: ctypes.Structure) -> bool:
        regs.orig_rax = (1 << 64) - 1  # type: ignore[attr-defined]
        return True

    def reissue(self, entry: ctypes.Structure, at: int) -> ctypes.Structure:
        regs = type(entry).from_buffer_copy(entry)
        # At an entry stop rax reads -ENOSYS; the number is in orig_rax. Back onto the `syscall`
        # with the number in rax, and no restart for the kernel to apply on the way out.
        regs.rip, regs.rax, regs.orig_rax = at, entry.orig_rax, (1 << 64) - 1  # type: ignore[attr-defined]
        return regs

    def set_call(self, regs: ctypes.Structure, func: int, stack: int, *args: int) -> int:
        r = regs
        # orig_rax -1: no system call to restart when the thread resumes into our call.
        r.rip, r.orig_rax, r.rax = func, (1 << 64) - 1, 0  # type: ignore[attr-defined]
        r.eflags &= ~0x400  # type: ignore[attr-defined]  # the ABI wants the direction flag clear
        for name, value in zip(("rdi", "rsi", "rdx", "rcx", "r8", "r9"), args):
            setattr(r, name, value)
        # At a function's first instruction rsp + 8 is 16-byte aligned; [rsp] is the return address.
        r.rsp = (stack & ~0xF) - 8  # type: ignore[attr-defined]
        return int(r.rsp)  # type: ignore[attr-defined]

    def call_result(self, regs: ctypes.Structure) -> int:
        return ctypes.c_int32(regs.rax & 0xFFFFFFFF).value  # type: ignore[attr-defined]


SVC_0 = struct.pack("<I", 0xD4000001)


class Arm64(Arch):
    name = "aarch64"
    regs_type = Arm64Regs
    syscall_insn = SVC_0
    mmap_nr = 222
    waiting_syscalls = {22: "epoll_pwait", 441: "epoll_pwait2", 72: "pselect6", 73: "ppoll",
                        202: "accept", 242: "accept4", 101: "nanosleep", 115: "clock_nanosleep",
                        260: "wait4", 95: "waitid", 98: "futex", 63: "read", 207: "recvfrom",
                        212: "recvmsg"}

    def pc(self, regs: ctypes.Structure) -> int:
        return int(regs.pc)  # type: ignore[attr-defined]

    def sp(self, regs: ctypes.Structure) -> int:
        return int(regs.sp)  # type: ignore[attr-defined]

    def in_waiting_syscall(self, regs: ctypes.Structure, code_at_pc: bytes) -> str:
        # By the time a tracer sees the stop the kernel has already forgotten the system call
        # number (and, for a restart, moved pc back onto the `svc`); x8 still holds it, as the
        # `svc` just before (EINTR) or at (restart) pc read it.
        return self.waiting_syscalls.get(int(regs.x[8]), "")  # type: ignore[attr-defined]

    def syscall_address(self, regs: ctypes.Structure, code_before: bytes, code_at: bytes) -> int:
        if code_at == SVC_0:
            return self.pc(regs)
        return self.pc(regs) - 4 if code_before == SVC_0 else 0

    def set_syscall(self, regs: ctypes.Structure, at: int, nr: int, *args: int) -> None:
        r = regs
        r.pc = at  # type: ignore[attr-defined]
        r.x[8] = nr  # type: ignore[attr-defined]
        for i, value in enumerate(args):
            r.x[i] = value & ((1 << 64) - 1)  # type: ignore[attr-defined]

    def syscall_result(self, regs: ctypes.Structure) -> int:
        return _signed(regs.x[0])  # type: ignore[attr-defined]

    def skip_syscall(self, regs: ctypes.Structure) -> bool:
        return False

    def reissue(self, entry: ctypes.Structure, at: int) -> ctypes.Structure:
        regs = type(entry).from_buffer_copy(entry)
        # x0..x5 and x8 still hold the call's arguments and number at its entry stop. x7 reads
        # the kernel's entry marker there, not its value; glibc's wrappers keep nothing in x7
        # (caller-saved) across `svc`.
        regs.pc = at  # type: ignore[attr-defined]
        return regs

    def set_call(self, regs: ctypes.Structure, func: int, stack: int, *args: int) -> int:
        r = regs
        r.pc = func  # type: ignore[attr-defined]
        for i, value in enumerate(args):
            r.x[i] = value  # type: ignore[attr-defined]
        r.x[30] = 0  # type: ignore[attr-defined]  # the link register: return to address 0
        r.sp = stack & ~0xF  # type: ignore[attr-defined]
        return -1

    def call_result(self, regs: ctypes.Structure) -> int:
        return ctypes.c_int32(regs.x[0] & 0xFFFFFFFF).value  # type: ignore[attr-defined]


def machine_arch() -> Arch:
    machine = platform.machine()
    if machine in ("x86_64", "amd64"):
        return X8664()
    if machine in ("aarch64", "arm64"):
        return Arm64()
    raise UnsupportedArch("attach injects on x86_64 and aarch64 only, not %s" % machine)


def waiting_names(arch: Arch) -> FrozenSet[str]:
    return frozenset(arch.waiting_syscalls.values())
