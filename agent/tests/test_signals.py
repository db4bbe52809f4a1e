"""Signal chaining in a real process with the agent on: the agent's save runs
first, then the handler the program installed after the agent; code that asks
for the current handler sees its own; a default SIGTERM still ends the process."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

from conftest import wait_for


# The programs announce "ready" with os.write, not print: from Python 3.14 a signal handler can run
# while the main thread is still inside print's flush of stdout (after the bytes reached the
# pipe), and a handler that prints then fails with "reentrant call inside BufferedWriter", with
# or without the agent.
def start(tmp_path, script):
    data_dir = tmp_path / "coverdata"
    (tmp_path / "main.py").write_text(textwrap.dedent(script))
    env = dict(os.environ, PYCOV_HARVEST="1", PYCOV_HARVEST_DATA_DIR=str(data_dir), PYCOV_HARVEST_PORT="off")
    proc = subprocess.Popen([sys.executable, "main.py"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc, data_dir


def test_sigterm_saves_before_the_programs_own_handler(tmp_path):
    proc, data_dir = start(tmp_path, """
        import glob, json, os, signal, sys, threading
        def on_term(signum, frame):
            # By the time the program's handler runs, the agent's save is acknowledged.
            (path,) = glob.glob(os.path.join(os.environ["PYCOV_HARVEST_DATA_DIR"], ".pycov-harvest", "ack-*.json"))
            print(json.load(open(path))["trigger"], flush=True)
            sys.exit(0)
        previous = signal.signal(signal.SIGTERM, on_term)
        sees_own = previous is signal.SIG_DFL and signal.getsignal(signal.SIGTERM) is on_term
        sys.stderr.write(f"sees its own handler: {sees_own}\\n")
        os.write(1, b"ready\\n")
        threading.Event().wait(30)
    """)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert out.strip() == "sigterm"
    assert "sees its own handler: True" in err


def test_save_signal_runs_both_and_default_sigterm_still_kills(tmp_path):
    proc, data_dir = start(tmp_path, """
        import os, signal, threading
        got = threading.Event()
        signal.signal(signal.SIGUSR1, lambda s, f: (print("server usr1", flush=True), got.set()))
        os.write(1, b"ready\\n")
        got.wait(30)
        threading.Event().wait(30)
    """)
    t0 = time.time()
    proc.send_signal(signal.SIGUSR1)
    assert proc.stdout.readline().strip() == "server usr1"
    ack_file = next((data_dir / ".pycov-harvest").glob("ack-*.json"), None) or wait_for(
        lambda: next((data_dir / ".pycov-harvest").glob("ack-*.json"), None), 5, what="the signal ack")
    ack = wait_for(lambda: (a := json.loads(ack_file.read_text())) and a["time"] >= t0 and a, 5, what="ack")
    assert ack["trigger"] == "signal"
    proc.send_signal(signal.SIGTERM)
    proc.wait(15)
    assert proc.returncode == -signal.SIGTERM, "without a program handler SIGTERM still terminates"
    assert json.loads(ack_file.read_text())["trigger"] == "sigterm", "after saving first"
    assert not list((data_dir / ".pycov-harvest").glob("proc-*.json")), "and unregistering"


def test_sigterm_left_alone_when_disabled(tmp_path):
    data_dir = tmp_path / "coverdata"
    (tmp_path / "main.py").write_text(textwrap.dedent("""
        import signal, sys, threading
        signal.signal(signal.SIGTERM, lambda s, f: sys.exit(3))
        print("ready", flush=True)
        threading.Event().wait(30)
    """))
    env = dict(os.environ, PYCOV_HARVEST="1", PYCOV_HARVEST_DATA_DIR=str(data_dir), PYCOV_HARVEST_PORT="off",
               PYCOV_HARVEST_SIGTERM="0")
    proc = subprocess.Popen([sys.executable, "main.py"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    (reg,) = [json.loads(p.read_text()) for p in (data_dir / ".pycov-harvest").glob("proc-*.json")]
    assert reg["sigterm"] is False
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 3
    (ack,) = [json.loads(p.read_text()) for p in (data_dir / ".pycov-harvest").glob("ack-*.json")]
    assert ack["trigger"] == "exit", "no save on SIGTERM itself, only the normal one at exit"
