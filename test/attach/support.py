"""Real services for the attach tests: a Python under `coverage run` serving test/attach/app.py
with uvicorn or gunicorn, a client that holds an SSE stream open, and the attach program run
as the action would run it (its own process, the target's Python)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APP = os.path.join(ROOT, "test", "attach", "app.py")
VENVS = os.path.expanduser(os.environ.get("PYCOV_HARVEST_CACHE", "~/.cache/pycov-harvest") + "/attach-venvs")
VERSIONS = ("3.8.18", "3.11.7", "3.12.1", "3.13.0", "3.14")
# Debian forky's python3.14, run through forky.sh (a chroot sharing the host's pids and ports).
FORKY = os.path.join(ROOT, "test", "attach", "forky.sh")
FORKY_PYTHON = "/opt/attach-venv/bin/python"
START_TIMEOUT = 20.0
ATTACH_TIMEOUT = 10.0


def venv_python(version):
    if version == "3.14":
        return FORKY_PYTHON
    return os.path.join(VENVS, "py" + version, "bin", "python")


def command(version, argv, cwd=None, env=None):
    """argv run with `version`'s Python (argv[0] is its path), in forky's root for 3.14."""
    if version != "3.14":
        return argv
    pairs = ["%s=%s" % kv for kv in sorted((env or {}).items())]
    return [FORKY, "/bin/sh", "-c", 'cd "$0" && exec /usr/bin/env "$@"', cwd or "/"] + pairs + argv


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path="/", timeout=5.0):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=timeout) as r:
        return r.status, r.read().decode()


class Stream(threading.Thread):
    """An SSE client that stays connected and counts the events it gets."""

    def __init__(self, port):
        threading.Thread.__init__(self, daemon=True)
        self.port = port
        self.events = 0
        self.error = None
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
        self.start()

    def run(self):
        try:
            while True:
                chunk = self.sock.recv(4096)
                if not chunk:
                    self.error = "closed by the server"
                    return
                self.events += chunk.count(b"data: ")
        except OSError as e:
            self.error = str(e)

    def close(self):
        self.sock.close()


class Service:
    """`python -m coverage run --rcfile=rc -m <server> ...` in a fresh directory."""

    def __init__(self, version, server="uvicorn", workers=1, env=None, rc_extra="", python=None, python_opts=()):
        self.dir = tempfile.mkdtemp(prefix="attach-svc-")
        shutil.copy(APP, self.dir)
        self.port = free_port()
        self.python = python or venv_python(version)
        with open(os.path.join(self.dir, "rc"), "w") as f:
            f.write("[run]\nsigterm = true\nsource = %s\ndata_file = %s/.coverage\n%s"
                    % (self.dir, self.dir, rc_extra))
        if server == "idle":
            shutil.copy(os.path.join(ROOT, "test", "attach", "idle_server.py"), self.dir)
            cmd = ["idle_server.py", str(self.port)]
        elif server == "uvicorn":
            cmd = ["-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(self.port),
                   "--loop", "asyncio", "--workers", str(workers)]
        else:
            cmd = ["-m", "gunicorn", "-w", str(workers), "-k", "uvicorn.workers.UvicornWorker",
                   "-b", "127.0.0.1:%d" % self.port, "app:app"]
        full_env = dict(os.environ, PYTHONUNBUFFERED="1")
        full_env.update(env or {})
        self.log = open(os.path.join(self.dir, "service.log"), "w")
        argv = command(version, [self.python] + list(python_opts) + ["-m", "coverage", "run", "--rcfile=rc"] + cmd, self.dir, full_env
                       if version != "3.14" else dict(env or {}, PYTHONUNBUFFERED="1"))
        self.proc = subprocess.Popen(argv,
                                     cwd=self.dir, env=full_env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                get(self.port)
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("service did not start: %s" % self.read_log()) from None
                time.sleep(0.1)

    def read_log(self):
        with open(os.path.join(self.dir, "service.log")) as f:
            return f.read()

    def pids(self):
        """The main process and every Python process below it."""
        found = [self.proc.pid]
        for pid in list(found):
            found += children(pid)
        return sorted(set(found))

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def children(pid):
    kids = []
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/children" % (pid, task)) as f:
                kids += [int(k) for k in f.read().split()]
        except OSError:
            pass
    return kids + [g for k in kids for g in children(k)]


def attach_with(args, version):
    """The attach program with these exact arguments; events by pid."""
    return attach(args["pids"], version, args=args)[0]


def attach(pids, version, timeout=ATTACH_TIMEOUT, route="auto", extra_env=None, injector=None, args=None):
    """Runs the attach program as its own process; (events by pid, seconds it took)."""
    path = {"PYTHONPATH": os.path.join(ROOT, "src", "remote") + os.pathsep + os.path.join(ROOT, "agent")}
    path.update(extra_env or {})
    env = dict(os.environ, **path)
    code = ("import sys; from pycov_harvest_remote import attach, output; "
            "sys.exit(output.run(attach.main))")
    t0 = time.monotonic()
    args = args or {"pids": pids, "timeout": timeout, "route": route}
    argv = [injector or venv_python(version), "-S", "-c", code, json.dumps(args)]
    if version == "3.14":
        # As `docker exec` does: join the target's mount namespace and root, where the paths in
        # its /proc/<pid>/maps (which sys.remote_exec opens) name its own files.
        argv = ["nsenter", "-t", str(pids[0]), "-m", "-r", "-w", "/usr/bin/env", "-i"] + [
            "%s=%s" % kv for kv in sorted(path.items())] + argv
    else:
        argv = command(version, argv, env=path)
    out = subprocess.run(argv,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=args.get("timeout", timeout) + 20)
    elapsed = time.monotonic() - t0
    if out.returncode != 0:
        raise RuntimeError("attach exited %d: %s" % (out.returncode, out.stderr.decode()))
    events = [json.loads(line) for line in out.stdout.decode().splitlines()]
    return dict((e["pid"], e) for e in events), elapsed


def measured_lines(version, data_dir, source):
    """Line numbers of `source` in all data files of data_dir, read by coverage.py itself."""
    code = ("import coverage, glob, json, sys\n"
            "lines = set()\n"
            "for p in glob.glob(sys.argv[1] + '/.coverage*'):\n"
            "    d = coverage.CoverageData(p); d.read(); lines |= set(d.lines(sys.argv[2]) or [])\n"
            "print(json.dumps(sorted(lines)))\n")
    out = subprocess.run(command(version, [venv_python(version), "-c", code, data_dir, source]),
                         stdout=subprocess.PIPE, check=True, timeout=60)
    return set(json.loads(out.stdout))


def line_of(text):
    with open(APP) as f:
        for number, line in enumerate(f, 1):
            if text in line:
                return number
    raise AssertionError("no %r in app.py" % text)

