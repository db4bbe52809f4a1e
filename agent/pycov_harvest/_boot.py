"""Imported by pycov_harvest.pth at interpreter start when PYCOV_HARVEST=1.

Never raises: whatever goes wrong, the service must still start.
"""


# A `python -c` program containing this line runs without the agent: the
# action's helper programs exec'd into a target inherit PYCOV_HARVEST=1 from the
# container, and must not measure, register or leave data files themselves.
NO_AGENT_MARK = "# pycov-harvest: no-agent"


def _excluded_command(argv):
    """'cli', 'coverage' or 'helper' when this interpreter runs the agent's CLI,
    coverage.py's own command or a marked helper program, which must not start
    the agent; else None."""
    if "-c" in argv:
        at = argv.index("-c")
        if at + 1 < len(argv) and NO_AGENT_MARK in argv[at + 1]:
            return "helper"
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
