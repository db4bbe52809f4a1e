"""Proof 2: several worker processes (spawned by uvicorn and hypercorn, forked
by gunicorn): one flush gives one confirmed data file per worker, and the
lines each worker executed are in its file and in the combined data."""

import importlib.util

from conftest import combined_lines, executed_lines, mark_line, wait_for


def worker_pids(svc, count: int, timeout: float = 30) -> set[int]:
    """Send requests until `count` different workers have answered /pid."""
    seen = set()

    def all_answered():
        seen.add(svc.get("/pid")["pid"])
        return len(seen) >= count

    wait_for(all_answered, timeout, 0.0, f"{count} workers to answer")
    return seen


def assert_one_file_per_worker(svc, pids, tmp_path):
    status, result = svc.flush(timeout=10)
    assert status == 200 and result["ok"], result
    acks = {a["pid"]: a for a in result["acks"]}
    assert pids <= set(acks), (pids, result)
    files = [a["data_file"] for a in result["acks"]]
    assert len(set(files)) == len(files), "each process has its own data file"
    for pid in pids:
        assert mark_line("PID") in executed_lines(acks[pid]["data_file"], svc.source), pid
    assert mark_line("PID") in combined_lines(svc.data_dir, svc.source, tmp_path)
    return result


def test_uvicorn_workers(service, tmp_path):
    svc = service(["{python}", "-m", "uvicorn", "service:app", "--host", "127.0.0.1", "--port", "{port}",
                   "--workers", "3"])
    pids = worker_pids(svc, 3)
    result = assert_one_file_per_worker(svc, pids, tmp_path)
    # The supervisor owns the listener and answered too.
    assert svc.proc.pid in {a["pid"] for a in result["acks"]}


def gunicorn_worker_class() -> str:
    if importlib.util.find_spec("uvicorn_worker"):
        return "uvicorn_worker.UvicornWorker"
    return "uvicorn.workers.UvicornWorker"


def test_gunicorn_forked_workers(service, tmp_path):
    svc = service(["{python}", "-m", "gunicorn", "-w", "3", "-k", gunicorn_worker_class(),
                   "-b", "127.0.0.1:{port}", "service:app"])
    pids = worker_pids(svc, 3)
    result = assert_one_file_per_worker(svc, pids, tmp_path)
    registered = {r["pid"]: r for r in svc.registrations()}
    for pid in pids:
        assert registered[pid]["ppid"] == svc.proc.pid, "forked by the gunicorn master"
        assert registered[pid]["port"] is None, "only the master owns the listener"
    assert registered[svc.proc.pid]["port"] == svc.agent_port
    assert len(result["acks"]) == 4


def test_hypercorn_workers(service, tmp_path):
    svc = service(["{python}", "-m", "hypercorn", "-w", "2", "-b", "127.0.0.1:{port}", "service:app"])
    pids = worker_pids(svc, 2)
    assert_one_file_per_worker(svc, pids, tmp_path)
