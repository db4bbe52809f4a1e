"""Saves leave nothing of coverage.py's own in the service's log: a process that
measured none of the configured source (a supervisor, a helper, a service whose
`source` names code it has not imported yet) still saves an empty data file, and
coverage's "No data was collected" warning never reaches the service's stderr."""

import signal
import time

from conftest import executed_lines, mark_line

UVICORN = ["{python}", "-m", "uvicorn", "service:app", "--host", "127.0.0.1", "--port", "{port}"]


def coverage_noise(log: str) -> list[str]:
    return [line for line in log.splitlines() if "CoverageWarning" in line or "No data was collected" in line]


def test_saves_of_nothing_measured_print_no_warning(service, tmp_path):
    rc = tmp_path / "nothing.rc"
    # A source that the service never imports: every save finds no data.
    rc.write_text("[run]\nsource = not_imported_anywhere\n")
    svc = service(UVICORN, env={"PYCOV_HARVEST_RCFILE": str(rc)})
    for path in ("/a", "/b", "/a"):
        svc.get(path)
        status, result = svc.flush()
        assert status == 200 and result["ok"], result
    t0 = time.time()
    svc.proc.send_signal(signal.SIGUSR1)
    svc.wait_for_ack(svc.proc.pid, since=t0)
    assert coverage_noise(svc.log()) == []


def test_saves_with_workers_print_no_warning(service):
    # The supervisor runs none of service.py; the workers do.
    svc = service(UVICORN + ["--workers", "2"])
    for _ in range(4):
        svc.get("/a")
    status, result = svc.flush()
    assert status == 200 and result["ok"], result
    assert len(result["acks"]) >= 3
    lines = set().union(*(executed_lines(ack["data_file"], svc.source) for ack in result["acks"]))
    assert mark_line("A") in lines
    status, result = svc.flush()
    assert status == 200 and result["ok"], result
    assert coverage_noise(svc.log()) == []
