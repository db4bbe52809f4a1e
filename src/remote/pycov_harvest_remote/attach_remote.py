"""Python 3.14+: sys.remote_exec (PEP 768), and its refusals as one sentence each."""

from __future__ import annotations

import errno
import os
import shutil
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Tuple

PTRACE_FIX = ("run attach with CAP_SYS_PTRACE (`--cap-add SYS_PTRACE` for docker and compose, "
              "`securityContext.capabilities.add: [SYS_PTRACE]` in Kubernetes), or use the agent")


# Why a refusal happened, as a field (the caller decides on it, never on the text).
DISABLED = "disabled"  # the service turned remote debugging off: respected, no other way tried
DENIED = "denied"  # the kernel refused memory access or tracing: another route may be allowed


class Refused(Exception):
    """The interpreter or the kernel refused the attach; the message names the cause and the fix."""

    def __init__(self, message: str, kind: str = "") -> None:
        Exception.__init__(self, message)
        self.kind = kind


def kind_of(pid: int, error: BaseException) -> str:
    text = explain(pid, error)
    if "remote debugging turned off" in text:
        return DISABLED
    if text.startswith("the kernel refused"):
        return DENIED
    return ""


def explain(pid: int, error: BaseException) -> str:
    """One sentence with the cause and the fix for a failed sys.remote_exec."""
    text = str(error)
    low = text.lower()
    if "not enabled" in low or "disable" in low or "remote debugging is not" in low:
        return ("pid %d has remote debugging turned off (PYTHON_DISABLE_REMOTE_DEBUG, "
                "-X disable-remote-debug, or a build --without-remote-debug): remove that setting, "
                "or use the agent" % pid)
    if "version" in low or "mismatch" in low or "offsets" in low:
        return ("pid %d runs another Python than this injector's %d.%d (%s): run attach from the "
                "service's own image" % (pid, sys.version_info[0], sys.version_info[1], text))
    err = getattr(error, "errno", None)
    if err in (errno.EPERM, errno.EACCES) or "permission" in low or "not permitted" in low:
        return "the kernel refused to let this process read or write pid %d's memory (%s): %s" % (
            pid, text, PTRACE_FIX)
    if err == errno.ESRCH or "no such process" in low:
        return "pid %d exited before attach reached it" % pid
    return "sys.remote_exec(%d) failed: %s" % (pid, text)


def _local_copy(script_inside: str, text: str) -> str:
    """sys.remote_exec checks that the script exists here too; from another container (another
    root) a copy at the same path, removed once the call returned. '' when none was needed."""
    if os.path.exists(script_inside):
        return ""
    os.makedirs(os.path.dirname(script_inside), 0o700)
    fd = os.open(script_inside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return script_inside


def remote_exec(pid: int, script_inside: str, text: str) -> Tuple[str, str]:
    """Asks pid to run the script at its next eval-breaker check; ("remote_exec", python version)."""
    call = getattr(sys, "remote_exec", None)
    if call is None:
        raise Refused("this injector's Python %d.%d has no sys.remote_exec (3.14+): run attach from the "
                      "service's own image" % sys.version_info[:2])
    copy = _local_copy(script_inside, text)
    try:
        call(pid, script_inside)
    except Exception as e:
        raise Refused(explain(pid, e), kind_of(pid, e)) from e
    finally:
        if copy:
            shutil.rmtree(os.path.dirname(copy), ignore_errors=True)
    return "remote_exec", "%d.%d" % sys.version_info[:2]
