"""Hardening against hostile neighbours and bad input (issue 8): fork-safe,
bounded locks; `ok` only with a save; only token holders trigger; files in the
data dir never pick a victim or a signal; packing sends only data; autosave."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import executed_lines, mark_line, wait_for

UVICORN = ["{python}", "-m", "uvicorn", "service:app", "--host", "127.0.0.1", "--port", "{port}"]


def registry(svc):
    return svc.data_dir / ".pycov-harvest"


def own_registration(svc) -> dict:
    (reg,) = [r for r in svc.registrations() if r["pid"] == svc.proc.pid]
    return reg


# --- 1. fork-safe, bounded locks ------------------------------------------------


def test_fork_while_the_registry_lock_is_held_does_not_block_later_flushes(tmp_path):
    data_dir = tmp_path / "coverdata"
    script = textwrap.dedent("""
        import os, sys, time
        from pycov_harvest import agent, fanout, registry
        data_dir = agent.current().settings.data_dir
        assert fanout.flush(data_dir)["ok"]
        with registry.locked(data_dir) as got:
            assert got
            child = os.fork()
            if child == 0:
                time.sleep(20)  # a worker that lives on, with the parent's lock descriptor
                os._exit(0)
        began = time.monotonic()
        result = fanout.flush(data_dir)
        print(json.dumps({"ok": result["ok"], "seconds": time.monotonic() - began}))
        os.kill(child, 9)
        os.waitpid(child, 0)
    """).replace("import os, sys, time", "import json, os, sys, time")
    (tmp_path / "main.py").write_text(script)
    env = dict(os.environ, PYCOV_HARVEST="1", PYCOV_HARVEST_DATA_DIR=str(data_dir), PYCOV_HARVEST_PORT="off")
    done = subprocess.run([sys.executable, "main.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ok"]
    assert result["seconds"] < 2.0, "the forked child's copy of the lock descriptor was closed"


def test_gunicorn_worker_forked_during_flushes_keeps_flushes_fast(service, tmp_path):
    from test_workers import gunicorn_worker_class, worker_pids

    svc = service(["{python}", "-m", "gunicorn", "-w", "2", "-k", gunicorn_worker_class(),
                   "-b", "127.0.0.1:{port}", "service:app"])
    pids = worker_pids(svc, 2)
    os.kill(min(pids), signal.SIGKILL)  # the master forks a replacement while flushes run
    slow = []
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        began = time.monotonic()
        status, result = svc.flush(timeout=10)
        slow.append(time.monotonic() - began)
    assert max(slow) < 3.0, slow
    wait_for(lambda: len(svc.registrations()) == 3, 30, 0.1, "the replacement worker to register")
    status, result = svc.flush(timeout=10)
    assert result["ok"] and len(result["acks"]) == 3, result


# --- 2. ok means saved ------------------------------------------------------------


def test_deleted_request_file_still_saves(service):
    svc = service(UVICORN)
    for _ in range(3):
        svc.get("/branchy?flag=0")
        assert svc.flush()[1]["ok"]
    (registry(svc) / "request.json").unlink()
    svc.get("/branchy?flag=1")
    status, result = svc.flush()
    assert status == 200 and result["ok"], result
    assert mark_line("FLAG_ONE") in executed_lines(result["acks"][0]["data_file"], svc.source)


def test_removed_registry_is_not_ok_and_the_agent_registers_again(service):
    svc = service(UVICORN)
    assert svc.flush()[1]["ok"]
    import shutil

    shutil.rmtree(registry(svc))
    status, result = svc.flush()
    assert not result["ok"] and "was missing" in result["error"], result
    wait_for(lambda: any(r["pid"] == svc.proc.pid for r in svc.registrations()), 10, 0.1,
             "the agent to register again")
    svc.get("/branchy?flag=1")
    status, result = svc.flush()
    assert result["ok"], result
    assert mark_line("FLAG_ONE") in executed_lines(result["acks"][0]["data_file"], svc.source)
    assert any("registered again" in line for line in svc.agent_lines())


def test_data_file_gone_is_not_ok(service):
    svc = service(UVICORN)
    status, result = svc.flush()
    data_file = result["acks"][0]["data_file"]
    os.rename(data_file, data_file + ".moved")
    svc.get("/a")
    status, result = svc.flush()
    assert not result["ok"] and result["acks"][0]["error"], result
    assert result["error"].startswith(f"pid {svc.proc.pid}: ")


def test_full_data_dir_is_not_ok(service, tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        svc = service(UVICORN, env={"PYCOV_HARVEST_DATA_DIR": str(mount)})
        svc.data_dir = mount
        # Full before the first save: the data file cannot be written at all.
        filler = mount / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        for path in ("/a", "/b", "/branchy?flag=1", "/pid"):
            svc.get(path)
        status, result = svc.flush()
        assert not result["ok"], result
        assert "full" in result["error"].lower(), result  # SQLite: database or disk is full
        filler.unlink()
        status, result = svc.flush()
        assert result["ok"], result["error"]
        assert mark_line("B") in executed_lines(result["acks"][0]["data_file"], svc.source)
    finally:
        svc.stop()
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


# --- 3. only token holders trigger --------------------------------------------------


def test_wake_message_without_the_token_triggers_nothing(service):
    token = "s3cret-token"
    svc = service(UVICORN, env={"PYCOV_HARVEST_TOKEN": token})
    reg = own_registration(svc)
    assert reg.get("mac"), "the registration is signed"
    status, result = svc.flush(token=token)
    assert result["ok"]
    before = svc.ack(svc.proc.pid)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        for message in (b"req 1000000 1 http - abcdef", b"req 1000001 1 http - abcdef 00ff",
                        b"req 1000002 1 http - abcdef " + b"0" * 64):
            s.sendto(message, "\0" + reg["wake"])
    time.sleep(0.5)
    assert svc.ack(svc.proc.pid) == before, "no save, no reset"
    svc.get("/a")
    status, result = svc.flush(token=token)
    assert result["ok"] and not result["acks"][0]["reset"]
    assert mark_line("A") in executed_lines(result["acks"][0]["data_file"], svc.source)
    assert any("not signed" in line for line in svc.agent_lines())


def test_forged_registration_and_ack_are_ignored_with_a_token(service):
    token = "s3cret-token"
    svc = service(UVICORN, env={"PYCOV_HARVEST_TOKEN": token})
    forged = dict(own_registration(svc))
    forged.pop("mac")
    forged["pid"] = 999999
    (registry(svc) / f"proc-{forged['host']}-999999.json").write_text(json.dumps(forged))
    status, result = svc.flush(token=token)
    assert result["ok"] and [a["pid"] for a in result["acks"]] == [svc.proc.pid], result


# --- 4. registrations do not name victims or signals ---------------------------------


def test_forged_registration_never_gets_a_signal(service):
    svc = service(UVICORN)
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = socket.gethostname()
        for sig in ("SIGKILL", "SIGUSR1"):
            forged = {"pid": victim.pid, "host": host, "wake": None, "signal": sig, "port": None,
                      "python": "3", "coverage": "7"}
            (registry(svc) / f"proc-{host}-{victim.pid}.json").write_text(json.dumps(forged))
            status, result = svc.flush()
            assert victim.poll() is None, f"a forged registration made the flush send {sig}"
            assert not result["ok"]
            (reason,) = [m["reason"] for m in result["missing"]]
            assert "not signalled" in reason or "does not handle" in reason, reason
    finally:
        victim.kill()
        victim.wait()


def test_malformed_files_are_skipped_with_one_line(service):
    svc = service(UVICORN)
    host = socket.gethostname()
    (registry(svc) / f"proc-{host}-1.json").write_text(json.dumps({"pid": "abc", "host": host}))
    (registry(svc) / f"proc-{host}-2.json").write_text(json.dumps({"pid": 2, "host": host, "wake": 5}))
    (registry(svc) / f"proc-{host}-3.json").write_bytes(b"\xff\xfe not json")
    (registry(svc) / "request.json").write_text(json.dumps({"seq": "x"}))
    for _ in range(3):
        svc.get("/a")
        status, result = svc.flush()
        assert result["ok"], result
    lines = [line for line in svc.agent_lines() if "skipped the registration" in line]
    assert len(lines) == 3, svc.agent_lines()
    assert any("malformed 'seq'" in line for line in svc.agent_lines())


def test_registration_records_start_time_and_command_line(service):
    from pycov_harvest import procfs

    svc = service(UVICORN)
    reg = own_registration(svc)
    assert reg["start_ticks"] == procfs.start_ticks(svc.proc.pid)
    assert reg["cmdline"] == procfs.cmdline(svc.proc.pid)


# --- 6. packing and leftovers ---------------------------------------------------------


def test_stale_temporary_files_are_cleaned_up(service):
    svc = service(UVICORN)
    old = time.time() - 3600
    leftovers = [registry(svc) / f".tmp-left{i}.json" for i in range(3)]
    for path in leftovers:
        path.write_text("{")
        os.utime(path, (old, old))
    assert svc.flush()[1]["ok"]
    assert not any(p.exists() for p in leftovers)


# --- 7. autosave --------------------------------------------------------------------


def test_autosave_keeps_data_up_to_the_last_autosave_through_sigkill(service):
    svc = service(UVICORN, env={"PYCOV_HARVEST_AUTOSAVE": "1"})
    svc.get("/branchy?flag=1")
    t0 = time.time()
    ack = svc.wait_for_ack(svc.proc.pid, since=t0, trigger="autosave", timeout=5)
    os.killpg(svc.proc.pid, signal.SIGKILL)
    svc.proc.wait(10)
    assert mark_line("FLAG_ONE") in executed_lines(ack["data_file"], svc.source)


def test_autosave_bad_value_is_one_line(service):
    svc = service(UVICORN, env={"PYCOV_HARVEST_AUTOSAVE": "0.5"})
    (line,) = svc.agent_lines()
    assert "PYCOV_HARVEST_AUTOSAVE='0.5'" in line


# --- 5. GET /data is streamed -----------------------------------------------------------


def peak_rss_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise LookupError("VmHWM")


def test_data_is_streamed_not_read_whole(service):
    svc = service(UVICORN)
    assert svc.flush()[1]["ok"]
    big = svc.data_dir / ".coverage.big"
    page = 4096
    header = bytearray(b"SQLite format 3\x00" + b"\x00" * (page - 16))
    header[16:18] = page.to_bytes(2, "big")
    with open(big, "wb") as f:
        f.write(header)
        f.truncate(200 << 20)  # a 200 MiB "database"
    before = peak_rss_kib(svc.proc.pid)
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", svc.agent_port, timeout=60)
    conn.request("GET", "/pycov-harvest/data")
    response = conn.getresponse()
    assert response.status == 200 and response.getheader("Transfer-Encoding") == "chunked"
    received = 0
    while chunk := response.read(1 << 20):
        received += len(chunk)
    conn.close()
    assert received > 200 << 20
    grew_mib = (peak_rss_kib(svc.proc.pid) - before) / 1024
    assert grew_mib < 30, f"the service grew by {grew_mib:.0f} MiB while sending 200 MiB"
