"""Proof 6: a bad configuration gives one clear line on stderr and the service
still starts and serves, with the triggers that still work."""

import io
import json
import os
import signal
import socket
import tarfile
import time

from conftest import executed_lines, mark_line, request

UVICORN = ["{python}", "-m", "uvicorn", "service:app", "--host", "127.0.0.1", "--port", "{port}"]


def signal_flush_works(svc):
    svc.get("/a")
    t0 = time.time()
    os.kill(svc.proc.pid, signal.SIGUSR1)
    ack = svc.wait_for_ack(svc.proc.pid, since=t0)
    return mark_line("A") in executed_lines(ack["data_file"], svc.source)


def test_data_dir_unusable(service, tmp_path):
    not_a_dir = tmp_path / "a-file"
    not_a_dir.write_text("")
    svc = service(UVICORN, env={"PYCOV_HARVEST_DATA_DIR": str(not_a_dir)})
    assert svc.get("/a") == {"route": "a"}
    (line,) = svc.agent_lines()
    assert f"data directory {not_a_dir} is not usable" in line and "PYCOV_HARVEST_DATA_DIR" in line


def test_port_taken(service, tmp_path):
    svc = service(UVICORN, start=False)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", svc.agent_port))
        squatter.listen()
        svc.start()
        assert svc.get("/a") == {"route": "a"}
        (line,) = svc.agent_lines()
        assert f"cannot listen on 127.0.0.1:{svc.agent_port}" in line and "PYCOV_HARVEST_PORT" in line
        (reg,) = svc.registrations()
        assert reg["port"] is None
        assert signal_flush_works(svc)


def test_unknown_signal_name(service):
    svc = service(UVICORN, env={"PYCOV_HARVEST_SIGNAL": "SIGFOO"})
    assert svc.get("/a") == {"route": "a"}
    (line,) = svc.agent_lines()
    assert "PYCOV_HARVEST_SIGNAL='SIGFOO' is not a signal name" in line
    (reg,) = svc.registrations()
    assert reg["signal"] is None
    status, result = svc.flush()
    assert result["ok"]
    assert mark_line("A") in executed_lines(result["acks"][0]["data_file"], svc.source)


def test_non_loopback_without_token(service):
    svc = service(UVICORN, env={"PYCOV_HARVEST_HOST": "0.0.0.0"})
    assert svc.get("/a") == {"route": "a"}
    (line,) = svc.agent_lines()
    assert "PYCOV_HARVEST_HOST=0.0.0.0 is not loopback and PYCOV_HARVEST_TOKEN is unset" in line
    (reg,) = svc.registrations()
    assert reg["port"] is None
    assert signal_flush_works(svc)


def test_token_is_required_when_set(service):
    svc = service(UVICORN, env={"PYCOV_HARVEST_HOST": "0.0.0.0", "PYCOV_HARVEST_TOKEN": "s3cret"})
    assert svc.agent_lines() == []
    assert request("POST", svc.agent_port, "/pycov-harvest/flush")[0] == 401
    bad = {"Authorization": "Bearer wrong"}
    assert request("GET", svc.agent_port, "/pycov-harvest/status", headers=bad)[0] == 401
    status, result = svc.flush(token="s3cret")
    assert status == 200 and result["ok"]


def test_status_data_and_unknown_paths(service):
    svc = service(UVICORN)
    svc.get("/a")
    assert svc.flush()[1]["ok"]
    status, body = request("GET", svc.agent_port, "/pycov-harvest/status")
    assert status == 200
    processes = json.loads(body)["processes"]
    assert [p["pid"] for p in processes] == [svc.proc.pid]
    status, body = request("GET", svc.agent_port, "/pycov-harvest/data")
    assert status == 200
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        names = tar.getnames()
        # The data files, then the manifest that names each with its SHA-256.
        assert names[-1] == ".pycov-harvest-manifest.json"
        data_names = names[:-1]
        assert data_names and all(n.startswith(".coverage.") and "/" not in n for n in data_names)
        extracted = tar.extractfile(data_names[0]).read()
        manifest = json.loads(tar.extractfile(names[-1]).read())
    assert extracted == (svc.data_dir / data_names[0]).read_bytes()
    assert [f["name"] for f in manifest["files"]] == data_names
    assert request("GET", svc.agent_port, "/nope")[0] == 404
    packed = svc.cli("pack")
    assert packed.returncode == 0
    with tarfile.open(fileobj=io.BytesIO(packed.stdout)) as tar:
        assert tar.getnames() == names
    status_cli = svc.cli("status")
    assert json.loads(status_cli.stdout)["processes"][0]["pid"] == svc.proc.pid


def test_cli_flush_without_agent_processes(tmp_path):
    import subprocess
    import sys

    empty = tmp_path / "empty"
    empty.mkdir()
    done = subprocess.run([sys.executable, "-m", "pycov_harvest", "--data-dir", str(empty), "flush"],
                          capture_output=True)
    assert done.returncode == 2
    assert "no agent process is registered" in json.loads(done.stdout)["error"]
