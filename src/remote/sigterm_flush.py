# Last resort: SIGTERM the top Python server process(es) -- never a non-Python PID 1 -- and wait
# up to the graceful timeout for data files written after the signal. Progress goes out line by
# line because the container may stop (and cut this program off) once the server exits.


def acked_since(data_dir, reg, t0):
    ack = ack_of(data_dir, reg.get("host", ""), reg["pid"])
    return isinstance(ack, dict) and ack.get("time", 0) >= t0 and not ack.get("error")


def main():
    a = args()
    data_dir = a["data_dir"]
    tops = [p for p in python_processes() if p["top"]]
    procs = [p for p in tops if p["server"] or p["coverage_run"]] or tops
    if not procs:
        emit({"event": "result", "confirmed": False, "reason": "no Python process to send SIGTERM to"})
        return
    # Agent processes save before the server's own SIGTERM handling: their acks are enough,
    # however long the server's shutdown then takes.
    agents = [r for r in registrations(data_dir) if r.get("sigterm")]
    t0 = time.time()
    emit({"event": "sent", "t0": t0, "pids": [p["pid"] for p in procs],
          "graceful": [p["graceful_timeout"] for p in procs], "servers": [p["server"] for p in procs]})
    for proc in procs:
        try:
            os.kill(proc["pid"], 15)
        except OSError as error:
            emit({"event": "error", "pid": proc["pid"], "error": str(error)})
    deadline = t0 + a["timeout"]
    files = None
    acked = False
    while time.time() < deadline:
        if agents and all(acked_since(data_dir, r, t0) for r in agents):
            acked = True
            files = [f for f in data_files(data_dir) if f["mtime"] >= t0 - MTIME_SLACK]
            break
        files = wait_stable(data_dir, t0, min(deadline, time.time() + 1.0))
        exited = not any(pid_alive(p["pid"]) for p in procs)
        if files is not None and exited:
            break
        if exited:
            files = wait_stable(data_dir, t0, min(deadline, time.time() + 2.0))
            break
    exited = not any(pid_alive(p["pid"]) for p in procs)
    running = "" if exited else "; the process is still running"
    if acked:
        reason = "%d agent process(es) saved on SIGTERM%s" % (len(agents), running)
    elif files:
        reason = "%d fresh data file(s) after SIGTERM%s" % (len(files), running)
    elif exited:
        reason = "the process exited without writing a data file (is `[run] sigterm = true` set?)"
    else:
        reason = "no data file within %gs of SIGTERM and the process is still running (graceful shutdown hangs)" % a["timeout"]
    emit({"event": "result", "confirmed": acked or bool(files), "reason": reason, "t0": t0, "files": files,
          "exited": exited})


main()
