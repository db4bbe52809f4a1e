# pycov-harvest: no-agent
# (That line keeps the agent from starting in these programs: they inherit PYCOV_HARVEST=1 from
# the target's environment; see docs/protocol.md.)
# Shared helpers for the programs the action runs inside targets with the target's own Python.
# Standard library only, Python 3.8+. Prepended to each program; arguments arrive as one JSON
# document in sys.argv[1]; results leave as JSON lines on stdout.
import json
import os
import stat
import sys
import time

DATA_SUFFIXES = ("-journal", "-wal", "-shm")
SERVERS = ("uvicorn", "gunicorn", "hypercorn")


def args():
    return json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def is_data_file(name):
    if name != ".coverage" and not name.startswith(".coverage."):
        return False
    return not name.endswith(DATA_SUFFIXES)


def data_files(data_dir):
    found = []
    try:
        names = sorted(os.listdir(data_dir))
    except OSError:
        return found
    for name in names:
        if not is_data_file(name):
            continue
        try:
            st = os.lstat(os.path.join(data_dir, name))
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            found.append({"name": name, "size": st.st_size, "mtime": st.st_mtime})
    return found


def journal_pending(data_dir, names):
    """True while SQLite still has a journal beside one of these data files (a save in progress)."""
    return any(os.path.exists(os.path.join(data_dir, name + suffix)) for name in names for suffix in DATA_SUFFIXES)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def registrations(data_dir):
    reg_dir = os.path.join(data_dir, ".pycov-harvest")
    found = []
    try:
        names = sorted(os.listdir(reg_dir))
    except OSError:
        return found
    for name in names:
        if name.startswith("proc-") and name.endswith(".json"):
            reg = read_json(os.path.join(reg_dir, name))
            # An agent that ignores the no-agent line may have registered this very program.
            if (isinstance(reg, dict) and isinstance(reg.get("pid"), int) and reg["pid"] != os.getpid()
                    and pid_alive(reg["pid"])):
                found.append(reg)
    return found


def ack_of(data_dir, host, pid):
    return read_json(os.path.join(data_dir, ".pycov-harvest", "ack-%s-%d.json" % (host, pid)))


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            raw = f.read()
    except OSError:
        return []
    return [part.decode("utf-8", "replace") for part in raw.split(b"\0")[:-1]]


def ppid_of(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def is_python(pid, argv):
    names = [os.path.basename(argv[0])] if argv else []
    try:
        names.append(os.path.basename(os.readlink("/proc/%d/exe" % pid)))
    except OSError:
        pass
    return any(n.startswith("python") or n.startswith("pypy") for n in names)


def option(argv, flag):
    for i, item in enumerate(argv):
        if item == flag and i + 1 < len(argv):
            return argv[i + 1]
        if item.startswith(flag + "="):
            return item[len(flag) + 1:]
    return None


def server_of(argv):
    for item in argv[1:]:
        base = os.path.basename(item)
        if base in SERVERS:
            return base
    return None


def environ_of(pid):
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            raw = f.read()
    except OSError:
        return {}
    env = {}
    for part in raw.split(b"\0"):
        key, sep, value = part.partition(b"=")
        if sep:
            env[key.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
    return env


def graceful_timeout(pid, argv, server):
    """Seconds the server waits for connections on SIGTERM: a number, "default" or None (forever)."""
    if server == "uvicorn":
        value = option(argv, "--timeout-graceful-shutdown")
        if value is None:
            value = environ_of(pid).get("UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN")
    elif server in ("gunicorn", "hypercorn"):
        value = option(argv, "--graceful-timeout") or "default"
    else:
        return None
    if value is None or value == "default":
        return value
    try:
        return float(value)
    except ValueError:
        return None


def python_processes():
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        pid = int(entry)
        argv = cmdline(pid)
        if not argv or not is_python(pid, argv):
            continue
        server = server_of(argv)
        coverage_run = "coverage" in [os.path.basename(a) for a in argv[1:3]] and "run" in argv
        found.append({
            "pid": pid,
            "ppid": ppid_of(pid),
            "argv": argv,
            "server": server,
            "coverage_run": coverage_run,
            "save_signal": option(argv, "--save-signal") if coverage_run else None,
            "graceful_timeout": graceful_timeout(pid, argv, server),
        })
    pids = set(p["pid"] for p in found)
    for proc in found:
        proc["top"] = proc["ppid"] not in pids
    return found


# File times come from the kernel's coarse clock, which trails time.time() by up to a few
# milliseconds: a save made right after the trigger can carry an mtime just before it.
MTIME_SLACK = 0.05


def wait_stable(data_dir, t0, deadline, want=1):
    """Polls for data files written at or after t0, until their sizes stop changing."""
    last = None
    while True:
        fresh = [f for f in data_files(data_dir) if f["mtime"] >= t0 - MTIME_SLACK and f["size"] > 0]
        snapshot = sorted((f["name"], f["size"], f["mtime"]) for f in fresh)
        if len(fresh) >= want and snapshot == last and not journal_pending(data_dir, [f["name"] for f in fresh]):
            return fresh
        if time.time() >= deadline:
            return None
        last = snapshot
        time.sleep(0.2)
