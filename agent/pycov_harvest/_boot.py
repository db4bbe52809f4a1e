"""Imported by pycov_harvest.pth at interpreter start when PYCOV_HARVEST=1.

Never raises: whatever goes wrong, the service must still start.
"""


def _command_is_excluded(argv) -> bool:
    # The CLI and coverage.py's own commands must not measure themselves.
    for i, arg in enumerate(argv[:-1]):
        if arg == "-m" and argv[i + 1].split(".")[0] in ("pycov_harvest", "coverage"):
            return True
    if len(argv) > 1 and argv[1].rsplit("/", 1)[-1] in ("coverage", "pycov-harvest"):
        return True
    return False


def _boot() -> None:
    import sys

    try:
        if _command_is_excluded(list(getattr(sys, "orig_argv", sys.argv))):
            return
        from pycov_harvest import agent
        from pycov_harvest.settings import read_settings

        agent.start(read_settings())
    except Exception as e:
        print(f"pycov-harvest: the agent did not start ({type(e).__name__}: {e}); the service runs without it",
              file=sys.stderr, flush=True)


_boot()
