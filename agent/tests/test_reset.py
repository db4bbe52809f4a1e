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


def test_new_branch_of_a_warm_function_is_saved(service, tmp_path):
    """Every code object of /branchy has run before the first save; the second
    save must still hold the line only the second request ran (the
    sys.monitoring core marks activity per code object, not per line)."""
    svc = service(UVICORN)
    for _ in range(3):  # warm: the route and the save path have run (and run their code objects) before
        svc.get("/branchy?flag=0")
        status, first = svc.flush()
        assert first["ok"], first
    data_file = first["acks"][0]["data_file"]
    lines = executed_lines(data_file, svc.source)
    assert mark_line("FLAG_ZERO") in lines and mark_line("FLAG_ONE") not in lines
    svc.get("/branchy?flag=1")
    status, second = svc.flush()
    assert second["ok"], second
    assert mark_line("FLAG_ONE") in executed_lines(second["acks"][0]["data_file"], svc.source)


def test_new_branch_after_a_reset_is_in_the_new_window(service, tmp_path):
    svc = service(UVICORN)
    for _ in range(3):
        svc.get("/branchy?flag=0")
        assert svc.flush()[1]["ok"]
    status, first = svc.flush(reset=True)
    assert first["ok"], first
    svc.get("/branchy?flag=1")
    status, second = svc.flush()
    assert second["ok"], second
    window = executed_lines(second["acks"][0]["data_file"], svc.source)
    assert mark_line("FLAG_ONE") in window, "the new branch is in the window after the reset"
    assert mark_line("FLAG_ZERO") not in window, "the branch run before the reset is not"
    status, third = svc.flush(reset=True)
    assert third["ok"]
    svc.get("/branchy?flag=0")
    status, fourth = svc.flush()
    window = executed_lines(fourth["acks"][0]["data_file"], svc.source)
    assert mark_line("FLAG_ZERO") in window and mark_line("FLAG_ONE") not in window
