"""coverage.py data files in a data directory: which names are data files, and
which files may leave the directory.

Shared by the agent and the programs the action runs inside targets (they are
bundled from this very file), so it is standard library only and runs on
Python 3.8+.
"""

from __future__ import annotations

import os
import stat
import struct

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Dict, List, Optional, Tuple

    DataFile = Dict[str, object]  # {"name": str, "size": int, "mtime": float}
    Skipped = Dict[str, object]  # {"name": str, "size": int, "reason": str}

SIDE_SUFFIXES = (
    "-journal",
    "-wal",
    "-shm",
)
SQLITE_HEADER = b"SQLite format 3\x00"
# The agent's registry lives beside the data files; it is never data.
REGISTRY = ".pycov-harvest"


def is_data_file_name(name: str) -> bool:
    """`.coverage` (coverage run without `parallel`) or `.coverage.<suffix>`,
    never one of SQLite's side files."""
    if name != ".coverage" and not name.startswith(".coverage."):
        return False
    return not name.endswith(SIDE_SUFFIXES)


def sqlite_problem(head: bytes, size: int) -> Optional[str]:
    """Why the first 100 bytes of a file of `size` bytes are not a whole SQLite
    database, or None when they are."""
    if size == 0:
        return "empty (0 bytes)"
    if not head.startswith(SQLITE_HEADER):
        return "not an SQLite database (no SQLite header)"
    if len(head) < 100:
        return "truncated (%d bytes, shorter than the SQLite header)" % size
    page_size = struct.unpack(">H", head[16:18])[0]
    if page_size == 1:
        page_size = 65536
    change_counter, = struct.unpack(">I", head[24:28])
    pages, = struct.unpack(">I", head[28:32])
    valid_for, = struct.unpack(">I", head[92:96])
    if page_size < 512 or page_size & (page_size - 1):
        return "not an SQLite database (page size %d)" % page_size
    # The in-header page count is trustworthy only when written by the same
    # transaction as the change counter (SQLite >= 3.7.0 always does).
    if pages and valid_for == change_counter and size < pages * page_size:
        return "truncated (%d of %d bytes)" % (size, pages * page_size)
    if size % page_size:
        return "truncated (%d bytes, not a whole number of %d-byte pages)" % (size, page_size)
    return None


def inspect_open_file(fd: int) -> Tuple[os.stat_result, Optional[str]]:
    """(stat, None) for an open data file that may leave the directory, else (stat, reason)."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        return st, "not a regular file"
    if st.st_nlink != 1:
        return st, "hard-linked (%d links), so not a file coverage.py wrote here" % st.st_nlink
    return st, sqlite_problem(os.pread(fd, 100, 0), st.st_size)


def open_data_file(path: str) -> int:
    """Opens without following a symlink and without blocking on a FIFO."""
    return os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def too_large(size: int, max_file_bytes: Optional[int]) -> Optional[str]:
    """The reason a file of `size` bytes stays, when the reader's bound for one
    data file is given and it is larger."""
    if max_file_bytes is not None and size > max_file_bytes:
        return "larger than %d bytes (the bound for one data file)" % max_file_bytes
    return None


def scan(data_dir: str, max_file_bytes: Optional[int] = None,
         max_files: Optional[int] = None) -> Tuple[List[DataFile], List[Skipped]]:
    """The data files that may leave `data_dir` (regular, single-link, whole
    SQLite files with a data-file name), and everything else in it with the
    reason it stays. SQLite side files and the agent's registry are not listed.
    The action's programs pass its bounds: a file over `max_file_bytes`, and
    every file after the first `max_files`, stay with that reason."""
    accepted: List[DataFile] = []
    skipped: List[Skipped] = []
    try:
        names = sorted(os.listdir(data_dir))
    except OSError:
        return accepted, skipped
    for name in names:
        if name == REGISTRY or (name.startswith(".coverage") and name.endswith(SIDE_SUFFIXES)):
            continue
        path = os.path.join(data_dir, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue  # removed meanwhile
        if not is_data_file_name(name):
            skipped.append({"name": name, "size": st.st_size, "reason": "not a coverage data file name"})
            continue
        if not stat.S_ISREG(st.st_mode):
            skipped.append({"name": name, "size": st.st_size, "reason": _kind(st.st_mode)})
            continue
        try:
            fd = open_data_file(path)
        except OSError as e:
            skipped.append({"name": name, "size": st.st_size, "reason": "unreadable (%s)" % (e.strerror or e)})
            continue
        try:
            fst, problem = inspect_open_file(fd)
        except OSError as e:
            fst, problem = None, "unreadable (%s)" % (e.strerror or e)
        finally:
            os.close(fd)
        size = fst.st_size if fst is not None else st.st_size
        problem = problem or too_large(size, max_file_bytes)
        if problem is None and max_files is not None and len(accepted) >= max_files:
            problem = "over the %d data files taken from one target" % max_files
        if problem is not None:
            skipped.append({"name": name, "size": size, "reason": problem})
        else:
            accepted.append({"name": name, "size": size, "mtime": fst.st_mtime if fst is not None else st.st_mtime})
    return accepted, skipped
