"""Proof 3: request A, flush, request B, flush: combined data holds A and B.
With reset after A: the file written after the reset holds only B (the reset
flush's own file still holds A, to be collected before the next save)."""

import json

from conftest import combined_lines, executed_lines, mark_line

UVICORN = ["{python}", "-m", "uvicorn", "service:app", "--host", "127.0.0.1", "--port", "{port}"]


def test_flushes_accumulate(service, tmp_path):
    svc = service(UVICORN)
    svc.get("/a")
    assert svc.flush()[1]["ok"]
    svc.get("/b")
    status, result = svc.flush()
    assert result["ok"]
    lines = combined_lines(svc.data_dir, svc.source, tmp_path)
    assert {mark_line("A"), mark_line("B")} <= lines


def test_reset_starts_a_clean_slate(service, tmp_path):
    svc = service(UVICORN)
    svc.get("/a")
    status, first = svc.flush(reset=True)
    assert first["ok"] and first["reset"] and first["acks"][0]["reset"]
    assert mark_line("A") in executed_lines(first["acks"][0]["data_file"], svc.source)
    svc.get("/b")
    status, second = svc.flush()
    assert second["ok"]
    lines = combined_lines(svc.data_dir, svc.source, tmp_path)
    assert mark_line("B") in lines
    assert mark_line("A") not in lines
    # A runs again after the reset: it is measured again (also with sys.monitoring,
    # which stops reporting a line once it was recorded).
    svc.get("/a")
    status, third = svc.flush()
    assert mark_line("A") in executed_lines(third["acks"][0]["data_file"], svc.source)


def test_cli_flush_with_reset(service, tmp_path):
    svc = service(UVICORN)
    svc.get("/a")
    done = svc.cli("flush", "--reset", "--timeout", "5")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] and result["acks"][0]["trigger"] == "cli"
    assert mark_line("A") in executed_lines(result["acks"][0]["data_file"], svc.source)
    svc.get("/b")
    done = svc.cli("flush")
    assert done.returncode == 0, done.stderr
    lines = combined_lines(svc.data_dir, svc.source, tmp_path)
    assert mark_line("B") in lines and mark_line("A") not in lines
