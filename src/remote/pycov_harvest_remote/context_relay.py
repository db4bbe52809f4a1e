"""Program `context_relay`: the `context` program kept running for `serve`. It
reads one switch per line on stdin, `{"id": N, "context": NAME, "timeout": S}`,
switches every agent process of the target as `context` does, and prints one
`result` line per switch with the same `id`, flushed. It ends at the end of its
input: when serve closes the exec session, nothing is left running."""

from __future__ import annotations

import json
import sys
import time

from pycov_harvest_remote import output
from pycov_harvest_remote.context import switch
from pycov_harvest_remote.registry import registrations

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict, Optional, Tuple

# The same bounds as serve and the agent put on a context name and a wait.
MAX_NAME_BYTES = 256
MAX_TIMEOUT = 3600.0


def request_of(line: str) -> Tuple[Optional[int], Optional[Dict[str, Any]], str]:
    """(id, the request, '') or (id if readable, None, why the line cannot be served)."""
    try:
        value = json.loads(line)
    except ValueError as e:
        return None, None, "the line is not JSON (%s)" % e
    if not isinstance(value, dict):
        return None, None, "the line is not a JSON object"
    ident = value.get("id")
    if not isinstance(ident, int) or isinstance(ident, bool):
        return None, None, "the line has no integer `id`"
    name = value.get("context")
    timeout = value.get("timeout")
    if not isinstance(name, str) or len(name.encode("utf-8")) > MAX_NAME_BYTES \
            or any(ord(c) < 32 or ord(c) == 127 for c in name):
        return ident, None, "`context` must be a string of at most 256 bytes without control characters"
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 0 < timeout <= MAX_TIMEOUT:
        return ident, None, "`timeout` must be seconds in (0, 3600]"
    return ident, {"context": name, "timeout": float(timeout)}, ""


def main(args: Dict[str, Any]) -> int:
    data_dir = output.require(args, "data_dir", str)
    output.emit("ready")
    for line in sys.stdin:
        if not line.strip():
            continue
        began = time.time()
        ident, request, problem = request_of(line)
        if request is None:
            output.emit("result", id=ident, ok=False, seq=None, processes=0, detail=problem, ms=0)
            continue
        agents, _ = registrations(data_dir)
        result = switch(agents, data_dir, request["context"], request["timeout"])
        result.setdefault("seq", None)
        result.setdefault("processes", 0)
        output.emit("result", id=ident, ms=int(round((time.time() - began) * 1000)), **result)
    return output.EXIT_OK
