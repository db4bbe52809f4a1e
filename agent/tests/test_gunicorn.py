"""Proof 4: gunicorn with the agent loaded: `kill -USR1 <master>` still reopens
the logs (and saves); a killed worker's data up to its last flush survives and
its replacement registers."""

import os
import signal
import time

from conftest import executed_lines, mark_line, wait_for
from test_workers import gunicorn_worker_class, worker_pids


def gunicorn(service, tmp_path, workers=2):
    log = tmp_path / "gunicorn-error.log"
    svc = service(["{python}", "-m", "gunicorn", "-w", str(workers), "-k", gunicorn_worker_class(),
                   "-b", "127.0.0.1:{port}", "--error-logfile", str(log), "service:app"])
    return svc, log


def test_usr1_on_master_still_reopens_logs(service, tmp_path):
    svc, log = gunicorn(service, tmp_path)
    wait_for(lambda: log.exists() and "Booting worker" in log.read_text(), 10, what="gunicorn's log")
    rotated = log.with_suffix(".log.1")
    os.rename(log, rotated)
    t0 = time.time()
    os.kill(svc.proc.pid, signal.SIGUSR1)
    # gunicorn's own USR1 handling: the master reopens its log file ...
    wait_for(log.exists, 10, what="gunicorn to reopen its error log")
    # ... and the agent's save ran too.
    ack = svc.wait_for_ack(svc.proc.pid, since=t0)
    assert ack["trigger"] == "signal" and ack["error"] is None
    assert svc.get("/health") == {"ok": True}


def test_killed_worker_keeps_its_data_and_replacement_registers(service, tmp_path):
    svc, _ = gunicorn(service, tmp_path)
    pids = worker_pids(svc, 2)
    status, result = svc.flush()
    assert result["ok"], result
    victim = min(pids)
    victim_file = next(a["data_file"] for a in result["acks"] if a["pid"] == victim)
    os.kill(victim, signal.SIGKILL)

    def replacement():
        return [r for r in svc.registrations()
                if r["ppid"] == svc.proc.pid and r["pid"] not in pids and r["pid"] != svc.proc.pid]

    (new,) = wait_for(replacement, 30, 0.05, "a replacement worker to register")
    assert mark_line("PID") in executed_lines(victim_file, svc.source), "the dead worker's flushed data survives"
    status, result = svc.flush()
    assert status == 200 and result["ok"] and not result["missing"], result
    acked = {a["pid"] for a in result["acks"]}
    assert new["pid"] in acked and victim not in acked
    assert not any(r["pid"] == victim for r in svc.registrations()), "the dead worker's registration is pruned"


def test_sigterm_to_master_saves_every_process(service, tmp_path):
    svc, _ = gunicorn(service, tmp_path)
    pids = worker_pids(svc, 2)
    t0 = time.time()
    os.kill(svc.proc.pid, signal.SIGTERM)
    svc.proc.wait(30)
    for pid in pids | {svc.proc.pid}:
        ack = svc.ack(pid)
        assert ack and ack["time"] >= t0 and ack["error"] is None, (pid, ack)
    assert svc.ack(svc.proc.pid)["trigger"] in ("sigterm", "exit")
    for pid in pids:
        assert mark_line("PID") in executed_lines(svc.ack(pid)["data_file"], svc.source)
    assert svc.registrations() == [], "every process unregistered on its clean exit"
