"""The `signal` method: the configured save signal to agent processes and to
`coverage run --save-signal` processes, then proof of a save made after it."""

from __future__ import annotations

import os
import time

from pycov_harvest import procfs, signames

from pycov_harvest_remote import waiting
from pycov_harvest_remote.processes import is_python
from pycov_harvest_remote.registry import ack_since

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict, List, Tuple

    from pycov_harvest_remote.processes import Process
    from pycov_harvest_remote.registry import Registration

POLL = 0.05


def _agent_recipient_problem(reg: Registration, signal_name: str) -> str:
    """Why this registration must not get the signal, or '' when it may."""
    listens = reg.get("signal")
    if listens is None:
        return "its save signal is off (PYCOV_HARVEST_SIGNAL=off)"
    if signames.parse_or_none(listens) != signames.parse(signal_name):
        return "it listens to %s, not %s; set `signal: %s`" % (listens, signal_name, listens)
    pid = reg["pid"]
    argv = procfs.cmdline(pid)
    if not argv or not is_python(pid, argv):
        return "pid %d is not a Python process" % pid
    env = procfs.environ(pid)
    if env.get("PYCOV_HARVEST") != "1":
        return "pid %d does not run the agent (no PYCOV_HARVEST=1 in its environment)" % pid
    return ""


def _coverage_signal(proc: Process, signal_name: str) -> bool:
    return signames.parse_or_none(proc["save_signal"]) == signames.parse(signal_name)


def save(data_dir: str, agents: List[Registration], processes: List[Process], signal_name: str,
         timeout: float) -> Tuple[bool, str, Dict[str, Any]]:
    """(confirmed, detail, facts for the attempt line)."""
    signum = signames.parse(signal_name)
    refused = []
    recipients = []
    for reg in agents:
        problem = _agent_recipient_problem(reg, signal_name)
        if problem:
            refused.append("pid %d: %s" % (reg["pid"], problem))
        else:
            recipients.append(reg)
    agent_pids = set(reg["pid"] for reg in agents)
    plain = [p for p in processes if p["save_signal"] and p["pid"] not in agent_pids]
    plain_ok = [p for p in plain if _coverage_signal(p, signal_name)]
    refused += ["pid %d: `coverage run --save-signal=%s`, not %s; set `signal: SIG%s`"
                % (p["pid"], p["save_signal"], signal_name, str(p["save_signal"]).upper().replace("SIG", ""))
                for p in plain if p not in plain_ok]
    if refused:
        # Sending to the others would leave these processes' data unsaved: never a partial "confirmed".
        return False, "%s not sent: %s" % (signal_name, "; ".join(refused)), {}
    if not recipients and not plain_ok:
        return False, "no agent process and no `coverage run --save-signal` process to send %s to" % signal_name, {}
    t0 = time.time()
    sent, failed = [], []
    for pid in [reg["pid"] for reg in recipients] + [p["pid"] for p in plain_ok]:
        try:
            os.kill(pid, signum)
            sent.append(pid)
        except OSError as e:
            failed.append("pid %d: %s" % (pid, e.strerror or e))
    deadline = t0 + timeout
    pending = dict((reg["pid"], reg) for reg in recipients if reg["pid"] in sent)
    acks = []
    while pending and time.time() < deadline:
        for pid, reg in list(pending.items()):
            ack = ack_since(data_dir, reg, t0, procfs.environ(pid).get("PYCOV_HARVEST_TOKEN") or None)
            if ack is not None:
                acks.append(ack)
                del pending[pid]
            elif not procfs.alive(pid):
                del pending[pid]
                failed.append("pid %d exited before it acknowledged" % pid)
        if pending:
            time.sleep(POLL)
    errors = [str(a.get("error")) for a in acks if a.get("error")]
    files = waiting.wait_stable(data_dir, t0, deadline) if any(p["pid"] in sent for p in plain_ok) else []
    facts = {"sent": sent, "acks": len(acks)}
    if pending:
        return False, "no acknowledgement from pid %s within %gs of %s" % (
            ", ".join(str(p) for p in pending), timeout, signal_name), facts
    if errors:
        return False, "the save failed: %s" % errors[0], facts
    if failed:
        return False, "; ".join(failed), facts
    if files is None:
        return False, "no data file newer than %s within %gs" % (signal_name, timeout), facts
    return True, "%d agent ack(s) and %d fresh data file(s) after %s" % (len(acks), len(files), signal_name), facts
