"""The `http` method from inside the target: POST the flush to the agent's
loopback listener, with the listener process's own token when it has one.

The client is a few lines on `socket` rather than urllib.request, whose import
alone costs more than the rest of the harvest program's start: the server is
always the agent's own listener (agent/pycov_harvest/httpserve.py), which
answers one request per connection, with Content-Length (or chunked for a
stream), then closes."""

from __future__ import annotations

import json
import socket

from pycov_harvest import procfs

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple

    from pycov_harvest_remote.registry import Registration

MAX_BODY = 1 << 20
MAX_HEAD = 64 << 10


class BadResponse(Exception):
    """The listener's answer is not HTTP this client understands."""


def listener_of(agents: List[Registration]) -> Optional[Registration]:
    return next((reg for reg in agents if isinstance(reg.get("port"), int)), None)


def token_of(reg: Registration) -> Optional[str]:
    return procfs.environ(reg["pid"]).get("PYCOV_HARVEST_TOKEN") or None


def _recv_until_closed(sock: socket.socket, buf: bytearray, limit: int) -> None:
    while len(buf) < limit:
        chunk = sock.recv(65536)
        if not chunk:
            return
        buf += chunk


def _head(sock: socket.socket, buf: bytearray) -> Tuple[int, Dict[str, str], bytearray]:
    """Reads one response head from `buf` (receiving more as needed): (status,
    lower-cased headers, the bytes after the head)."""
    while True:
        end = buf.find(b"\r\n\r\n")
        if end >= 0:
            break
        if len(buf) > MAX_HEAD:
            raise BadResponse("the answer's head is larger than %d bytes" % MAX_HEAD)
        chunk = sock.recv(65536)
        if not chunk:
            if not buf:
                raise BadResponse("the listener closed the connection without an answer")
            raise BadResponse("the answer ended inside its head: %r" % bytes(buf[:200]))
        buf += chunk
    lines = bytes(buf[:end]).decode("latin-1").split("\r\n")
    parts = lines[0].split(None, 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise BadResponse("not an HTTP status line: %r" % lines[0][:200])
    headers: Dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers, buf[end + 4:]


def _dechunk(sock: socket.socket, buf: bytearray) -> bytes:
    """The body of a chunked answer (at most MAX_BODY bytes of it)."""
    body = bytearray()
    while len(body) < MAX_BODY:
        while b"\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                return bytes(body)  # cut off: what came is what the caller gets
            buf += chunk
        line, _, rest = bytes(buf).partition(b"\r\n")
        try:
            size = int(line.split(b";")[0].strip() or b"x", 16)
        except ValueError:
            raise BadResponse("malformed chunk size %r" % line[:40]) from None
        if size == 0:
            break
        buf[:] = rest
        while len(buf) < size + 2:
            chunk = sock.recv(65536)
            if not chunk:
                body += buf[:size]
                return bytes(body[:MAX_BODY])
            buf += chunk
        body += buf[:size]
        del buf[:size + 2]
    return bytes(body[:MAX_BODY])


def exchange(port: int, method: str, path: str, headers: Dict[str, str], data: Optional[bytes],
             timeout: float) -> Tuple[int, bytes]:
    """One request to 127.0.0.1:port; (status, body: at most MAX_BODY bytes). Raises
    OSError (refused, reset, timed out: `timeout` bounds the connect and every read)
    or BadResponse."""
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1:%d" % port, "Connection: close",
             "Accept-Encoding: identity"]
    lines.extend("%s: %s" % item for item in headers.items())
    if data is not None:
        lines.append("Content-Length: %d" % len(data))
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (data or b"")
    # A literal address and connect(): no name lookup (and no idna codec to import).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(("127.0.0.1", port))
        buf = bytearray()
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            # The listener may answer (413, 431) and close before reading all of it.
            _recv_until_closed(sock, buf, MAX_HEAD)
            if not buf:
                raise
        status, found, buf = _head(sock, buf)
        while 100 <= status < 200:  # an interim answer (100 Continue): the real one follows
            status, found, buf = _head(sock, buf)
        length = found.get("content-length")
        if length is not None and length.isdigit():
            want = min(int(length), MAX_BODY)
            while len(buf) < want:
                chunk = sock.recv(min(want - len(buf), 65536))
                if not chunk:
                    break  # cut off: what came is what the caller gets
                buf += chunk
            return status, bytes(buf[:want])
        if "chunked" in found.get("transfer-encoding", "").lower():
            return status, _dechunk(sock, buf)
        _recv_until_closed(sock, buf, MAX_BODY)  # no length: the body ends with the connection
        return status, bytes(buf[:MAX_BODY])
    finally:
        sock.close()


def post(port: int, path: str, body: Optional[Dict[str, Any]], token: Optional[str], timeout: float) -> Tuple[Optional[int], Any, str]:
    """(HTTP status or None, parsed JSON or None, error text)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = json.dumps(body).encode() if body is not None else None
    try:
        status, payload = exchange(port, "POST" if data is not None else "GET", "/pycov-harvest/" + path,
                                   headers, data, timeout)
    except socket.timeout:
        return None, None, "TimeoutError: no answer within %g s" % timeout
    except Exception as e:  # refused, reset, a broken answer: the listener is not there
        return None, None, "%s: %s" % (type(e).__name__, e)
    try:
        return status, json.loads(payload.decode("utf-8")), ""
    except ValueError:
        return status, None, payload[:200].decode("utf-8", "replace")


def flush(agents: List[Registration], timeout: float, reset: bool = False) -> Tuple[bool, str]:
    owner = listener_of(agents)
    if owner is None:
        return False, "the agent's HTTP listener is off in every process (PYCOV_HARVEST_PORT=off)"
    port = owner["port"]
    body: Dict[str, Any] = {"timeout": timeout, "reset": True} if reset else {"timeout": timeout}
    status, result, error = post(port, "flush", body, token_of(owner), timeout + 10)
    if status is None:
        return False, "cannot reach the agent on 127.0.0.1:%d (%s)" % (port, error)
    if status == 200 and isinstance(result, dict) and result.get("ok") is True:
        acks = result.get("acks")
        count = len(acks) if isinstance(acks, list) else 0
        return True, "%d agent process(es) acknowledged flush #%s%s through the listener on 127.0.0.1:%d" % (
            count, result.get("seq", "?"), " (reset)" if reset else "", port)
    missing = result.get("missing") if isinstance(result, dict) else None
    reasons = "; ".join(
        "pid %s: %s" % (m.get("pid"), m.get("reason")) for m in missing if isinstance(m, dict)
    ) if isinstance(missing, list) else ""
    if status == 401:
        return False, "the agent on 127.0.0.1:%d refused the token of pid %d (HTTP 401)" % (port, owner["pid"])
    text = (" (%s)" % reasons) if reasons else ((" (%s)" % result.get("error")) if isinstance(result, dict) and result.get("error") else "")
    return False, "the agent on 127.0.0.1:%d answered HTTP %d%s" % (port, status, text)
