#!/usr/bin/env python3
"""The force-quit table (docs/action.md, "Which servers can be stopped with a stream open").

For each uvicorn release and Python, runs the e2e test app (test/images/app: FastAPI, an SSE
`/stream` through Starlette's StreamingResponse) under `coverage run` with `[run] sigterm = true`,
opens one stream and keeps it open, then does what the action's sigterm method does: SIGTERM,
and SIGINT (uvicorn's force quit) 3 s later when the process is still alive. Records whether the
process exited and when the coverage data file appeared, bounded at --bound seconds; once
without a graceful timeout and once with `--timeout-graceful-shutdown 5`.

Pythons: pyenv's 3.11.7, 3.12.1, 3.13.0 on this host; 3.14 is Debian forky's python3.14 in the
root that test/images/lib.sh `ensure_root` makes, run through chroot as agent/run-tests.sh does.
Each Python gets one venv with requirements-service-newest.txt (fastapi, coverage = the newest);
each uvicorn release is installed (pip --target, no dependencies: click and h11 come from the
venv) into a directory of its own that goes first on PYTHONPATH. uvicorn runs with its defaults
(`--loop auto --http auto`): with --variant plain the venv has no uvloop and no httptools, so it
uses asyncio and h11, as after `pip install uvicorn` (and as our first users' `--loop asyncio`);
with --variant standard the venv also has what `uvicorn[standard]` brings for them (uvloop,
httptools), so it uses those.

Usage (as root): python3 test/stacks/force_quit_table.py [--pythons 3.12,3.13] [--uvicorn 0.30.6]
    [--variant plain|standard] [--graceful none,5] [--jobs 2] [--bound 20] [--json out.jsonl]
       python3 test/stacks/force_quit_table.py --from-json out.jsonl [more.jsonl ...] [--variant ...]
Prints the markdown table (the one in docs/action.md) on stdout, progress on stderr. --from-json
prints it from recorded runs instead (a later line of the same case wins: re-run failed cells
with --pythons/--uvicorn/--graceful and --json, then print from all files).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import glob
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

REPO = Path(__file__).resolve().parents[2]
IMAGES = REPO / "test" / "images"
CACHE = Path(os.environ.get("PYCOV_HARVEST_CACHE", Path.home() / ".cache" / "pycov-harvest")) / "force-quit"
PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
# Every minor release's newest patch from 0.29.0 (the first with capture_signals) to the newest.
UVICORN_RELEASES = [
    "0.29.0", "0.30.6", "0.31.1", "0.32.1", "0.33.0", "0.34.3", "0.35.0", "0.36.1", "0.37.0",
    "0.38.0", "0.39.0", "0.40.0", "0.41.0", "0.42.0", "0.43.0", "0.44.0", "0.45.0", "0.46.0",
    "0.47.0", "0.48.0", "0.49.0", "0.50.2", "0.51.0", "0.52.4", "0.53.0", "0.54.0", "0.55.0",
]
PYTHONS = {"3.11": "3.11.7", "3.12": "3.12.1", "3.13": "3.13.0", "3.14": "forky"}
# What `uvicorn[standard]` adds that changes the shutdown: the event loop and the HTTP parser.
STANDARD = ["uvloop==0.23.0", "httptools==0.9.0"]
# The action's escalate_after: SIGINT this long after SIGTERM when no data came.
ESCALATE_AFTER = 3.0
# A start under coverage with FastAPI takes ~5 s on a busy 2-core machine.
STARTUP_BOUND = 60.0
POLL = 0.05


def log(message: str) -> None:
    sys.stderr.write("[force-quit %s] %s\n" % (time.strftime("%H:%M:%S"), message))
    sys.stderr.flush()


def versions_env() -> Dict[str, str]:
    pairs = (line.split("=", 1) for line in (IMAGES / "versions.env").read_text().splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs if not k.startswith("#")}


class Forky:
    """Debian forky's root, unpacked where agent/run-tests.sh unpacks it; commands run in it
    through chroot in a private mount namespace with /proc, /dev and CACHE at its own path."""

    def __init__(self) -> None:
        script = ('source "$1/lib.sh"; source "$1/versions.env"; ensure_root "$NEWEST_DEBIAN_SUITE" '
                  '"$NEWEST_DEBIAN_SUITE" "$DEBIAN_MIRROR" "$NEWEST_ROOT_PACKAGES" "$NEWEST_DEBOOTSTRAP_SCRIPT" >&2; '
                  'echo "$ROOT_TAR $ROOT_KEY"')
        tar, key = subprocess.run(["bash", "-c", script, "_", str(IMAGES)], check=True, text=True,
                                  stdout=subprocess.PIPE).stdout.split()
        chroots = CACHE.parent / "chroots"
        self.root = chroots / ("forky-" + key)
        chroots.mkdir(parents=True, exist_ok=True)
        unpack = ('exec 7>"$1/.lock"; flock 7; [ -f "$2.ready" ] && exit 0; rm -rf "$1"/forky-*; mkdir -p "$2"; '
                  'tar --numeric-owner -C "$2" -xpf "$3"; touch "$2.ready"')
        subprocess.run(["bash", "-c", unpack, "_", str(chroots), str(self.root), tar], check=True)

    def wrap(self, argv: List[str], env: Dict[str, str], cwd: str) -> List[str]:
        inner = ('set -e; root=$1 bind=$2 cwd=$3; shift 3; mount -t proc proc "$root/proc"; '
                 'mount --rbind /dev "$root/dev"; mount -t tmpfs tmpfs "$root/tmp"; mkdir -p "$root$bind"; '
                 'mount --bind "$bind" "$root$bind"; exec chroot "$root" /bin/sh -c \'cd "$0" && exec "$@"\' "$cwd" "$@"')
        envs = ["%s=%s" % kv for kv in sorted(env.items())]
        return ["unshare", "--mount", "--propagation", "private", "--", "bash", "-c", inner, "_",
                str(self.root), str(CACHE), cwd, "/usr/bin/env", "-i", *envs, *argv]


def base_env() -> Dict[str, str]:
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}


def make_venv(minor: str, forky: Optional[Forky], extra: List[str]) -> Path:
    """The venv of one Python with requirements-service-newest.txt and `extra`, cached on them."""
    pins = (IMAGES / "requirements-service-newest.txt").read_text() + "".join(p + "\n" for p in extra)
    key = _digest(pins + PYTHONS[minor])
    reqs = CACHE / "requirements" / ("%s.txt" % key)
    reqs.parent.mkdir(parents=True, exist_ok=True)
    reqs.write_text(pins)
    venv = CACHE / "venvs" / ("py%s-%s" % (minor, key))
    if (venv / ".ready").exists():
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    log("creating %s" % venv)
    if forky is None:
        python = str(PYENV / PYTHONS[minor] / "bin" / "python")
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "-r", str(reqs)], check=True)
    else:
        wheels = CACHE / "wheels" / ("cp" + minor.replace(".", ""))
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                        "--dest", str(wheels), "--only-binary=:all:", "--implementation", "cp",
                        "--python-version", minor, "--abi", "cp" + minor.replace(".", ""),
                        "--platform", "manylinux2014_x86_64", "--platform", "manylinux_2_17_x86_64",
                        "-r", str(reqs)], check=True)
        for argv in (["/usr/bin/python" + minor, "-m", "venv", str(venv)],
                     [str(venv / "bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                      "--no-index", "--find-links", str(wheels), "-r", str(reqs)]):
            subprocess.run(forky.wrap(argv, base_env(), "/"), check=True)
    (venv / ".ready").touch()
    return venv


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def install_uvicorn(version: str) -> Path:
    target = CACHE / "uvicorn" / version
    if not (target / ".ready").exists():
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
                        "--target", str(target), "uvicorn==" + version], check=True)
        (target / ".ready").touch()
    return target


def app_dir() -> Path:
    """A copy of the e2e test app under CACHE (the forky root sees CACHE at the same path)."""
    app = CACHE / "app"
    shutil.rmtree(app, ignore_errors=True)
    shutil.copytree(IMAGES / "app" / "src", app / "src")
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def open_stream(port: int, deadline: float) -> socket.socket:
    """Waits for the server, then opens GET /stream and reads its first event."""
    while True:
        try:
            conn = socket.create_connection(("127.0.0.1", port), timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    "the server did not listen on 127.0.0.1:%d within %gs" % (port, STARTUP_BOUND)) from None
            time.sleep(0.2)
    conn.sendall(b"GET /stream HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
    seen = b""
    while b"data: tick 0" not in seen:
        chunk = conn.recv(4096)
        if not chunk:
            raise RuntimeError("the stream closed before its first event")
        seen += chunk
    return conn


def data_files(data_dir: Path) -> List[str]:
    return [p for p in glob.glob(str(data_dir / ".coverage.*")) if not p.endswith(("-journal", "-wal", "-shm"))]


class Case:
    def __init__(self, minor: str, uvicorn: str, graceful: Optional[float], variant: str) -> None:
        self.minor, self.uvicorn, self.graceful = minor, uvicorn, graceful
        self.name = "py%s-uvicorn%s-%s-%s" % (minor, uvicorn, "t%g" % graceful if graceful else "none", variant)


def run_case(case: Case, venv: Path, app: Path, forky: Optional[Forky], bound: float) -> Dict[str, object]:
    """One server: stream open, SIGTERM, SIGINT after ESCALATE_AFTER s, watched for `bound` s."""
    work = CACHE / "runs" / case.name
    shutil.rmtree(work, ignore_errors=True)
    (work / "data").mkdir(parents=True)
    (work / "rc").write_text("[run]\nsigterm = true\nparallel = true\nsource = src\ndata_file = %s/.coverage\n"
                             % (work / "data"))
    port = free_port()
    argv = [str(venv / "bin/python"), "-m", "coverage", "run", "--rcfile=%s" % (work / "rc"), "-m", "uvicorn",
            "src.main:app", "--host", "127.0.0.1", "--port", str(port)]
    if case.graceful is not None:
        argv += ["--timeout-graceful-shutdown", "%g" % case.graceful]
    env = dict(base_env(), PYTHONPATH=str(install_uvicorn(case.uvicorn)), SHUTDOWN_SLEEP="0",
               PYTHONDONTWRITEBYTECODE="1")
    with open(work / "server.log", "wb") as out:
        if forky is not None:
            proc = subprocess.Popen(forky.wrap(argv, env, str(app)), stdout=out, stderr=subprocess.STDOUT)
        else:
            proc = subprocess.Popen(argv, env=env, cwd=str(app), stdout=out, stderr=subprocess.STDOUT)
        try:
            return _signal_and_watch(proc, port, work / "data", bound)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def _signal_and_watch(proc: "subprocess.Popen[bytes]", port: int, data_dir: Path, bound: float) -> Dict[str, object]:
    stream = open_stream(port, time.monotonic() + STARTUP_BOUND)
    try:
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        exited_at = data_at = sigint_at = None
        while time.monotonic() - t0 < bound:
            now = time.monotonic() - t0
            if data_at is None and data_files(data_dir):
                data_at = now
            if proc.poll() is not None:
                exited_at = now
                break
            if sigint_at is None and now >= ESCALATE_AFTER and data_at is None:
                proc.send_signal(signal.SIGINT)
                sigint_at = now
            time.sleep(POLL)
        if exited_at is not None and data_at is None:
            time.sleep(0.5)  # a file written just before the exit
            data_at = exited_at if data_files(data_dir) else None
        return {"exited": exited_at is not None, "exit_s": _round(exited_at), "data": data_at is not None,
                "data_s": _round(data_at), "sigint_s": _round(sigint_at), "returncode": proc.poll()}
    finally:
        stream.close()


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 1)


def cell(result: Dict[str, object], bound: float) -> str:
    if result.get("error"):
        return "error"
    if result["exited"] and result["data"]:
        return "saved %.1f s" % result["data_s"]  # type: ignore[str-format]
    if result["exited"]:
        return "exits %.1f s, no data" % result["exit_s"]  # type: ignore[str-format]
    return "hangs (> %g s)%s" % (bound, ", data %.1f s" % result["data_s"] if result["data"] else "")  # type: ignore[str-format]


def table(results: Dict[str, Dict[str, object]], pythons: List[str], releases: List[str], bound: float,
          exact: Dict[str, str], graceful: List[Optional[float]], variant: str) -> str:
    heads = ["uvicorn"] + ["%s%s" % (exact[m], ", t=%g" % g if g else "") for g in graceful for m in pythons]
    lines = ["| " + " | ".join(heads) + " |", "|" + " --- |" * len(heads)]
    for release in releases:
        row = [release] + [cell(results[Case(m, release, g, variant).name], bound) for g in graceful for m in pythons]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def recorded_table(paths: List[str], pythons: List[str], releases: List[str], graceful: List[Optional[float]],
                   variant: str, bound: float) -> str:
    results: Dict[str, Dict[str, object]] = {}
    exact: Dict[str, str] = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            run = json.loads(line)
            if run.get("variant", "plain") != variant:
                continue
            minor = ".".join(str(run["python"]).split(".")[:2])
            exact[minor] = str(run["python"])
            results[Case(minor, str(run["uvicorn"]), run["graceful"], variant).name] = run  # type: ignore[arg-type]
    return table(results, pythons, releases, bound, exact, graceful, variant)


def python_version(venv: Path, forky: Optional[Forky]) -> str:
    argv = [str(venv / "bin/python"), "-c", "import platform; print(platform.python_version())"]
    if forky is not None:
        argv = forky.wrap(argv, base_env(), "/")
    return subprocess.run(argv, check=True, text=True, stdout=subprocess.PIPE).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pythons", default=",".join(PYTHONS))
    parser.add_argument("--uvicorn", default=",".join(UVICORN_RELEASES))
    parser.add_argument("--variant", choices=("plain", "standard"), default="plain")
    parser.add_argument("--graceful", default="none,5", help="graceful timeouts to run, 'none' for no flag")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--bound", type=float, default=20.0)
    parser.add_argument("--json", help="also write one JSON line per run to this file")
    parser.add_argument("--from-json", nargs="+", help="print the table from these recorded runs")
    args = parser.parse_args()
    pythons, releases = args.pythons.split(","), args.uvicorn.split(",")
    graceful = [None if g == "none" else float(g) for g in args.graceful.split(",")]
    if args.from_json:
        print(recorded_table(args.from_json, pythons, releases, graceful, args.variant, args.bound))
        return 0
    forky = Forky() if "3.14" in pythons else None
    extra = STANDARD if args.variant == "standard" else []
    venvs = {m: make_venv(m, forky if m == "3.14" else None, extra) for m in pythons}
    exact = {m: python_version(venvs[m], forky if m == "3.14" else None) for m in pythons}
    for release in releases:
        install_uvicorn(release)
    app = app_dir()
    cases = [Case(m, r, g, args.variant) for r in releases for m in pythons for g in graceful]
    results: Dict[str, Dict[str, object]] = {}
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run_case, c, venvs[c.minor], app, forky if c.minor == "3.14" else None,
                               args.bound): c for c in cases}
        for future in concurrent.futures.as_completed(futures):
            case = futures[future]
            try:
                result = future.result()
            except Exception as e:  # one failed start must not lose the other runs
                result = {"error": str(e)}
            result.update(python=exact[case.minor], uvicorn=case.uvicorn, graceful=case.graceful,
                          variant=args.variant)
            results[case.name] = result
            log("%s: %s" % (case.name, cell(result, args.bound)))
            if args.json:
                with open(args.json, "a") as f:
                    f.write(json.dumps(result, sort_keys=True) + "\n")
    log("%d runs in %.0f s" % (len(cases), time.monotonic() - started))
    print(table(results, pythons, releases, args.bound, exact, graceful, args.variant))
    return 1 if any(r.get("error") for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
