"""What can hold a server's shutdown, read from /proc before any signal: the connections open on
its listening sockets, and the server's Python, uvicorn version and graceful timeout, which decide
whether uvicorn's force quit can end that shutdown (docs/action.md, "Which servers can be stopped
with a stream open").

Connections come from /proc/<pid>/net/tcp and tcp6, which show the server's own network namespace
(a container's, seen from inside it or from the host), matched to the socket inodes among the
server's open files. Paths are read as this program sees them: it runs in the server's own mount
namespace (the target). Standard library only, Python 3.8+."""

from __future__ import annotations

import os
import re
import socket
import sys

from pycov_harvest import procfs

from pycov_harvest_remote import sockdiag
from pycov_harvest_remote.processes import option

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Dict, Iterator, List, Optional, Set, Tuple, TypedDict

    class Endpoint(TypedDict):
        address: str
        port: int
        family: str  # "ipv4" or "ipv6" (an IPv4-mapped IPv6 address is reported as IPv4)

    class Connection(TypedDict):
        peer: str  # "address:port", "[address]:port" for IPv6
        local: str
        state: str
        inode: int
        owned: bool  # one of the given processes holds the socket open
        # From tcp_info (sockdiag.py), None when netlink is refused: a connection that never
        # received a byte carried no request; one whose data last left it long ago sends nothing.
        received: Optional[int]
        last_sent_ms: Optional[int]
        last_received_ms: Optional[int]

    class Server(TypedDict):
        python: Optional[str]  # "3.12", or "3.12.1" when it is this program's own interpreter
        interpreter: Optional[str]
        venv: Optional[str]
        uvicorn: Optional[str]
        uvicorn_path: Optional[str]
        graceful_timeout: Optional[float]
        graceful_source: Optional[str]  # "argv", "env" or None (not set: uvicorn waits forever)
        loop: Optional[str]  # "asyncio" or "uvloop" (what `--loop auto` picks), None: not uvicorn's CLI

# include/net/tcp_states.h
TCP_STATES = {
    1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2", 6: "TIME_WAIT",
    7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING", 12: "NEW_SYN_RECV",
}
LISTEN = 10
TABLES = (("tcp", "ipv4"), ("tcp6", "ipv6"))
WILDCARDS = ("0.0.0.0", "::")
# A version is text from the target: only the characters a version may hold (PEP 440) are read.
VERSION_LINE = re.compile(r"""^__version__\s*=\s*["']([0-9A-Za-z.+!_-]{1,40})["']""", re.M)


def socket_inodes(pid: int) -> Set[int]:
    """The inodes of the sockets among the process's open files. Raises OSError when its fd table
    cannot be read (another user's process without CAP_SYS_PTRACE)."""
    found = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            found.add(int(target[8:-1]))
    return found


def decode_endpoint(text: str, family: str) -> Endpoint:
    """An address:port of /proc/net/tcp(6): the address in hex as the kernel prints it (network-order
    bytes read as 32-bit words in host byte order), the port in hex."""
    hex_address, hex_port = text.split(":")
    raw = bytes.fromhex(hex_address)
    if sys.byteorder == "little":
        raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    words = raw
    if family == "ipv4":
        return {"address": socket.inet_ntop(socket.AF_INET, words), "port": int(hex_port, 16), "family": "ipv4"}
    if words[:12] == b"\0" * 10 + b"\xff\xff":
        return {"address": socket.inet_ntop(socket.AF_INET, words[12:]), "port": int(hex_port, 16),
                "family": "ipv4"}
    return {"address": socket.inet_ntop(socket.AF_INET6, words), "port": int(hex_port, 16), "family": "ipv6"}


def show(endpoint: Endpoint) -> str:
    if ":" in endpoint["address"]:
        return "[%s]:%d" % (endpoint["address"], endpoint["port"])
    return "%s:%d" % (endpoint["address"], endpoint["port"])


def tcp_rows(pid: int) -> Iterator[Tuple[str, Endpoint, Endpoint, int, int]]:
    """(table, local, remote, state, inode) for every row of the process's tcp and tcp6 tables;
    a table that does not exist (IPv6 disabled) is skipped."""
    for table, family in TABLES:
        try:
            with open("/proc/%d/net/%s" % (pid, table)) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10:
                continue
            yield (table, decode_endpoint(fields[1], family), decode_endpoint(fields[2], family),
                   int(fields[3], 16), int(fields[9]))


def _accepted_on(listener: Endpoint, local: Endpoint) -> bool:
    if listener["port"] != local["port"]:
        return False
    return listener["address"] in WILDCARDS or listener["address"] == local["address"]


def open_connections(pid: int, owners: Optional[List[int]] = None,
                     known: Optional[List[Endpoint]] = None) -> Tuple[List[Endpoint], List[Connection]]:
    """The server's listening sockets, and every connection on their ports that is not itself
    listening, with its peer and state. `owned` says whether the server (or one of `owners`, e.g.
    its workers) holds the socket: only an owned one can hold a shutdown (a TIME_WAIT row has
    no owner). `known`: the listeners it had, for a server in its shutdown (it closed them).
    Raises OSError when the server's fd table cannot be read."""
    inodes = socket_inodes(pid)
    owned: Set[int] = set(inodes)
    for other in owners or []:
        try:
            owned |= socket_inodes(other)
        except OSError:
            pass  # a worker that just exited
    rows = list(tcp_rows(pid))
    infos = sockdiag.tcp_info_by_inode() or {}
    listeners = [(table, local) for table, local, _, state, inode in rows if state == LISTEN and inode in inodes]
    listeners += [(table, on) for on in known or [] for table, _ in TABLES]
    found: List[Connection] = []
    for table, local, remote, state, inode in rows:
        if state == LISTEN or not any(t == table and _accepted_on(on, local) for t, on in listeners):
            continue
        info = infos.get(inode) if inode else None
        found.append({"peer": show(remote), "local": show(local), "state": TCP_STATES.get(state, str(state)),
                      "inode": inode, "owned": inode != 0 and inode in owned,
                      "received": info["bytes_received"] if info else None,
                      "last_sent_ms": info["last_sent_ms"] if info else None,
                      "last_received_ms": info["last_received_ms"] if info else None})
    return [local for _, local in listeners], found


def _python_minor(exe: Optional[str]) -> Optional[str]:
    match = re.search(r"python(\d+\.\d+)$", os.path.basename(exe or ""))
    if match:
        return match.group(1)
    prefix = os.path.dirname(os.path.dirname(exe or "/"))
    names = sorted(n for n in _listdir(os.path.join(prefix, "lib")) if re.match(r"python\d+\.\d+$", n))
    return names[-1][len("python"):] if names else None


def _listdir(path: str) -> List[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _resolve(command: str, env: Dict[str, str], cwd: str) -> str:
    """Where the process found argv[0] or its script: as given, or on its PATH."""
    if "/" in command:
        return os.path.join(cwd, command)
    for folder in env.get("PATH", "").split(":"):
        candidate = os.path.join(cwd, folder or ".", command)
        if os.path.isfile(candidate):
            return candidate
    return command


def find_venv(argv: List[str], env: Dict[str, str], cwd: str) -> Optional[str]:
    """The venv the process runs in: the one whose bin/ holds argv[0] (a venv's python is a link,
    so /proc/<pid>/exe names the base interpreter instead) or its script (a console script such
    as bin/uvicorn), else VIRTUAL_ENV."""
    candidates = [_resolve(argv[0], env, cwd)] if argv else []
    if len(argv) > 1 and not argv[1].startswith("-"):
        candidates.append(os.path.join(cwd, argv[1]))
    for path in candidates:
        venv = os.path.dirname(os.path.dirname(path))
        if os.path.isfile(os.path.join(venv, "pyvenv.cfg")):
            return os.path.normpath(venv)
    virtual = env.get("VIRTUAL_ENV")
    return virtual if virtual and os.path.isfile(os.path.join(virtual, "pyvenv.cfg")) else None


def _system_site(venv: Optional[str]) -> bool:
    try:
        with open(os.path.join(venv or "", "pyvenv.cfg")) as f:
            return bool(re.search(r"^include-system-site-packages\s*=\s*true\s*$", f.read(), re.M | re.I))
    except OSError:
        return False


def import_path(argv: List[str], env: Dict[str, str], cwd: str, exe: Optional[str], minor: Optional[str],
                venv: Optional[str]) -> List[str]:
    """Where the process imports from, in sys.path's order: its script's folder (or the working
    folder for -m and -c), PYTHONPATH, the user site, the venv's and the base site-packages
    (Debian's dist-packages too). .pth files are not followed."""
    script = next((i for i, a in enumerate(argv) if i and not a.startswith("-")), len(argv))
    flags = argv[1:script]
    isolated = "-I" in flags or "-E" in flags
    in_cwd = script == len(argv) or "-m" in flags or "-c" in flags
    path = [cwd if in_cwd else os.path.dirname(os.path.join(cwd, argv[script]))]
    if not isolated:
        path += [os.path.join(cwd, p) for p in env.get("PYTHONPATH", "").split(":") if p]
    lib = "python%s" % minor
    prefix = os.path.dirname(os.path.dirname(exe or "/"))
    base = [os.path.join(prefix, "lib", lib, "site-packages"), os.path.join(prefix, "local", "lib", lib,
            "dist-packages"), os.path.join(prefix, "lib", "python3", "dist-packages")]
    if venv:
        path.append(os.path.join(venv, "lib", lib, "site-packages"))
        path += base if _system_site(venv) else []
        return path
    if not isolated and not env.get("PYTHONNOUSERSITE") and env.get("HOME"):
        path.append(os.path.join(env["HOME"], ".local", "lib", lib, "site-packages"))
    return path + base


def uvicorn_version(folders: List[str]) -> Tuple[Optional[str], Optional[str]]:
    """(version, folder) of the first uvicorn package on the path: `__version__` of the package
    it would import, else the name of a uvicorn-*.dist-info beside it."""
    for folder in folders:
        init = os.path.join(folder, "uvicorn", "__init__.py")
        if not os.path.isfile(init):
            continue
        try:
            with open(init, encoding="utf-8", errors="replace") as f:
                match = VERSION_LINE.search(f.read())
        except OSError:
            match = None
        if match:
            return match.group(1), folder
        infos = [n for n in _listdir(folder) if re.match(r"uvicorn-[0-9A-Za-z.+!_]{1,40}\.dist-info$", n)]
        return (infos[0][len("uvicorn-"):-len(".dist-info")] if infos else None), folder
    return None, None


def uvicorn_graceful_timeout(argv: List[str], env: Dict[str, str]) -> Tuple[Optional[float], Optional[str]]:
    """uvicorn's --timeout-graceful-shutdown, and where it came from. UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN
    counts only for uvicorn's command line (`-m uvicorn` or the `uvicorn` script: click's
    auto_envvar_prefix), not for uvicorn.run() in a script. None: uvicorn waits without bound."""
    value, source = option(argv, "--timeout-graceful-shutdown"), "argv"
    cli = "uvicorn" in [os.path.basename(a) for a in argv[1:]]
    if value is None and cli:
        value, source = env.get("UVICORN_TIMEOUT_GRACEFUL_SHUTDOWN"), "env"
    try:
        return (float(value), source) if value is not None else (None, None)
    except ValueError:
        return None, None


def uvicorn_loop(argv: List[str], env: Dict[str, str], folders: List[str]) -> Optional[str]:
    """The event loop uvicorn's command line runs on: `--loop` (or UVICORN_LOOP), and for `auto`
    (the default) uvloop when the process would import it, else asyncio. `fastapi run` and
    `fastapi dev` call uvicorn.run() with the default loop. None for other starters (uvicorn.run()
    in a script may name a loop, gunicorn's worker class picks one)."""
    names = [os.path.basename(a) for a in argv[1:]]
    if "uvicorn" in names:
        loop = option(argv, "--loop") or env.get("UVICORN_LOOP") or "auto"
    elif "fastapi" in names and names[names.index("fastapi") + 1:][:1] in (["run"], ["dev"]):
        loop = "auto"
    else:
        return None
    if loop != "auto":
        return loop
    found = any(os.path.isfile(os.path.join(folder, "uvloop", "__init__.py")) for folder in folders)
    return "uvloop" if found else "asyncio"


def server_facts(pid: int) -> Server:
    """The server's interpreter, venv, uvicorn version and graceful timeout, from /proc."""
    argv, env, exe = procfs.cmdline(pid), procfs.environ(pid), procfs.exe(pid)
    try:
        cwd = os.readlink("/proc/%d/cwd" % pid)
    except OSError:
        cwd = env.get("PWD", "/")
    minor = _python_minor(exe)
    venv = find_venv(argv, env, cwd)
    folders = import_path(argv, env, cwd, exe, minor, venv) if minor else []
    version, folder = uvicorn_version(folders)
    python = minor
    if exe and os.path.realpath(exe) == os.path.realpath(sys.executable):
        python = "%d.%d.%d" % sys.version_info[:3]
    seconds, source = uvicorn_graceful_timeout(argv, env)
    return {"python": python, "interpreter": exe, "venv": venv, "uvicorn": version, "uvicorn_path": folder,
            "graceful_timeout": seconds, "graceful_source": source, "loop": uvicorn_loop(argv, env, folders)}
