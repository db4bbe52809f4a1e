"""Message authentication with the service's token (PYCOV_HARVEST_TOKEN).

Every process of a service has the same token in its environment. With a token
set, a wake message, an acknowledgement and a registration carry
`mac = HMAC-SHA256(token, message)`, and a reader with the token ignores any
that do not: a process in the same pod without the token can still see the
wake sockets and the data dir, but cannot make a process save or reset, nor
forge an answer (docs/agent.md, "Security model").

Shared with the programs the action runs inside targets (bundled from this
very file), so it is standard library only and runs on Python 3.8+.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Optional

MAC_FIELD = "mac"


def mac(token: str, message: bytes) -> str:
    import hashlib  # here: most readers of the registry never check a MAC
    import hmac

    return hmac.new(token.encode("utf-8"), message, hashlib.sha256).hexdigest()


def valid(token: str, message: bytes, given: object) -> bool:
    import hmac

    return isinstance(given, str) and hmac.compare_digest(mac(token, message), given)


def _canonical(payload: dict) -> bytes:
    body = {k: v for k, v in payload.items() if k != MAC_FIELD}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(token: Optional[str], payload: dict) -> dict:
    """The payload with its MAC when a token is set (unchanged otherwise)."""
    if not token:
        return payload
    signed = dict(payload)
    signed[MAC_FIELD] = mac(token, _canonical(payload))
    return signed


def verified(token: Optional[str], payload: object) -> bool:
    """Without a token everything passes; with one, only payloads signed with it."""
    if not token:
        return True
    return isinstance(payload, dict) and valid(token, _canonical(payload), payload.get(MAC_FIELD))
