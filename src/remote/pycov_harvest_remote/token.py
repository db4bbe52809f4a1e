"""Program `token`: the token of the process that owns the agent's listener on
`port`, asked for only after that listener answered 401 through a
port-forward (so the token leaves the target only when it is needed)."""

from __future__ import annotations


from pycov_harvest_remote import local_http, output
from pycov_harvest_remote.registry import registrations

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import Any, Dict


def main(args: Dict[str, Any]) -> int:
    data_dir = output.require(args, "data_dir", str)
    port = output.require(args, "port", int)
    agents, _ = registrations(data_dir)
    owner = next((reg for reg in agents if reg.get("port") == port), None)
    output.emit("token", token=local_http.token_of(owner) if owner is not None else None)
    return output.EXIT_OK
