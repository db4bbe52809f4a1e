"""The pytest plugin (entry point `pytest11`): every test runs under its own coverage context,
named by its node id, in every agent process of the services under test, so pycov-harvest's
reports say which test ran which line.

Off unless told where serve is: `--pycov-harvest-url` (a running serve) or `--pycov-harvest-cli`
with `--pycov-harvest-serve-args` (the plugin starts serve for the session and stops it after),
or the variables PYCOV_HARVEST_SERVE_URL, PYCOV_HARVEST_CLI and PYCOV_HARVEST_SERVE_ARGS.
"""

from __future__ import annotations

import os
import shlex
from typing import TYPE_CHECKING, Dict, Generator, List, Optional

import pytest

from .client import DEFAULT_START_TIMEOUT, DEFAULT_SWITCH_TIMEOUT, Client, StartError

if TYPE_CHECKING:
    from _pytest.config import Config
    from _pytest.config.argparsing import Parser
    from _pytest.fixtures import FixtureRequest
    from _pytest.terminal import TerminalReporter

ENV_URL = "PYCOV_HARVEST_SERVE_URL"
ENV_CLI = "PYCOV_HARVEST_CLI"
ENV_ARGS = "PYCOV_HARVEST_SERVE_ARGS"


def pytest_addoption(parser: "Parser") -> None:
    group = parser.getgroup("pycov-harvest", "coverage context per test (pycov-harvest)")
    group.addoption("--pycov-harvest-url", default=os.environ.get(ENV_URL, ""), metavar="URL",
                    help=f"a running `dist/cli.js serve`, e.g. http://127.0.0.1:9898/context (default: ${ENV_URL})")
    group.addoption("--pycov-harvest-cli", default=os.environ.get(ENV_CLI, ""), metavar="PATH",
                    help=f"pycov-harvest's dist/cli.js: start serve for the session (default: ${ENV_CLI})")
    group.addoption("--pycov-harvest-serve-args", default=os.environ.get(ENV_ARGS, ""), metavar="ARGS",
                    help=f"serve's target options, shell-quoted, e.g. '--target docker --selector app=api' (default: ${ENV_ARGS})")
    group.addoption("--pycov-harvest-node", default="node", metavar="PATH", help="the Node.js binary (default: node)")
    group.addoption("--pycov-harvest-timeout", type=float, default=DEFAULT_SWITCH_TIMEOUT, metavar="SECONDS",
                    help=f"how long one switch may take (default: {DEFAULT_SWITCH_TIMEOUT:g})")
    group.addoption("--pycov-harvest-start-timeout", type=float, default=DEFAULT_START_TIMEOUT, metavar="SECONDS",
                    help=f"how long serve may take to start (default: {DEFAULT_START_TIMEOUT:g})")


#: The session's client, when the plugin is on.
CLIENT = pytest.StashKey[Client]()
#: Confirmed switches of the session, and each target's processes at the last one.
SWITCHES = pytest.StashKey[List[Dict[str, int]]]()


def _switch(config: "Config", client: Client, name: str) -> None:
    outcomes = client.switch(name)
    config.stash.setdefault(SWITCHES, []).append({t["label"]: t["processes"] for t in outcomes})


@pytest.fixture(autouse=True)
def _pycov_harvest_context(request: "FixtureRequest") -> Generator[None, None, None]:
    """Switches to the test's node id before it and back to no context after it. Function fixtures
    the test uses count as the test; wider fixtures (session, module) and what runs between tests
    (probes, collection) are nobody's. A switch that is not confirmed is an error of this test."""
    client = request.config.stash.get(CLIENT, None)
    if client is None:
        yield
        return
    _switch(request.config, client, request.node.nodeid)
    yield
    _switch(request.config, client, "")


def pytest_report_header(config: "Config") -> Optional[str]:
    client = config.stash.get(CLIENT, None)
    return None if client is None else f"pycov-harvest: a coverage context per test through {client.url}"


def pytest_terminal_summary(terminalreporter: "TerminalReporter", config: "Config") -> None:
    switches = config.stash.get(SWITCHES, [])
    if switches:
        last = ", ".join(f"{label}: {n} process(es)" for label, n in sorted(switches[-1].items()))
        terminalreporter.write_line(
            f"pycov-harvest: {len(switches)} switch(es), each confirmed by every process of every target ({last})"
        )


def _client(config: "Config") -> Optional[Client]:
    url: str = config.getoption("pycov_harvest_url")
    cli: str = config.getoption("pycov_harvest_cli")
    timeout: float = config.getoption("pycov_harvest_timeout")
    if url:
        return Client.connect(url, timeout)
    if not cli:
        return None
    args = shlex.split(config.getoption("pycov_harvest_serve_args"))
    if not args:
        raise pytest.UsageError(
            "pycov-harvest: --pycov-harvest-cli needs serve's target options; give --pycov-harvest-serve-args "
            f"(or ${ENV_ARGS}), e.g. '--target kubernetes --namespace e2e --selector app=api'"
        )
    return Client.start(
        cli, args, node=config.getoption("pycov_harvest_node"),
        start_timeout=config.getoption("pycov_harvest_start_timeout"), switch_timeout=timeout,
        # serve's lines are kept for errors only: per test they would be noise (and captured).
    )


def pytest_configure(config: "Config") -> None:
    if hasattr(config, "workerinput"):
        return  # a pytest-xdist worker: the controller refused below unless the plugin is off
    try:
        client = _client(config)
    except StartError as error:
        raise pytest.UsageError(str(error)) from error
    if client is not None and config.getoption("numprocesses", None):
        client.close()
        raise pytest.UsageError(
            "pycov-harvest: a context is a time window of each service process, so tests that run at once "
            "would share it; run the suite serially (`-n 0`) or without the pycov-harvest options"
        )
    if client is not None:
        config.stash[CLIENT] = client


def pytest_unconfigure(config: "Config") -> None:
    client = config.stash.get(CLIENT, None)
    if client is not None:
        del config.stash[CLIENT]
        client.close()
