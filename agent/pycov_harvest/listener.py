"""The loopback HTTP listener (docs/protocol.md, "Triggers"): a route table on
the bounded server of httpserve.py."""

from __future__ import annotations

import hmac
import json
from typing import Callable, Dict, Tuple

from pycov_harvest import contexts, fanout, tarstream
from pycov_harvest.httpmsg import HTTPError, Request, Response, error_response, json_response
from pycov_harvest.httpserve import Server
from pycov_harvest.messages import check_context_name
from pycov_harvest.settings import Settings

PREFIX = "/pycov-harvest"
DEFAULT_TIMEOUT = 5.0

Handler = Callable[["Listener", Request], Response]


def _flag(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
        return value.strip().lower() in ("1", "true", "yes", "on")
    raise HTTPError(400, f"{name} must be true or false")


def json_options(request: Request) -> dict:
    """The query parameters, overridden by a JSON object body."""
    options: dict = request.query()
    if request.body.strip():
        try:
            body = json.loads(request.body)
        except (ValueError, RecursionError):
            raise HTTPError(400, 'the body must be a JSON object like {"reset": false, "timeout": 5}') from None
        if not isinstance(body, dict):
            raise HTTPError(400, 'the body must be a JSON object like {"reset": false, "timeout": 5}')
        options.update(body)
    return options


def _flush(listener: "Listener", request: Request) -> Response:
    options = json_options(request)
    try:
        timeout = fanout.check_timeout(options.get("timeout", DEFAULT_TIMEOUT))
    except (TypeError, ValueError, OverflowError):
        raise HTTPError(400, f"timeout must be a number of seconds above 0 and at most {fanout.MAX_TIMEOUT:g}") from None
    reset = _flag(options.get("reset", False), "reset")
    s = listener.settings
    result = fanout.flush(s.data_dir, reset=reset, timeout=timeout, trigger="http", token=s.token,
                          save_signal=s.save_signal)
    return json_response(504 if result["missing"] else 200, result)


def _context(listener: "Listener", request: Request) -> Response:
    options = json_options(request)
    try:
        timeout = fanout.check_timeout(options.get("timeout", DEFAULT_TIMEOUT))
    except (TypeError, ValueError, OverflowError):
        raise HTTPError(400, f"timeout must be a number of seconds above 0 and at most {fanout.MAX_TIMEOUT:g}") from None
    if "context" not in options:
        raise HTTPError(400, 'name the context: {"context": "test_refund"} ("" returns to no context)')
    try:
        name = check_context_name(options["context"])
    except ValueError as e:
        raise HTTPError(400, str(e)) from None
    s = listener.settings
    result = contexts.switch(s.data_dir, name, timeout=timeout, trigger="http", token=s.token,
                             save_signal=s.save_signal)
    return json_response(504 if result["missing"] else 200, result)


def _status(listener: "Listener", request: Request) -> Response:
    return json_response(200, fanout.status(listener.settings.data_dir, listener.settings.token))


def _data(listener: "Listener", request: Request) -> Response:
    data_dir = listener.settings.data_dir
    return Response(200, content_type="application/x-tar", stream=lambda out: tarstream.write(data_dir, out))


# (method, path) -> handler. Another endpoint is one more line here.
ROUTES: Dict[Tuple[str, str], Handler] = {
    ("POST", PREFIX + "/flush"): _flush,
    ("POST", PREFIX + "/context"): _context,
    ("GET", PREFIX + "/status"): _status,
    ("GET", PREFIX + "/data"): _data,
}


class Listener:
    """Binds in the constructor (OSError when it cannot); serves from daemon threads."""

    def __init__(self, settings: Settings, port: int, routes: Dict[Tuple[str, str], Handler] | None = None):
        self.settings = settings
        self.routes = dict(ROUTES if routes is None else routes)
        self.server = Server(settings.host, port, self._handle)
        self.port = self.server.port

    def _authorized(self, request: Request) -> bool:
        token = self.settings.token
        if not token:
            return True
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode("latin-1"), f"Bearer {token}".encode("latin-1", "replace"))

    def _handle(self, request: Request) -> Response:
        if not self._authorized(request):
            return error_response(401, "missing or wrong token: send Authorization: Bearer <PYCOV_HARVEST_TOKEN>")
        handler = self.routes.get((request.method, request.path))
        if handler is None:
            allowed = sorted(m for (m, p) in self.routes if p == request.path)
            if allowed:
                return Response(405, json.dumps({"error": f"use {' or '.join(allowed)} for {request.path}"}).encode()
                                + b"\n", headers={"Allow": ", ".join(allowed)})
            return error_response(404, f"no such endpoint: {request.method} {request.path[:200]}")
        return handler(self, request)

    def start(self) -> None:
        self.server.start()

    def close_in_forked_child(self) -> None:
        self.server.close_in_forked_child()
