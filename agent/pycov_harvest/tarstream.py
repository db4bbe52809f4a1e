"""The one packer of data files: a tar stream that ends with a manifest.

Used by the agent (`GET /pycov-harvest/data`, `python -m pycov_harvest pack`)
and by the action's in-target pack program (bundled from this very file), so
it is standard library only and runs on Python 3.8+.

Files are streamed, never read whole into memory. A process may rewrite its
data file while it is being read; such a copy would be a corrupt database, so
each file is checked (size, mtime, inode) after its bytes were sent and sent
again when it changed. The last entry, `MANIFEST_NAME`, lists for every data
file the size and SHA-256 of its good copy, and every file that stayed behind
with the reason. A reader keeps only entries that match the manifest, and
treats a stream without one as cut off.
"""

from __future__ import annotations

import json
import os

from pycov_harvest import datafiles

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    import tarfile
    from typing import Dict, List, Optional, Tuple

MANIFEST_NAME = ".pycov-harvest-manifest.json"
MANIFEST_VERSION = 1
CHUNK = 1 << 20
ATTEMPTS = 3


class _Source:
    """Reads exactly `size` bytes from `fd` for tarfile, hashing them; pads with
    zeros when the file shrank meanwhile (the copy is then marked as changed)."""

    def __init__(self, fd: int, size: int):
        import hashlib

        self.fd = fd
        self.left = size
        self.sha = hashlib.sha256()
        self.short = False

    def read(self, n: int = -1) -> bytes:
        want = self.left if n is None or n < 0 else min(n, self.left)
        parts = []
        got = 0
        while got < want:
            chunk = b"" if self.short else os.read(self.fd, min(want - got, CHUNK))
            if not chunk:
                self.short = True
                chunk = b"\0" * (want - got)
            parts.append(chunk)
            got += len(chunk)
        data = b"".join(parts)
        self.sha.update(data)
        self.left -= len(data)
        return data


def _same(before: os.stat_result, after: os.stat_result) -> bool:
    return (before.st_ino, before.st_size, before.st_mtime_ns) == (after.st_ino, after.st_size, after.st_mtime_ns)


def _send_once(tar: tarfile.TarFile, path: str, name: str,
               max_file_bytes: Optional[int] = None) -> Tuple[Optional[Dict[str, object]], Optional[str]]:
    """Streams one copy of the file. Returns (manifest entry, None) when the copy
    is good, (None, reason) when it must not be used."""
    import tarfile

    fd = datafiles.open_data_file(path)
    try:
        before, problem = datafiles.inspect_open_file(fd)
        problem = problem or datafiles.too_large(before.st_size, max_file_bytes)
        if problem is not None:
            return None, problem
        info = tarfile.TarInfo(name)
        info.size = before.st_size
        info.mtime = before.st_mtime
        info.mode = 0o644
        source = _Source(fd, before.st_size)
        tar.addfile(info, source)  # type: ignore[arg-type]
        after = os.fstat(fd)
        try:
            renamed = not _same(os.stat(path), after)
        except OSError:
            renamed = True
    finally:
        os.close(fd)
    if source.short or not _same(before, after) or renamed:
        return None, "changed while being read"
    entry: Dict[str, object] = {
        "name": name,
        "size": before.st_size,
        "mtime": before.st_mtime,
        "sha256": source.sha.hexdigest(),
    }
    return entry, None


def write(data_dir: str, out, max_file_bytes: Optional[int] = None,
          max_files: Optional[int] = None) -> Dict[str, object]:
    """Writes the data files of `data_dir` and the manifest to the binary stream
    `out` as an uncompressed tar stream; returns the manifest. The bounds, when
    given, are the reader's (datafiles.scan): what is over them stays, with the
    reason in the manifest."""
    # Imported here, not with the module: tarfile (shutil, bz2, lzma) and hashlib are a good part of
    # the in-target harvest program's start, which packs only when asked to.
    import io
    import tarfile

    accepted, skipped = datafiles.scan(data_dir, max_file_bytes, max_files)
    files: List[Dict[str, object]] = []
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for item in accepted:
            name = str(item["name"])
            reason = "changed while being read"
            for _ in range(ATTEMPTS):
                try:
                    entry, reason_now = _send_once(tar, os.path.join(data_dir, name), name, max_file_bytes)
                except OSError as e:
                    entry, reason_now = None, "unreadable (%s)" % (e.strerror or e)
                if entry is not None:
                    files.append(entry)
                    break
                reason = reason_now or reason
                if reason_now != "changed while being read":
                    break
            else:
                reason = "changed while being read (%d attempts)" % ATTEMPTS
            if entry is None:
                skipped.append({"name": name, "size": item["size"], "reason": reason})
        manifest = {"version": MANIFEST_VERSION, "files": files, "skipped": skipped}
        body = json.dumps(manifest).encode()
        info = tarfile.TarInfo(MANIFEST_NAME)
        info.size = len(body)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(body))
    return manifest
