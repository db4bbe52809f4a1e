"""The `http` method from inside the target: POST the flush to the agent's
loopback listener, with the listener process's own token when it has one."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Dict, List, Optional, Tuple

from pycov_harvest import procfs

from pycov_harvest_remote.registry import Registration


def listener_of(agents: List[Registration]) -> Optional[Registration]:
    return next((reg for reg in agents if isinstance(reg.get("port"), int)), None)


def token_of(reg: Registration) -> Optional[str]:
    return procfs.environ(reg["pid"]).get("PYCOV_HARVEST_TOKEN") or None


def post(port: int, path: str, body: Optional[Dict[str, Any]], token: Optional[str], timeout: float) -> Tuple[Optional[int], Any, str]:
    """(HTTP status or None, parsed JSON or None, error text)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        "http://127.0.0.1:%d/pycov-harvest/%s" % (port, path),
        data=data,
        headers=headers,
        method="POST" if data is not None else "GET",
    )
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
        status, payload = response.status, response.read(1 << 20)
    except urllib.error.HTTPError as e:
        status, payload = e.code, e.read(1 << 20)
    except Exception as e:  # refused, reset, timed out: the listener is not there
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
