"""Program `sigterm`, the last resort: SIGTERM to the Python server process(es)
(never a non-Python PID 1), then, when no data comes within `escalate_after`
seconds, the server's own force-quit, and proof of a save made after the first
signal, all within `timeout` seconds. Progress goes out line by line: the
container may stop, cutting this program off, once the server exits.

Escalation (docs/action.md, "The sigterm method"): SIGINT to every process of
the server's tree that is still alive. uvicorn takes a SIGINT during its
graceful shutdown as "force quit": it stops waiting for connections, background
tasks and the lifespan shutdown, and coverage's exit path saves. gunicorn's
master takes SIGINT as its quick shutdown; hypercorn and a plain `coverage run`
script end on it (KeyboardInterrupt), and coverage saves at exit.

Before any signal, each uvicorn server that would save only at exit is looked at (force_quit.py):
when no signal can end its shutdown while a connection is open (the force-quit table) and one is
open, nothing is signalled and the service keeps running."""

from __future__ import annotations

import os
import signal
import time

from pycov_harvest import procfs

from pycov_harvest_remote import connections, force_quit, output, waiting
from pycov_harvest_remote.processes import descendants, measured_by_coverage, python_processes
from pycov_harvest_remote.registry import ack_since, registrations

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict, List, Optional

    from pycov_harvest_remote.connections import Connection, Endpoint
    from pycov_harvest_remote.processes import Process
    from pycov_harvest_remote.registry import Registration

POLL = 0.1


def _send(pids: List[int], signum: int) -> List[str]:
    errors = []
    for pid in pids:
        try:
            os.kill(pid, signum)
        except OSError as e:
            errors.append("pid %d: %s" % (pid, e.strerror or e))
    return errors


def _all_acked(data_dir: str, agents: List[Registration], t0: float) -> bool:
    return bool(agents) and all(
        ack_since(data_dir, reg, t0, procfs.environ(reg["pid"]).get("PYCOV_HARVEST_TOKEN") or None) is not None
        for reg in agents
    )


def _owners(procs: List[Process], pid: int) -> List[int]:
    return [d["pid"] for d in descendants(procs, pid)]


def _look(procs: List[Process], servers: List[Process], agents: List[Registration], bound: float,
          listening: Dict[int, List[Endpoint]]) -> Optional[str]:
    """Emits what may hold each uvicorn server's shutdown (`fastapi run` runs one too), and keeps
    its listeners in `listening`; returns the reason not to signal when a server cannot be stopped
    and a connection is open. A server whose agent saves on SIGTERM needs none of this: the agent
    saves before the shutdown."""
    saved_by_agent = set(reg["pid"] for reg in agents)
    for server in servers:
        pid, owners = server["pid"], _owners(procs, server["pid"])
        if not measured_by_coverage(server) or saved_by_agent & set([pid] + owners):
            continue
        facts = connections.server_facts(pid)
        if server["server"] != "uvicorn" and facts["loop"] is None:
            continue  # neither uvicorn's command line nor `fastapi run`/`fastapi dev`
        stuck = force_quit.cannot_force_quit(facts)
        event = {"pid": pid, "python": facts["python"], "uvicorn": facts["uvicorn"], "loop": facts["loop"],
                 "graceful": facts["graceful_timeout"], "cannot_force_quit": stuck}
        try:
            listening[pid], _ = connections.open_connections(pid, owners)
            keep_alive = force_quit.keep_alive(procfs.cmdline(pid), procfs.environ(pid))
            found = (force_quit.holding(pid, owners, keep_alive, bound) if stuck
                     else force_quit.candidates(pid, owners))
        except OSError as e:
            output.emit("connections", error="cannot read its open files (%s)" % (e.strerror or e),
                        listeners=[], connections=[], **event)
            continue
        output.emit("connections", listeners=[connections.show(on) for on in listening[pid]],
                    connections=force_quit.shown(found), **event)
        if stuck and found:
            reason = force_quit.cannot_stop_reason(facts, found)
            output.emit("result", confirmed=False, sent=False, exited=False, files=[], stuck=True,
                        held=force_quit.shown(found), reason=reason)
            return reason
    return None


def _holders(procs: List[Process], servers: List[Process], listening: Dict[int, List[Endpoint]]) -> List[Connection]:
    """The open connections of the uvicorn servers still running, for a shutdown that hangs."""
    found: List[Connection] = []
    for server in servers:
        if server["pid"] in listening and procfs.alive(server["pid"]):
            try:
                found += force_quit.candidates(server["pid"], _owners(procs, server["pid"]),
                                               listening[server["pid"]])
            except OSError:
                pass  # exited meanwhile: nothing to name
    return found


def main(args: Dict[str, Any]) -> int:
    data_dir = output.require(args, "data_dir", str)
    timeout = float(output.require(args, "timeout", (int, float)))
    escalate_after = float(output.require(args, "escalate_after", (int, float)))
    procs = python_processes()
    agents = [reg for reg in registrations(data_dir)[0] if reg.get("sigterm") is True]
    measured = [p for p in procs if measured_by_coverage(p)]
    if not agents and not measured:
        output.emit("result", confirmed=False, sent=False, exited=False, files=[], reason=(
            "nothing in the target would save on SIGTERM (no agent registered in %s/.pycov-harvest and no "
            "process runs under `coverage run`), so the service was not stopped; use the agent "
            "(PYCOV_HARVEST=1) or run the server under `coverage run` with `[run] sigterm = true`" % data_dir))
        return output.EXIT_OK
    tops = [p for p in procs if p["top"]]
    servers = [p for p in tops if p["server"] or measured_by_coverage(p) or p["agent_env"]] or tops
    pids = [p["pid"] for p in servers]
    listening: Dict[int, List[Endpoint]] = {}
    if _look(procs, servers, agents, timeout / 2, listening) is not None:
        return output.EXIT_OK
    t0 = time.time()
    errors = _send(pids, signal.SIGTERM)
    output.emit("sent", t0=t0, pids=pids, signal="SIGTERM", errors=errors,
                servers=[p["server"] for p in servers], graceful=[p["graceful_timeout"] for p in servers])
    deadline = t0 + timeout
    escalated: List[int] = []
    files = None
    acked = False
    while time.time() < deadline:
        if _all_acked(data_dir, agents, t0):
            acked = True
            files = waiting.fresh_files(data_dir, t0)
            break
        alive = [pid for pid in pids if procfs.alive(pid)]
        if not alive:
            # The server is gone: coverage wrote at exit, or never will.
            files = waiting.wait_stable(data_dir, t0, min(deadline, time.time() + 2.0))
            break
        if not escalated and time.time() >= t0 + escalate_after and not waiting.fresh_files(data_dir, t0):
            tree: List[Process] = [p for p in servers if p["pid"] in alive]
            for top in list(tree):
                tree += descendants(procs, top["pid"])
            escalated = [p["pid"] for p in tree if procfs.alive(p["pid"])]
            output.emit("escalated", after=round(time.time() - t0, 3), pids=escalated, signal="SIGINT",
                        errors=_send(escalated, signal.SIGINT))
        time.sleep(POLL)
    exited = not any(procfs.alive(pid) for pid in pids)
    held: List[Connection] = []
    still = "" if exited else "; the process is still running"
    if acked:
        reason = "%d agent process(es) saved on SIGTERM%s" % (len(agents), still)
    elif files:
        reason = "%d fresh data file(s) after SIGTERM%s%s" % (
            len(files), " and SIGINT (force quit)" if escalated else "", still)
    elif exited:
        reason = ("the server exited without writing a data file; set `[run] sigterm = true` in its coverage "
                  "configuration, or use the agent (PYCOV_HARVEST=1)")
    else:
        held = _holders(procs, servers, listening)
        reason = ("no data file within %gs of SIGTERM%s and the server is still running: its shutdown hangs%s; "
                  "use the agent (PYCOV_HARVEST=1), which saves before the shutdown begins, or give "
                  "the server a graceful-shutdown timeout (uvicorn: `--timeout-graceful-shutdown 5`)" % (
                      timeout, " and SIGINT" if escalated else "", force_quit.held_clause(held) if held else ""))
    output.emit("result", confirmed=acked or bool(files), sent=True, reason=reason, t0=t0,
                files=files or [], exited=exited, escalated=escalated,
                held=force_quit.shown(held))
    return output.EXIT_OK
