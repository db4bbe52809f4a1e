"""Program `context`: switch every agent process of the target to a context (the
agent's `POST /pycov-harvest/context`, with the listener process's own token), or,
where every listener is off, through the agent's own CLI run with the
interpreter an agent registered."""

from __future__ import annotations

import json
import time

from pycov_harvest_remote import local_http, output
from pycov_harvest_remote.registry import registrations

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict, List, Optional

    from pycov_harvest_remote.registry import Registration


def through_cli(agents: List[Registration], data_dir: str, name: str, timeout: float) -> Dict[str, Any]:
    executable = next((reg["executable"] for reg in agents if str(reg.get("executable", "")).startswith("/")), None)
    if executable is None:
        return {"ok": False, "detail": "the agent's HTTP listener is off in every process and no agent registered "
                "its interpreter; set PYCOV_HARVEST_PORT (or leave it at its default 9797)"}
    import subprocess  # only on this path: the listener is the common one

    try:
        done = subprocess.run([executable, "-m", "pycov_harvest", "--data-dir", data_dir, "context",
                               "--timeout", "%g" % timeout, "--", name],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout + 30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return {"ok": False, "detail": "`%s -m pycov_harvest context` failed (%s)" % (executable, e)}
    try:
        result = json.loads(done.stdout.decode("utf-8", "replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        result = None
    if not isinstance(result, dict):
        return {"ok": False, "detail": "`%s -m pycov_harvest context` exited %d (%s)" % (
            executable, done.returncode, done.stderr.decode("utf-8", "replace").strip()[-300:])}
    return answer(result, "the agent's CLI")


def answer(result: Any, via: str) -> Dict[str, Any]:
    acks = result.get("acks") if isinstance(result, dict) else None
    count = len(acks) if isinstance(acks, list) else 0
    seq = result.get("seq") if isinstance(result, dict) and isinstance(result.get("seq"), int) else None
    if isinstance(result, dict) and result.get("ok") is True:
        return {"ok": True, "seq": seq, "processes": count,
                "detail": "%d agent process(es) switched (#%s) through %s" % (count, seq, via)}
    missing = result.get("missing") if isinstance(result, dict) else None
    reasons = "; ".join("pid %s: %s" % (m.get("pid"), m.get("reason"))
                        for m in missing if isinstance(m, dict)) if isinstance(missing, list) else ""
    error = result.get("error") if isinstance(result, dict) else None
    return {"ok": False, "seq": seq, "processes": count,
            "detail": "the switch was not confirmed through %s (%s)" % (via, reasons or error or "no answer")}


def switch(agents: List[Registration], data_dir: str, name: str, timeout: float) -> Dict[str, Any]:
    if not agents:
        return {"ok": False, "detail": "no agent process is registered in %s; start the service with "
                "PYCOV_HARVEST=1 and the agent installed, or set the data dir" % data_dir}
    owner: Optional[Registration] = local_http.listener_of(agents)
    if owner is None:
        return through_cli(agents, data_dir, name, timeout)
    port = owner["port"]
    status, result, error = local_http.post(port, "context", {"context": name, "timeout": timeout},
                                            local_http.token_of(owner), timeout + 10)
    if status is None:
        return {"ok": False, "detail": "cannot reach the agent on 127.0.0.1:%d (%s)" % (port, error)}
    if status == 404:
        return {"ok": False, "detail": "the agent on 127.0.0.1:%d has no context switch (HTTP 404); install an "
                "agent that has one" % port}
    return answer(result if isinstance(result, dict) else {"error": "HTTP %d" % status},
                  "the listener on 127.0.0.1:%d" % port)


def main(args: Dict[str, Any]) -> int:
    data_dir = output.require(args, "data_dir", str)
    name = output.require(args, "context", str)
    timeout = float(output.require(args, "timeout", (int, float)))
    began = time.time()
    agents, _ = registrations(data_dir)
    result = switch(agents, data_dir, name, timeout)
    result.setdefault("seq", None)
    result.setdefault("processes", 0)
    output.emit("result", ms=int(round((time.time() - began) * 1000)), **result)
    return output.EXIT_OK
