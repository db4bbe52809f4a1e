"""What the kernel knows about each TCP connection beyond /proc/net/tcp: bytes received, and how long
ago data last went each way (struct tcp_info, through the sock_diag netlink interface that `ss -ti`
uses). It tells a connection that never carried a request, or whose response ended, from one whose
response is still being sent. Needs no privilege for the sockets of this network namespace.
Standard library only, Python 3.8+; Linux only (None elsewhere or when netlink is refused)."""

from __future__ import annotations

import socket
import struct

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Dict, Optional, TypedDict

    class TcpInfo(TypedDict):
        bytes_received: int
        bytes_acked: int
        last_sent_ms: int  # since data last left this socket
        last_received_ms: int  # since data last came in

# linux/netlink.h, linux/sock_diag.h, linux/inet_diag.h
NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST, NLM_F_DUMP = 0x01, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
INET_DIAG_INFO = 2
ALL_STATES = 0xFFF
NLMSG_HEADER = struct.Struct("=IHHII")  # len, type, flags, seq, pid
# inet_diag_req_v2: family, protocol, ext, pad, states, then inet_diag_sockid (48 bytes, zero).
REQUEST = struct.Struct("=BBBBI48x")
# inet_diag_msg: family, state, timer, retrans, sockid (48), expires, rqueue, wqueue, uid, inode.
MESSAGE = struct.Struct("=BBBB48xIIIII")
RTATTR = struct.Struct("=HH")
# struct tcp_info: 8 bytes of u8 fields, then u32s (last_data_sent is the 10th, last_data_recv the
# 12th), then from byte 104 u64 pacing_rate, max_pacing_rate, bytes_acked, bytes_received.
TCP_INFO_MIN = 136
RECV_TIMEOUT = 2.0


def _align(n: int) -> int:
    return (n + 3) & ~3


def _parse_info(raw: bytes) -> Optional[TcpInfo]:
    if len(raw) < TCP_INFO_MIN:
        return None  # a kernel older than 4.1 has no bytes_received
    last_sent, _, last_received = struct.unpack_from("=III", raw, 8 + 9 * 4)
    bytes_acked, bytes_received = struct.unpack_from("=QQ", raw, 120)
    return {"bytes_received": bytes_received, "bytes_acked": bytes_acked, "last_sent_ms": last_sent,
            "last_received_ms": last_received}


def _messages(data: bytes, found: Dict[int, TcpInfo]) -> bool:
    """Parses one netlink datagram into `found` (by socket inode); True at the end of the dump."""
    offset = 0
    while offset + NLMSG_HEADER.size <= len(data):
        length, kind = NLMSG_HEADER.unpack_from(data, offset)[:2]
        if length < NLMSG_HEADER.size:
            return True
        if kind in (NLMSG_DONE, NLMSG_ERROR):
            return True
        body = offset + NLMSG_HEADER.size
        inode = MESSAGE.unpack_from(data, body)[-1]
        attr = body + MESSAGE.size
        while attr + RTATTR.size <= offset + length:
            size, kind = RTATTR.unpack_from(data, attr)
            if size < RTATTR.size:
                break
            if kind == INET_DIAG_INFO:
                info = _parse_info(data[attr + RTATTR.size:attr + size])
                if info is not None and inode:
                    found[inode] = info
            attr += _align(size)
        offset += _align(length)
    return False


def tcp_info_by_inode() -> Optional[Dict[int, TcpInfo]]:
    """tcp_info of every IPv4 and IPv6 TCP socket of this network namespace, by socket inode; None
    when the kernel or a seccomp profile refuses the netlink socket."""
    found: Dict[int, TcpInfo] = {}
    try:
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, NETLINK_SOCK_DIAG)
    except (OSError, AttributeError):
        return None
    with sock:
        sock.settimeout(RECV_TIMEOUT)
        try:
            for seq, family in enumerate((socket.AF_INET, socket.AF_INET6), 1):
                request = REQUEST.pack(family, socket.IPPROTO_TCP, 1 << (INET_DIAG_INFO - 1), 0, ALL_STATES)
                header = NLMSG_HEADER.pack(NLMSG_HEADER.size + len(request), SOCK_DIAG_BY_FAMILY,
                                           NLM_F_REQUEST | NLM_F_DUMP, seq, 0)
                sock.send(header + request)
                while not _messages(sock.recv(65536), found):
                    pass
        except OSError:
            return None
    return found
