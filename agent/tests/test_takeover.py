"""When the process that owns the HTTP listener exits while other agent
processes of the service keep running, one of them takes the listener over."""

import json
import os
import signal
import subprocess
import sys
import textwrap

from conftest import free_port, request, wait_for


def test_listener_taken_over_after_owner_exits(tmp_path):
    data_dir = tmp_path / "coverdata"
    (tmp_path / "child.py").write_text("import threading\nthreading.Event().wait(120)\n")
    (tmp_path / "parent.py").write_text(textwrap.dedent("""
        import subprocess, sys, threading
        subprocess.Popen([sys.executable, "child.py"])
        threading.Event().wait(120)
    """))
    port = free_port()
    env = dict(os.environ, PYCOV_HARVEST="1", PYCOV_HARVEST_DATA_DIR=str(data_dir), PYCOV_HARVEST_PORT=str(port))
    parent = subprocess.Popen([sys.executable, "parent.py"], cwd=tmp_path, env=env, start_new_session=True)
    try:
        def registrations():
            return {r["pid"]: r for p in (data_dir / ".pycov-harvest").glob("proc-*.json")
                    if (r := json.loads(p.read_text()))}

        regs = wait_for(lambda: len(r := registrations()) == 2 and r, 20, 0.05, "parent and child to register")
        (child,) = [pid for pid in regs if pid != parent.pid]
        assert regs[parent.pid]["port"] == port and regs[child]["port"] is None
        parent.send_signal(signal.SIGTERM)
        parent.wait(10)
        wait_for(lambda: registrations().get(child, {}).get("port") == port, 15, 0.1, "the child to take over")
        status, body = request("POST", port, "/pycov-harvest/flush")
        result = json.loads(body)
        assert status == 200 and result["ok"] and [a["pid"] for a in result["acks"]] == [child]
    finally:
        os.killpg(parent.pid, signal.SIGKILL)
