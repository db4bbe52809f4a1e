"""The shared packer and data-file scan, on real files: what may leave the data
directory, and a file rewritten while it is read never yields a corrupt copy."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import tarfile

import pytest

from pycov_harvest import datafiles, tarstream


def make_db(path, rows: int = 1) -> bytes:
    db = sqlite3.connect(path)
    db.execute("create table t(x)")
    db.executemany("insert into t values (?)", [(i,) for i in range(rows)])
    db.commit()
    db.close()
    with open(path, "rb") as f:
        return f.read()


def unpack(stream: bytes):
    members = {}
    order = []
    with tarfile.open(fileobj=io.BytesIO(stream), mode="r|") as tar:
        for member in tar:
            data = tar.extractfile(member).read()
            order.append((member.name, data))
            members[member.name] = data
    return order, json.loads(members[tarstream.MANIFEST_NAME])


def pack(data_dir) -> bytes:
    out = io.BytesIO()
    tarstream.write(str(data_dir), out)
    return out.getvalue()


def test_only_whole_sqlite_data_files_leave(tmp_path):
    good = make_db(tmp_path / ".coverage.host.pid1.X1")
    bare = make_db(tmp_path / ".coverage")
    (tmp_path / ".coverage.text").write_bytes(b"not a database")
    (tmp_path / ".coverage.empty").write_bytes(b"")
    half = make_db(tmp_path / "half.db", rows=3000)
    (tmp_path / ".coverage.cut").write_bytes(half[: len(half) // 2])
    outside = tmp_path / "outside"
    outside.mkdir()
    make_db(outside / "secret.db")
    os.link(outside / "secret.db", tmp_path / ".coverage.linked")
    (tmp_path / ".coverage.sym").symlink_to(outside / "secret.db")
    os.mkfifo(tmp_path / ".coverage.fifo")
    (tmp_path / ".coverage.x-journal").write_bytes(b"side file")
    (tmp_path / ".pycov-harvest").mkdir()

    order, manifest = unpack(pack(tmp_path))

    sent = {name: data for name, data in order if name != tarstream.MANIFEST_NAME}
    assert sent == {".coverage": bare, ".coverage.host.pid1.X1": good}
    assert [f["name"] for f in manifest["files"]] == [".coverage", ".coverage.host.pid1.X1"]
    reasons = {s["name"]: s["reason"] for s in manifest["skipped"]}
    assert reasons["half.db"] == "not a coverage data file name"
    assert reasons[".coverage.text"].startswith("not an SQLite database")
    assert reasons[".coverage.empty"] == "empty (0 bytes)"
    assert reasons[".coverage.cut"].startswith("truncated")
    assert reasons[".coverage.linked"].startswith("hard-linked (2 links)")
    assert reasons[".coverage.sym"] == "a symbolic link"
    assert reasons[".coverage.fifo"] == "a FIFO"
    assert ".coverage.x-journal" not in reasons and ".pycov-harvest" not in reasons
    assert {s["name"]: s["size"] for s in manifest["skipped"]}[".coverage.cut"] == len(half) // 2


def test_manifest_hashes_match_the_bytes(tmp_path):
    import hashlib

    data = make_db(tmp_path / ".coverage.a", rows=500)
    order, manifest = unpack(pack(tmp_path))
    [entry] = manifest["files"]
    assert entry["size"] == len(data)
    assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert order[-1][0] == tarstream.MANIFEST_NAME


@pytest.mark.parametrize("change", ["shrink", "grow"])
def test_a_file_rewritten_while_read_is_sent_again_whole(tmp_path, monkeypatch, change):
    path = tmp_path / ".coverage.busy"
    first = make_db(path, rows=5000)
    rewrites = []
    real_read = os.read

    def read_then_rewrite(fd, n):
        chunk = real_read(fd, n)
        if not rewrites:  # the owning process rewrites its file mid-copy, once
            rewrites.append(1)
            path.unlink()
            make_db(path, rows=10 if change == "shrink" else 9000)
        return chunk

    monkeypatch.setattr(tarstream.os, "read", read_then_rewrite)
    monkeypatch.setattr(tarstream, "CHUNK", 4096)
    order, manifest = unpack(pack(tmp_path))
    final = path.read_bytes()
    assert final != first
    copies = [data for name, data in order if name == ".coverage.busy"]
    assert len(copies) == 2  # the torn copy, then the good one
    [entry] = manifest["files"]
    import hashlib

    assert entry["sha256"] == hashlib.sha256(final).hexdigest() == hashlib.sha256(copies[1]).hexdigest()
    assert hashlib.sha256(copies[0]).hexdigest() != entry["sha256"]


def test_a_file_that_never_settles_stays_behind_with_the_reason(tmp_path, monkeypatch):
    path = tmp_path / ".coverage.busy"
    make_db(path, rows=2000)
    real_read = os.read

    def always_rewrite(fd, n):
        chunk = real_read(fd, n)
        os.utime(path, ns=(1, os.stat(path).st_mtime_ns + 1_000_000))
        return chunk

    monkeypatch.setattr(tarstream.os, "read", always_rewrite)
    _, manifest = unpack(pack(tmp_path))
    assert manifest["files"] == []
    [skipped] = manifest["skipped"]
    assert skipped["name"] == ".coverage.busy"
    assert skipped["reason"] == "changed while being read (3 attempts)"


def test_scan_sees_a_missing_directory_as_empty(tmp_path):
    assert datafiles.scan(str(tmp_path / "nope")) == ([], [])


def test_the_readers_bounds_leave_files_behind_with_the_reason(tmp_path):
    for name in (".coverage.a", ".coverage.b", ".coverage.c"):
        make_db(tmp_path / name)
    big = make_db(tmp_path / ".coverage.big", rows=5000)
    out = io.BytesIO()
    manifest = tarstream.write(str(tmp_path), out, max_file_bytes=len(big) - 1, max_files=2)
    order, _ = unpack(out.getvalue())
    assert [name for name, _ in order] == [".coverage.a", ".coverage.b", tarstream.MANIFEST_NAME]
    assert {s["name"]: s["reason"] for s in manifest["skipped"]} == {
        ".coverage.big": "larger than %d bytes (the bound for one data file)" % (len(big) - 1),
        ".coverage.c": "over the 2 data files taken from one target",
    }
