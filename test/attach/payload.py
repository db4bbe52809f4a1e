"""The attach program as the action sends it: `python -S -c <LOADER> <payload>`, the modules in
one compressed argument (src/remote/programs.ts), so the injector container needs nothing in
the service's image but its Python. LOADER is programs.ts's, read from there."""

import ast
import base64
import json
import os
import re
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REMOTE = os.path.join(ROOT, "src", "remote", "pycov_harvest_remote")
# Dependency order, as programs.ts runs them.
MODULES = ["__init__", "output", "attach_elf", "attach_arch", "attach_ptrace", "attach_point", "attach_inject",
           "attach_program", "attach_remote", "attach_wake", "attach_target", "attach"]


def loader():
    with open(os.path.join(ROOT, "src", "remote", "programs.ts")) as f:
        text = f.read()
    body = re.search(r"export const LOADER = \[\n(.*?)\n\]\.join", text, re.S).group(1)
    # Each line is a single-quoted string literal, which Python reads the same way.
    return "\n".join(ast.literal_eval(line.strip().rstrip(",")) for line in body.splitlines())


def source(name):
    with open(os.path.join(REMOTE, name + ".py")) as f:
        return f.read()


def argv(args):
    """[-S, -c, LOADER, payload, json args] for the attach entry module."""
    with open(os.path.join(ROOT, "agent", "pycov_harvest", "procfs.py")) as f:
        procfs = f.read()
    modules = [["pycov_harvest", "# The agent's standard-library-only modules shared with these programs.\n"],
               ["pycov_harvest.procfs", procfs]]
    modules += [["pycov_harvest_remote" if n == "__init__" else "pycov_harvest_remote." + n, source(n)]
                for n in MODULES]
    bundle = {"m": modules, "p": ["pycov_harvest", "pycov_harvest_remote"], "e": "pycov_harvest_remote.attach"}
    payload = base64.urlsafe_b64encode(zlib.compress(json.dumps(bundle).encode(), 9)).decode().rstrip("=")
    args = dict(args, program=source("attach_program"))
    return ["-S", "-c", loader(), payload, json.dumps(args)]
