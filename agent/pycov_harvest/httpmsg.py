"""HTTP/1.1 messages of the agent's listener: parsing a request head within its bounds,
and writing an answer, whole or streamed in chunks (httpserve.py serves them)."""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs, urlsplit

MAX_HEAD = 16 << 10
MAX_BODY = 64 << 10
STREAM_CHUNK = 64 << 10

_METHOD = re.compile(r"[A-Z]{1,16}")
_DIGITS = re.compile(r"[0-9]{1,19}")
_REASONS = {
    200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
    408: "Request Timeout", 411: "Length Required", 413: "Content Too Large",
    431: "Request Header Fields Too Large", 500: "Internal Server Error", 503: "Service Unavailable",
    504: "Gateway Timeout", 505: "HTTP Version Not Supported",
}


class HTTPError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Request:
    method: str
    target: str
    version: str
    headers: dict
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    def query(self) -> dict:
        parsed = parse_qs(urlsplit(self.target).query, max_num_fields=32)
        return {k: v[-1] for k, v in parsed.items()}


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    # For a streamed answer: called with a writer that has .write(bytes).
    stream: Callable | None = None
    headers: dict = field(default_factory=dict)


def json_response(status: int, payload: dict) -> Response:
    return Response(status, json.dumps(payload).encode() + b"\n")


def error_response(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


def find_head_end(buf: bytearray) -> tuple[int, int]:
    """(end of the head, start of the body), or (-1, -1)."""
    crlf = buf.find(b"\r\n\r\n")
    lf = buf.find(b"\n\n")
    if crlf >= 0 and (lf < 0 or crlf <= lf):
        return crlf, crlf + 4
    if lf >= 0:
        return lf, lf + 2
    return -1, -1


def parse_head(raw: bytes) -> tuple[Request, int]:
    """The request line and headers; (request without body, body length). Raises HTTPError."""
    lines = raw.decode("latin-1").replace("\r\n", "\n").split("\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not _METHOD.fullmatch(parts[0]) or not parts[1].startswith("/"):
        raise HTTPError(400, "malformed request line: expected e.g. `POST /pycov-harvest/flush HTTP/1.1`")
    method, target, version = parts
    if version not in ("HTTP/1.0", "HTTP/1.1"):
        raise HTTPError(505, f"unsupported protocol {version[:20]!r}: use HTTP/1.1")
    headers: dict = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip() or len(headers) >= 100:
            raise HTTPError(400, "malformed header line")
        key = name.lower()
        value = value.strip()
        if key in headers and key == "content-length" and headers[key] != value:
            raise HTTPError(400, "conflicting Content-Length headers")
        headers[key] = value
    if "transfer-encoding" in headers:
        raise HTTPError(411, "chunked request bodies are not supported: send the body with Content-Length")
    length_text = headers.get("content-length", "0")
    if not _DIGITS.fullmatch(length_text):
        raise HTTPError(400, f"Content-Length {length_text[:30]!r} is not a number of bytes")
    length = int(length_text)
    if length > MAX_BODY:
        raise HTTPError(413, f"the body is larger than {MAX_BODY} bytes")
    return Request(method, target, version, headers), length


def head_bytes(response: Response, request: Request | None, length: int | None) -> bytes:
    lines = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Unknown')}",
             f"Content-Type: {response.content_type}", "Connection: close", "Server: pycov-harvest"]
    for name, value in response.headers.items():
        lines.append(f"{name}: {value}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    elif request is not None and request.version == "HTTP/1.1":
        lines.append("Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class _ChunkedWriter:
    """Buffers writes into STREAM_CHUNK-sized HTTP chunks (or raw bytes for HTTP/1.0)."""

    def __init__(self, sock: socket.socket, chunked: bool):
        self.sock = sock
        self.chunked = chunked
        self.buffer = bytearray()

    def write(self, data) -> int:
        self.buffer += data
        if len(self.buffer) >= STREAM_CHUNK:
            self._send()
        return len(data)

    def flush(self) -> None:
        pass

    def _send(self) -> None:
        if not self.buffer:
            return
        if self.chunked:
            self.sock.sendall(b"%x\r\n" % len(self.buffer) + bytes(self.buffer) + b"\r\n")
        else:
            self.sock.sendall(bytes(self.buffer))
        self.buffer = bytearray()

    def close(self) -> None:
        self._send()
        if self.chunked:
            self.sock.sendall(b"0\r\n\r\n")


def write(sock: socket.socket, response: Response, request: Request | None) -> None:
    if response.stream is None:
        sock.sendall(head_bytes(response, request, len(response.body)) + response.body)
        return
    chunked = request is not None and request.version == "HTTP/1.1"
    sock.sendall(head_bytes(response, request, None))
    writer = _ChunkedWriter(sock, chunked)
    response.stream(writer)
    writer.close()  # only after a whole stream: a cut-off answer lacks the last chunk


def close(sock: socket.socket) -> None:
    try:
        sock.close()
    except OSError:
        pass
