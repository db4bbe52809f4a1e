"""Imported by pycov_harvest.pth at interpreter start when PYCOV_HARVEST=1.

Never raises: whatever goes wrong, the service must still start.
"""


def _excluded_command(argv):
    """'cli' or 'coverage' when this interpreter runs the agent's CLI or
    coverage.py's own command, which must not start the agent; else None."""
    module = None
    for i, arg in enumerate(argv[:-1]):
        if arg == "-m":
            module = argv[i + 1].split(".")[0]
            break
    script = argv[1].rsplit("/", 1)[-1] if len(argv) > 1 else ""
    if module == "pycov_harvest" or script == "pycov-harvest":
        return "cli"
    if module == "coverage" or script == "coverage":
        return "coverage"
    return None


def _boot() -> None:
    import sys

    try:
        argv = list(getattr(sys, "orig_argv", sys.argv))
        excluded = _excluded_command(argv)
        if excluded == "coverage" and "run" in argv:
            print("pycov-harvest: not started under `coverage run`, which measures this process itself; "
                  "drop `coverage run` from the command to use the agent", file=sys.stderr, flush=True)
        if excluded:
            return
        from pycov_harvest import agent
        from pycov_harvest.settings import read_settings

        agent.start(read_settings())
    except Exception as e:
        print(f"pycov-harvest: the agent did not start ({type(e).__name__}: {e}); the service runs without it",
              file=sys.stderr, flush=True)


_boot()
