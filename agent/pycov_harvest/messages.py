"""The messages of a flush or a context switch between a switcher (fanout.py, contexts.py)
and the flush thread of every agent process (flusher.py), over the wake sockets: each
request names its sequence number, trigger, reply address and request id, and is signed
with PYCOV_HARVEST_TOKEN when there is one; each process answers with an ack (docs/protocol.md).
"""

from __future__ import annotations

from pycov_harvest import auth, wake

# b"req <seq> <reset 0|1> <trigger> <reply address|-> <request id> [<mac>]" from a flusher,
# b"local" for queued local triggers.
REQUEST = b"req"
LOCAL = b"local"
ACK = b"ack "
TRIGGERS = ("http", "cli", "signal", "sigterm", "exit", "autosave")


def flush_request(seq: int, reset: bool, trigger: str, reply: str | None, request_id: str,
                    token: str | None = None) -> bytes:
    message = f"req {seq} {int(reset)} {trigger} {reply or '-'} {request_id}".encode()
    if token:
        message += b" " + auth.mac(token, message).encode()
    return message


def parse_flush_request(message: bytes, token: str | None) -> tuple | None:
    """(seq, reset, trigger, reply, request id) of a well-formed (and, with a
    token, authenticated) request message; None otherwise."""
    parts = message.split(b" ")
    if not parts or parts[0] != REQUEST or len(parts) not in (6, 7):
        return None
    if token:
        if len(parts) != 7 or not auth.valid(token, b" ".join(parts[:6]), parts[6].decode("ascii", "replace")):
            return None
    try:
        seq = int(parts[1])
        text = [p.decode("ascii") for p in parts[3:6]]
    except (ValueError, UnicodeDecodeError):
        return None
    trigger, reply, request_id = text
    if seq < 0 or parts[2] not in (b"0", b"1") or trigger not in TRIGGERS:
        return None
    if reply != "-" and not wake.valid_address(reply):
        return None
    if not (0 < len(request_id) <= 64 and request_id.isalnum()):
        return None
    return seq, parts[2] == b"1", trigger, (None if reply == "-" else reply), request_id


# b"ctx <seq> <trigger> <reply address|-> <request id> <name as hex|-> [<mac>]" from a
# switcher: the flush request's shape, with the name hex-encoded (no spaces).
SWITCH = b"ctx"
MAX_NAME_BYTES = 256


def check_context_name(name) -> str:
    """The context name, or ValueError with a sentence that says what is wrong."""
    if not isinstance(name, str):
        raise ValueError('the context must be a string, e.g. {"context": "test_refund"}')
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValueError("the context name must not hold control characters (newlines, tabs)")
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        raise ValueError(f"the context name must be at most {MAX_NAME_BYTES} bytes of UTF-8")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the context name must be valid UTF-8") from None
    return name


def switch_request(seq: int, trigger: str, reply: str | None, request_id: str, name: str,
                    token: str | None = None) -> bytes:
    encoded = name.encode("utf-8").hex() or "-"
    message = f"ctx {seq} {trigger} {reply or '-'} {request_id} {encoded}".encode()
    if token:
        message += b" " + auth.mac(token, message).encode()
    return message


def parse_switch_request(message: bytes, token: str | None):
    """(seq, trigger, reply, request id, name) of a well-formed (and, with a token,
    authenticated) switch message; None otherwise."""
    parts = message.split(b" ")
    if len(parts) not in (6, 7) or parts[0] != SWITCH:
        return None
    if token:
        if len(parts) != 7 or not auth.valid(token, b" ".join(parts[:6]), parts[6].decode("ascii", "replace")):
            return None
    try:
        seq = int(parts[1])
        trigger, reply, request_id, encoded = (p.decode("ascii") for p in parts[2:6])
        name = "" if encoded == "-" else check_context_name(bytes.fromhex(encoded).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if seq < 0 or trigger not in TRIGGERS or not (0 < len(request_id) <= 64 and request_id.isalnum()):
        return None
    if reply != "-" and not wake.valid_address(reply):
        return None
    return seq, trigger, (None if reply == "-" else reply), request_id, name
