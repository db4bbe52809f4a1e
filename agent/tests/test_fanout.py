"""The fan-out's fallback: a process without a reachable wake socket is sent
the save signal and answers the newest request."""

import json

from conftest import executed_lines, mark_line

UVICORN = ["{python}", "-m", "uvicorn", "service:app", "--host", "127.0.0.1", "--port", "{port}"]


def test_process_without_wake_socket_is_flushed_through_the_save_signal(service):
    svc = service(UVICORN, env={"PYCOV_HARVEST_PORT": "off"})
    svc.get("/a")
    (path,) = (svc.data_dir / ".pycov-harvest").glob("proc-*.json")
    registration = json.loads(path.read_text())
    registration["wake"] = None  # as on a system without abstract unix sockets
    path.write_text(json.dumps(registration))
    done = svc.cli("flush", "--reset")
    assert done.returncode == 0, done.stdout
    result = json.loads(done.stdout)
    (ack,) = result["acks"]
    assert ack["trigger"] == "signal" and ack["seq"] == result["seq"] and ack["reset"] is True
    assert mark_line("A") in executed_lines(ack["data_file"], svc.source)
