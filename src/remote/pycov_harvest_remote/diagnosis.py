"""Why no agent answered, in one sentence with the fix, from what the probe saw."""

from __future__ import annotations

from pycov_harvest import procfs

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import List

    from pycov_harvest_remote.processes import Process


def no_agent(data_dir: str, processes: List[Process]) -> str:
    with_env = [p for p in processes if p["agent_env"]]
    under_coverage = [p for p in with_env if p["coverage_run"]]
    if under_coverage:
        return (
            "PYCOV_HARVEST=1 is set, but pid %d runs under `coverage run`, which keeps the agent out; "
            "drop `coverage run` from the server's command (the agent measures by itself)" % under_coverage[0]["pid"]
        )
    for proc in with_env:
        elsewhere = procfs.environ(proc["pid"]).get("PYCOV_HARVEST_DATA_DIR")
        if elsewhere and elsewhere.rstrip("/") != data_dir.rstrip("/"):
            return (
                "pid %d has PYCOV_HARVEST=1 but writes to %s (PYCOV_HARVEST_DATA_DIR); set `data-dir: %s`"
                % (proc["pid"], elsewhere, elsewhere)
            )
    if with_env:
        return (
            "pid %d has PYCOV_HARVEST=1 but no agent registered in %s/.pycov-harvest; install the agent "
            "into the server's Python (`pip install pycov_harvest-*.whl`) and check that %s is writable "
            "for the service's user (the service log has a `pycov-harvest:` line saying why)"
            % (with_env[0]["pid"], data_dir, data_dir)
        )
    return (
        "no agent registered in %s/.pycov-harvest and no process has PYCOV_HARVEST=1; install the agent "
        "in the image and set PYCOV_HARVEST=1 in the service's environment" % data_dir
    )
