"""Waking an idle event loop so that it reaches its eval-breaker check.

A pending call (and sys.remote_exec's script) runs only when the main thread
next runs Python code; a loop idle in epoll_wait may not for a long time. One
TCP connection to one of the process's own listening sockets, closed at once,
makes the loop accept and drop it: the same event as a client that gives up."""

from __future__ import annotations

import os
import socket

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import List, Set, Tuple

LISTEN = "0A"
CONNECT_TIMEOUT = 0.5


def _socket_inodes(pid: int) -> Set[str]:
    inodes = set()
    fd_dir = "/proc/%d/fd" % pid
    for name in os.listdir(fd_dir):
        try:
            link = os.readlink(os.path.join(fd_dir, name))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    return inodes


def _address(hex_addr: str, family: int) -> str:
    raw = bytes.fromhex(hex_addr)
    if family == socket.AF_INET:
        addr = socket.inet_ntop(family, raw[::-1])
        return "127.0.0.1" if addr == "0.0.0.0" else addr
    # /proc prints IPv6 as four host-order 32-bit words.
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    addr = socket.inet_ntop(family, words)
    return "::1" if addr == "::" else addr


def listening(pid: int) -> List[Tuple[int, str, int]]:
    """(family, host, port) of the TCP sockets pid itself listens on."""
    inodes = _socket_inodes(pid)
    found: List[Tuple[int, str, int]] = []
    for table, family in (("tcp", int(socket.AF_INET)), ("tcp6", int(socket.AF_INET6))):
        try:
            with open("/proc/%d/net/%s" % (pid, table)) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] != LISTEN or fields[9] not in inodes:
                continue
            host, port = fields[1].split(":")
            found.append((family, _address(host, family), int(port, 16)))
    return found


def same_network(pid: int) -> bool:
    try:
        return os.readlink("/proc/self/ns/net") == os.readlink("/proc/%d/ns/net" % pid)
    except OSError:
        return False


def wake(pid: int) -> int:
    """Opens and closes one connection to each listening socket of pid; how many connected."""
    if not same_network(pid):
        return 0
    done = 0
    for family, host, port in listening(pid):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(CONNECT_TIMEOUT)
        try:
            s.connect((host, port))
            done += 1
        except OSError:
            pass
        finally:
            s.close()
    return done
