"""Whether a uvicorn server can be stopped while a connection is open, and which open connections
would hold its shutdown: the rule of the force-quit table (docs/action.md, "Which servers can be
stopped with a stream open"), checked before the `sigterm` program signals anything.

On asyncio's event loop since Python 3.12 (gh-79033), `asyncio.Server.wait_closed()` waits for every
connection, and uvicorn (0.29 to the newest) awaits it even after its force quit (a SIGINT during
the shutdown): one open stream holds the process, and with it coverage's save, forever. uvicorn
0.43 and 0.44 end streaming responses on shutdown (#2829, reverted in 0.45); uvloop's
`wait_closed()` returns at once; a graceful timeout cancels the wait. Standard library only."""

from __future__ import annotations

import re
import time

from pycov_harvest_remote import connections
from pycov_harvest_remote.processes import option

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Dict, List, Optional

    from pycov_harvest_remote.connections import Connection, Endpoint, Server

# uvicorn's shutdown closes an idle connection (no request yet, or its response ended) at once; a
# connection whose response is still going holds it. Both states still carry the socket.
HOLDING_STATES = ("ESTABLISHED", "CLOSE_WAIT")
# uvicorn's --timeout-keep-alive default: an idle connection is closed this long after its response.
KEEP_ALIVE_DEFAULT = 5.0
# Past an idle connection's keep-alive, a connection still open is one whose response is going.
KEEP_ALIVE_SLACK = 1.0
POLL = 0.5
# uvicorn releases whose shutdown ends streaming responses (#2829, reverted in 0.45.0 by #2913).
STREAMS_END_ON_SHUTDOWN = ((0, 43), (0, 44))
# The oldest uvicorn the table measured; before 0.29 uvicorn never re-raises SIGTERM to coverage.
OLDEST_MEASURED = (0, 29)


def _numbers(text: Optional[str], count: int) -> tuple:
    return tuple(int(x) for x in re.findall(r"\d+", text or "")[:count])


def cannot_force_quit(facts: Server) -> bool:
    """True when no signal ends this server's shutdown while a connection is open: uvicorn 0.29+
    (but 0.43/0.44) on asyncio's event loop, Python 3.12+, no graceful timeout."""
    version = _numbers(facts["uvicorn"], 2)
    return (facts["loop"] == "asyncio" and _numbers(facts["python"], 2) >= (3, 12)
            and version >= OLDEST_MEASURED and version not in STREAMS_END_ON_SHUTDOWN
            and facts["graceful_timeout"] is None)


def describe(facts: Server) -> str:
    """"uvicorn 0.30.6 on Python 3.12 (asyncio event loop)"."""
    return "uvicorn %s on Python %s (%s event loop)" % (facts["uvicorn"], facts["python"], facts["loop"])


def keep_alive(argv: List[str], env: Dict[str, str]) -> float:
    """uvicorn's --timeout-keep-alive (or UVICORN_TIMEOUT_KEEP_ALIVE for its command line)."""
    value = option(argv, "--timeout-keep-alive") or env.get("UVICORN_TIMEOUT_KEEP_ALIVE")
    try:
        return float(value) if value is not None else KEEP_ALIVE_DEFAULT
    except ValueError:
        return KEEP_ALIVE_DEFAULT


def candidates(pid: int, owners: List[int], known: Optional[List[Endpoint]] = None) -> List[Connection]:
    """Open connections of the server (or its workers) that may hold its shutdown: a request came
    on them (tcp_info; without it every open one counts). `known`: its listeners before the
    shutdown closed them. Raises OSError when the server's fd table cannot be read."""
    _, found = connections.open_connections(pid, owners, known)
    return [c for c in found if c["owned"] and c["state"] in HOLDING_STATES and c["received"] != 0]


def _may_be_idle(conn: Connection, keep_alive_ms: float) -> bool:
    """An idle keep-alive connection is closed by uvicorn within its keep-alive of its last
    response; one that sent nothing for longer is a response still going (or unknown)."""
    last = conn["last_sent_ms"]
    return last is None or last <= keep_alive_ms


def holding(pid: int, owners: List[int], keep_alive_s: float, bound_s: float) -> List[Connection]:
    """The connections that hold the shutdown: `candidates`, after waiting (at most the keep-alive
    and a second, within `bound_s`) for those that may be idle keep-alive connections to be
    closed by uvicorn itself."""
    keep_alive_ms = (keep_alive_s + KEEP_ALIVE_SLACK) * 1000
    deadline = time.monotonic() + min(keep_alive_s + KEEP_ALIVE_SLACK, bound_s)
    found = candidates(pid, owners)
    while found and any(_may_be_idle(c, keep_alive_ms) for c in found) and time.monotonic() < deadline:
        time.sleep(POLL)
        found = candidates(pid, owners)
    return found


def peers(found: List[Connection]) -> str:
    """"10.88.0.1:34434, 10.88.0.1:34436" (addresses formatted here, never text from the target)."""
    return ", ".join(c["peer"] for c in found)


def _open_clause(found: List[Connection]) -> str:
    """"1 connection is open (10.88.0.1:34434)"; "may be" without tcp_info (an unused one counts)."""
    known = all(c["received"] is not None for c in found)
    verb = ("is" if known else "may be") if len(found) == 1 else ("are" if known else "may be")
    return "%d connection%s %s open (%s)" % (len(found), "" if len(found) == 1 else "s", verb, peers(found))


def cannot_stop_reason(facts: Server, found: List[Connection]) -> str:
    """The one sentence for a service left running because no signal could save it."""
    return ("%s cannot be stopped while a connection is open (asyncio's Server.wait_closed() waits for "
            "it, and uvicorn's force quit awaits that too: docs/action.md, the force-quit table), and "
            "%s, so the service was left running; add `--timeout-graceful-shutdown 5` to the uvicorn "
            "command, use the agent (PYCOV_HARVEST=1), or let the `attach` method save it (list it in "
            "`methods` before `sigterm`)" % (describe(facts), _open_clause(found)))


def held_clause(found: List[Connection]) -> str:
    """Appended to a hanging shutdown's reason: what holds it."""
    return ", held by %d open connection%s (%s)" % (len(found), "" if len(found) == 1 else "s", peers(found))


def shown(found: List[Connection]) -> List[Dict[str, str]]:
    return [{"peer": c["peer"], "state": c["state"]} for c in found]
