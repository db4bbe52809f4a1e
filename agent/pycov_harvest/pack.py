"""The data files as a plain ustar stream (for `GET /data` and `pack`)."""

from __future__ import annotations

import io
import os
import tarfile

from pycov_harvest import files


def write_tar(data_dir: str, out) -> int:
    """Write every data file to `out` as a tar stream; returns how many."""
    count = 0
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.USTAR_FORMAT) as tar:
        for path in files.data_files(data_dir):
            try:
                if not os.path.isfile(path) or os.path.islink(path):
                    continue
                # Read whole first: a process may rewrite the file meanwhile.
                with open(path, "rb") as f:
                    content = f.read()
                mtime = os.path.getmtime(path)
            except OSError:
                continue  # renamed or removed by its process meanwhile
            info = tarfile.TarInfo(os.path.basename(path))
            info.size = len(content)
            info.mtime = int(mtime)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(content))
            count += 1
    return count


def tar_bytes(data_dir: str) -> bytes:
    buffer = io.BytesIO()
    write_tar(data_dir, buffer)
    return buffer.getvalue()
