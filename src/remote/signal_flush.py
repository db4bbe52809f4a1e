# Sends the save signal to agent processes and `coverage run --save-signal` processes, then waits
# for proof of a save made after the signal: fresh agent acks, or fresh data files.
import signal as signal_module


def signum(name):
    name = name.upper()
    return getattr(signal_module, name if name.startswith("SIG") else "SIG" + name)


def main():
    a = args()
    data_dir = a["data_dir"]
    agents = registrations(data_dir)
    for reg in agents:
        # An agent that does not say which signal it listens to gets the `signal` input; null means off.
        reg.setdefault("signal", a["signal"])
    agents = [r for r in agents if r["signal"]]
    plain = [p for p in python_processes() if p["save_signal"]]
    agent_pids = set(r["pid"] for r in agents)
    plain = [p for p in plain if p["pid"] not in agent_pids]
    if not agents and not plain:
        emit({"confirmed": False, "reason": "no agent process with a save signal and no `coverage run --save-signal` process"})
        return
    t0 = time.time()
    sent = []
    recipients = [(reg["pid"], reg["signal"], True) for reg in agents]
    recipients += [(proc["pid"], proc["save_signal"], False) for proc in plain]
    for pid, name, is_agent in recipients:
        try:
            os.kill(pid, signum(name))
            sent.append({"pid": pid, "signal": name, "agent": is_agent})
        except (OSError, AttributeError) as error:
            sent.append({"pid": pid, "error": str(error)})
    deadline = t0 + a["timeout"]
    pending = dict((r["pid"], r) for r in agents)
    acks = []
    while pending and time.time() < deadline:
        for pid, reg in list(pending.items()):
            ack = ack_of(data_dir, reg.get("host", ""), pid)
            if isinstance(ack, dict) and ack.get("time", 0) >= t0:
                acks.append(ack)
                del pending[pid]
            elif not pid_alive(pid):
                del pending[pid]
        if pending:
            time.sleep(0.1)
    failed = [ack for ack in acks if ack.get("error")]
    files = None
    if plain:
        files = wait_stable(data_dir, t0, deadline)
    confirmed = not pending and not failed and (not agents or acks) and (not plain or files is not None)
    if confirmed:
        reason = "%d agent ack(s) and %d fresh data file(s) after the signal" % (len(acks), len(files or []))
    elif pending:
        reason = "no acknowledgement from pid %s within %gs" % (", ".join(str(p) for p in pending), a["timeout"])
    elif failed:
        reason = "the save failed: %s" % failed[0]["error"]
    else:
        reason = "no data file newer than the signal within %gs" % a["timeout"]
    emit({"confirmed": bool(confirmed), "reason": reason, "t0": t0, "sent": sent, "acks": acks, "files": files})


main()
