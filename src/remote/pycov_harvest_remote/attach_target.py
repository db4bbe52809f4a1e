"""Facts about a process `attach` is about to enter: its Python version, its
user, and a private directory inside its file system for the program and the answer."""

from __future__ import annotations

import os
import re
import shutil
import struct

from pycov_harvest_remote import attach_elf

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import List, Optional, Tuple

VERSION_IN_PATH = re.compile(r"python(3)\.(\d+)")
# Where the private directory may go, in order: /tmp is usual; /dev/shm stays writable under a
# read-only root file system; the process's working directory is the last resort.
DIR_CANDIDATES = ("/tmp", "/dev/shm")
DIR_PREFIX = "pycov-harvest-attach-"


class TargetError(Exception):
    """The process cannot be entered as it is; the message names the fix."""


def python_version(pid: int) -> Optional[Tuple[int, int]]:
    """(major, minor) of the interpreter in pid: Py_Version (3.11+) or the paths it maps."""
    try:
        found = attach_elf.resolve(pid, ["Py_Version"])
        if found:
            with open("/proc/%d/mem" % pid, "rb") as mem:
                mem.seek(found["Py_Version"])
                hexversion = struct.unpack("<I", mem.read(4))[0]
            return hexversion >> 24, (hexversion >> 16) & 0xFF
    except (OSError, attach_elf.ElfError, struct.error):
        pass
    paths = [os.readlink("/proc/%d/exe" % pid)]
    with open("/proc/%d/maps" % pid) as maps:
        paths += [line.split(None, 5)[-1] for line in maps if "python3." in line]
    for path in paths:
        match = VERSION_IN_PATH.search(path)
        if match:
            return int(match.group(1)), int(match.group(2))
    return None


def owner(pid: int) -> Tuple[int, int]:
    """(effective uid, effective gid) of pid."""
    uid = gid = -1
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Uid:"):
                uid = int(line.split()[2])
            elif line.startswith("Gid:"):
                gid = int(line.split()[2])
    return uid, gid


class PrivateDir:
    """A directory only the service's uid can enter, seen from here and from inside the target."""

    def __init__(self, pid: int, nonce: str) -> None:
        self.pid = pid
        self.inside = ""
        self.here = ""
        uid, gid = owner(pid)
        root = "/proc/%d/root" % pid
        bases: List[str] = list(DIR_CANDIDATES)
        try:
            bases.append(os.readlink("/proc/%d/cwd" % pid))
        except OSError:
            pass
        problems = []
        for base in bases:
            inside = os.path.join(base, DIR_PREFIX + nonce)
            here = root + inside
            try:
                os.mkdir(here, 0o700)
            except OSError as e:
                problems.append("%s: %s" % (base, e.strerror))
                continue
            try:
                if os.geteuid() != uid:
                    os.chown(here, uid, gid)
            except OSError as e:
                os.rmdir(here)
                problems.append("%s: chown: %s" % (base, e.strerror))
                continue
            self.inside, self.here = inside, here
            return
        raise TargetError("no writable directory for the answer in pid %d's file system (%s); mount an "
                          "emptyDir or tmpfs at /tmp" % (pid, "; ".join(problems)))

    def write(self, name: str, text: str) -> str:
        """Writes a file readable only by the service's uid; returns its path inside the target."""
        path = os.path.join(self.here, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        uid, gid = owner(self.pid)
        if os.geteuid() != uid:
            os.chown(path, uid, gid)
        return os.path.join(self.inside, name)

    def remove(self) -> None:
        if self.here:
            shutil.rmtree(self.here, ignore_errors=True)
