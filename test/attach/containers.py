"""Real containers for the attach tests, on podman and on the private Docker engine: the service
from its own image with the first users' entrypoint (bash PID 1, UID 1001), and the injector:
a second container from the same image sharing the service's PID and network namespaces."""

import json
import os
import subprocess
import tempfile
import time
import urllib.request
import uuid

from payload import argv as attach_argv

DOCKER_HOST = "unix:///run/pycov-harvest-docker.sock"
ENGINES = ("podman", "docker")
# test/images' service images (the first users' stack: uvicorn 0.30.6, the newest coverage,
# /first-users-entrypoint.sh) and the shell-less copy of the 3.12 one (distroless/Containerfile).
IMAGES = {"3.12": "localhost/pycov-harvest/service:py3.12",
          "3.13": "localhost/pycov-harvest/service:py3.13",
          "3.14": "localhost/pycov-harvest/service:py3.14",
          "3.12-distroless": "localhost/pycov-harvest/attach-service:py3.12-distroless"}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PORT = 8080  # the first users' entrypoint's
RUN_TIMEOUT = 60


def engine_cmd(engine):
    return ["podman"] if engine == "podman" else ["docker", "-H", DOCKER_HOST]


def run(engine, args, timeout=RUN_TIMEOUT, check=True):
    out = subprocess.run(engine_cmd(engine) + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=timeout)
    if check and out.returncode != 0:
        raise RuntimeError("%s %s: %s" % (engine, " ".join(args[:3]), out.stderr.decode()[-2000:]))
    return out


def ensure_image(engine, version):
    """The image in the engine's store (test/images/build.sh makes the service images; the
    shell-less one is built here)."""
    if engine == "docker" and not os.path.exists(DOCKER_HOST[len("unix://"):]):
        subprocess.run(["bash", os.path.join(ROOT, "test", "images", "setup-docker.sh")], check=True, timeout=300)
    image = IMAGES[version]
    if run(engine, ["image", "inspect", image], check=False).returncode == 0:
        return image
    if version != "3.12-distroless":
        raise RuntimeError("%s is not in %s's store: run test/images/build.sh" % (image, engine))
    run(engine, ["build", "-q", "--build-arg", "BASE=" + IMAGES["3.12"], "-t", image,
                 os.path.join(ROOT, "test", "attach", "distroless")], timeout=600)
    return image


def seccomp_profile(denied):
    """A profile that allows everything but the named system calls (EPERM)."""
    path = os.path.join(tempfile.mkdtemp(prefix="attach-seccomp-"), "profile.json")
    with open(path, "w") as f:
        json.dump({"defaultAction": "SCMP_ACT_ALLOW",
                   "syscalls": [{"names": list(denied), "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}, f)
    return path


class ServiceContainer:
    """The first users' entrypoint, unchanged, as the container's entrypoint."""

    def __init__(self, engine, version, env=None, entrypoint="/first-users-entrypoint.sh"):
        self.engine = engine
        self.image = ensure_image(engine, version)
        self.name = "attach-%s" % uuid.uuid4().hex[:10]
        env_args = [a for k, v in sorted((env or {}).items()) for a in ("-e", "%s=%s" % (k, v))]
        run(engine, ["run", "-d", "--name", self.name, "-p", "127.0.0.1::%d" % PORT] + env_args +
            (["--entrypoint", entrypoint] if entrypoint else []) + [self.image])
        ports = run(engine, ["port", self.name, str(PORT)]).stdout.decode().split()[0]
        self.port = int(ports.rsplit(":", 1)[1])
        deadline = time.monotonic() + 30
        while True:
            try:
                self.get("/health")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("service did not start: %s" % self.logs()) from None
                time.sleep(0.2)

    def get(self, path, timeout=5.0):
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.port, path), timeout=timeout) as r:
            return r.status, r.read().decode()

    def logs(self):
        out = run(self.engine, ["logs", self.name], check=False)
        return (out.stdout + out.stderr).decode(errors="replace")

    def python_pids(self):
        """(pid, interpreter path) of the Python processes in the container, as the harvest finds them."""
        code = ("import os, json\n"
                "r = []\n"
                "for p in os.listdir('/proc'):\n"
                "    if p.isdigit() and int(p) != os.getpid():\n"
                "        try: exe = os.readlink('/proc/%s/exe' % p)\n"
                "        except OSError: continue\n"
                "        if os.path.basename(exe).startswith('python'): r.append([int(p), exe])\n"
                "print(json.dumps(r))\n")
        out = run(self.engine, ["exec", self.name, "/opt/venv/bin/python", "-S", "-c", code])
        return [tuple(x) for x in json.loads(out.stdout)]

    def exec_python(self, code, *args):
        return run(self.engine, ["exec", self.name, "/opt/venv/bin/python", "-c", code] + list(args)).stdout.decode()

    def measured_lines(self, marker_file="/app/src/main.py"):
        code = ("import coverage, glob, json\n"
                "lines = set()\n"
                "for p in glob.glob('/coverdata/.coverage*'):\n"
                "    d = coverage.CoverageData(p); d.read(); lines |= set(d.lines('%s') or [])\n"
                "print(json.dumps(sorted(lines)))\n" % marker_file)
        return set(json.loads(self.exec_python(code)))

    def remove(self):
        run(self.engine, ["rm", "-f", self.name], check=False)


def inject(svc, pids, exe, extra=None, user="0", caps=("SYS_PTRACE",), timeout=10.0, route="auto",
           share_pid=True):
    """Runs attach in a short-lived container from the service's own image; (events by pid, seconds)."""
    args = ["run", "--rm"] + (["--pid", "container:" + svc.name] if share_pid else []) + [
        "--network", "container:" + svc.name, "--user", user, "--entrypoint", exe, "--name", svc.name + "-inject"]
    args += [a for c in caps for a in ("--cap-add", c)] + list(extra or [])
    t0 = time.monotonic()
    out = run(svc.engine, args + [svc.image] + attach_argv({"pids": pids, "timeout": timeout, "route": route}),
              timeout=timeout + 60)
    elapsed = time.monotonic() - t0
    events = [json.loads(line) for line in out.stdout.decode().splitlines()]
    return dict((e["pid"], e) for e in events), elapsed


def line_numbers(image_file_text, marker):
    return [n for n, line in enumerate(image_file_text.splitlines(), 1) if marker in line]
