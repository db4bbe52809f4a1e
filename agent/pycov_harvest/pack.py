"""The data files as a tar stream with a manifest (for `GET /data` and `pack`);
see tarstream.py."""

from __future__ import annotations

import io

from pycov_harvest import tarstream


def write_tar(data_dir: str, out) -> int:
    """Write the data files and the manifest to `out`; returns how many files."""
    return len(tarstream.write(data_dir, out)["files"])  # type: ignore[arg-type]


def tar_bytes(data_dir: str) -> bytes:
    buffer = io.BytesIO()
    tarstream.write(data_dir, buffer)
    return buffer.getvalue()
