"""The attacker inside a service container (the hostile-target e2e suite): it plants files in the
data directory for the action's own programs to read, and runs a fake agent listener on the
container network that proxies the real agent but answers `GET /data` with crafted tar streams.

    python3 attacker.py plant SPEC_JSON     plant what SPEC lists (a JSON list of actions)
    python3 attacker.py clean               remove everything planted so far
    python3 attacker.py fake-agent PORT REAL_PORT
                                            the fake listener; reads /tmp/hostile-route.json
                                            on every request (what to forge)

Everything the action must refuse or neutralize carries the marker `PWN`."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import socket
import sqlite3
import stat
import sys
import tarfile
import time
import urllib.request
from typing import Any, Dict, List, Optional, Tuple

PLANTED = "/tmp/hostile-planted.txt"
ROUTE = "/tmp/hostile-route.json"
MANIFEST = ".pycov-harvest-manifest.json"


def remember(path: str) -> None:
    with open(PLANTED, "a") as f:
        f.write(json.dumps(path) + "\n")


def coverage_data(path: str, files: Dict[str, List[int]], contexts: Dict[str, Dict[str, List[int]]],
                  arcs: bool) -> None:
    """A valid coverage.py data file (the container's own coverage.py writes it) measuring `files`
    (name -> lines), and, under each named context, more files."""
    from coverage import CoverageData

    data = CoverageData(basename=path)

    def add(measured: Dict[str, List[int]]) -> None:
        if arcs:
            data.add_arcs({name: [(-1, lines[0])] + list(zip(lines, lines[1:])) + [(lines[-1], -1)]
                           for name, lines in measured.items()})
        else:
            data.add_lines(measured)

    if files:
        add(files)
    for context, measured in contexts.items():
        data.set_context(context)
        add(measured)
    data.write()


def raw_sql(path: str, script: str, params: List[Tuple[str, List[Any]]]) -> None:
    """A data file built by SQL: an odd schema, views, triggers, hostile values."""
    db = sqlite3.connect(path)
    db.executescript(script)
    for statement, values in params:
        db.execute(statement, values)
    db.commit()
    db.close()


def copy_real(path: str) -> None:
    """A byte copy of the service's newest real data file, under another name."""
    real = sorted((e for e in os.scandir("/coverdata") if e.name.startswith(".coverage.") and e.is_file()
                   and "hostile" not in e.name and "PWN" not in e.name), key=lambda e: e.stat().st_mtime)
    if not real:  # nothing saved yet: a data file of its own, as the service's would be
        coverage_data(path, {"/app/src/__init__.py": [1]}, {}, True)
        return
    with open(real[-1].path, "rb") as src, open(path, "wb") as dst:
        dst.write(src.read())


def plant(spec: List[Dict[str, Any]]) -> None:
    for action in spec:
        kind = action["kind"]
        path = os.path.join(action.get("dir", "/coverdata"), action["name"]) if "name" in action else ""
        if kind == "data":
            coverage_data(path, action.get("files", {}), action.get("contexts", {}), action.get("arcs", True))
        elif kind == "copy-real":
            copy_real(path)
        elif kind == "sql":
            raw_sql(path, action["script"], [(s, v) for s, v in action.get("params", [])])
        elif kind == "bytes":
            with open(path, "wb") as f:
                f.write(action["text"].encode("utf-8"))
        elif kind == "symlink":
            os.symlink(action["to"], path)
        elif kind == "hardlink":
            os.link(action["to"], path)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "chardev":
            try:
                os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            except PermissionError:  # podman's default capabilities have no MKNOD (Docker's have)
                continue
        elif kind == "sparse":
            # A real data file grown (sparse) to `size`: its SQLite header still checks out.
            copy_real(path)
            with open(path, "r+b") as f:
                f.truncate(action["size"])
        elif kind == "many":
            for i in range(action["count"]):
                one = "%s%d" % (path, i)
                with open(one, "wb") as f:
                    f.write(b"x" * action.get("bytes", 0))
                remember(one)
            continue
        elif kind == "registration":
            reg = dict(action["json"])
            reg["host"] = socket.gethostname()
            with open(path, "w") as f:
                json.dump(reg, f)
        else:
            raise SystemExit("unknown kind %r" % kind)
        if kind not in ("symlink", "fifo", "chardev", "hardlink"):
            os.chmod(path, 0o666)  # the service user (1001) reads what root planted
        remember(path)


def clean() -> None:
    try:
        with open(PLANTED) as f:
            paths = [json.loads(line) for line in f if line.strip()]
    except OSError:
        return
    for path in paths:
        try:
            os.unlink(path)
        except OSError:
            pass
    os.unlink(PLANTED)


# ---------------------------------------------------------------------------------------------
# The fake agent listener.

def route_config() -> Dict[str, Any]:
    try:
        with open(ROUTE) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def member(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, link: str = "",
           size: Optional[int] = None) -> bytes:
    """One tar entry, names and types as given (tarfile's own writer, no sanitizing)."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.size = len(data) if size is None else size
    info.mtime = int(time.time())
    info.mode = 0o644
    if kind in (tarfile.CHRTYPE, tarfile.BLKTYPE):
        info.devmajor, info.devminor = 1, 3
    head = info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
    if size is not None:
        return head  # a header that announces more than will ever come
    pad = (512 - len(data) % 512) % 512
    return head + data + b"\0" * pad


def manifest_entry(name: str, data: bytes) -> Dict[str, Any]:
    return {"name": name, "size": len(data), "mtime": time.time(), "sha256": hashlib.sha256(data).hexdigest()}


def forged_stream(real: bytes, mode: str) -> bytes:
    """The real agent's stream, with the hostile entries of `mode` first and the manifest rewritten."""
    files: List[Tuple[str, bytes]] = []
    manifest: Dict[str, Any] = {"version": 1, "files": [], "skipped": []}
    with tarfile.open(fileobj=io.BytesIO(real), mode="r|") as tar:
        for info in tar:
            data = tar.extractfile(info).read() if info.isfile() else b""  # type: ignore[union-attr]
            if info.name == MANIFEST:
                manifest = json.loads(data)
            else:
                files.append((info.name, data))
    out = b""
    one = files[0][1] if files else b""
    if mode == "dotdot":
        out += member("../../pwn-dotdot-PWN", b"PWN")
    elif mode == "absolute":
        out += member("/tmp/pwn-absolute-PWN", b"PWN")
    elif mode == "symlink":
        out += member(".coverage.PWN-symlink", kind=tarfile.SYMTYPE, link="/etc/passwd")
    elif mode == "hardlink":
        out += member(".coverage.PWN-hardlink", kind=tarfile.LNKTYPE, link="../../../etc/passwd")
    elif mode == "chardev":
        out += member(".coverage.PWN-device", kind=tarfile.CHRTYPE)
    elif mode == "fifo":
        out += member(".coverage.PWN-fifo", kind=tarfile.FIFOTYPE)
    elif mode == "command-name":
        name = ".coverage.x\n::error title=PWN::PWN entry name"
        out += member(name, one)
        manifest["files"].append(manifest_entry(name, one))
    elif mode == "manifest-lie":
        manifest["files"].append({"name": ".coverage.lost\n::error::PWN manifest\n::stop-commands::pwnstop",
                                  "size": 1, "mtime": 0, "sha256": "0" * 64})
    elif mode == "huge":
        out += member(".coverage.PWN-huge", size=1 << 40)
        return out  # the announced terabyte never comes: the stream just ends
    elif mode == "tiny":
        empty = hashlib.sha256(b"").hexdigest()
        for i in range(12_000):
            name = ".coverage.tiny%d" % i
            out += member(name)
            manifest["files"].append({"name": name, "size": 0, "mtime": 0, "sha256": empty})
    for name, data in files:
        out += member(name, data)
    out += member(MANIFEST, json.dumps(manifest).encode())
    return out + b"\0" * 1024


class FakeAgent(http.server.BaseHTTPRequestHandler):
    real_port = 0
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write("fake-agent: " + (format % args) + "\n")

    def proxy(self, method: str, body: Optional[bytes]) -> Tuple[int, bytes]:
        request = urllib.request.Request("http://127.0.0.1:%d%s" % (self.real_port, self.path), data=body,
                                         method=method)
        for header in ("Authorization", "Content-Type"):
            if self.headers.get(header):
                request.add_header(header, self.headers[header])
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        config = route_config()
        status, body = self.proxy("GET", None)
        if self.path.endswith("/status") and status == 200:
            answer = json.loads(body)
            for process in answer.get("processes", []):
                process.update(config.get("status", {}))
            body = json.dumps(answer).encode()
            body += b" " * int(config.get("status_pad", 0))
        elif self.path.endswith("/data") and status == 200 and config.get("data"):
            body = forged_stream(body, config["data"])
        self.answer(status, body)

    def do_POST(self) -> None:
        config = route_config()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if self.path.endswith("/flush") and config.get("flush"):
            self.answer(200, json.dumps(config["flush"]).encode())
            return
        status, answer = self.proxy("POST", body)
        self.answer(status, answer)


def fake_agent(port: int, real_port: int) -> None:
    FakeAgent.real_port = real_port
    server = http.server.ThreadingHTTPServer(("0.0.0.0", port), FakeAgent)
    server.serve_forever()


def main() -> None:
    command = sys.argv[1]
    if command == "plant":
        plant(json.loads(sys.argv[2]))
    elif command == "clean":
        clean()
    elif command == "fake-agent":
        fake_agent(int(sys.argv[2]), int(sys.argv[3]))
    else:
        raise SystemExit("usage: attacker.py plant SPEC | clean | fake-agent PORT REAL_PORT")


if __name__ == "__main__":
    main()
