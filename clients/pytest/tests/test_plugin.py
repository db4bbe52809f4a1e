"""The plugin's switches, order and errors, against a stand-in for serve (fake_serve.py)."""

import json
import sys
from pathlib import Path

import pytest

FAKE = str(Path(__file__).with_name("fake_serve.py"))

SUITE = """
import pytest

@pytest.fixture
def setup_step():
    yield

def test_one(setup_step):
    pass

class TestTwo:
    def test_refuse(self):
        pass
"""


def run(pytester: pytest.Pytester, selector: str = "app=api", *extra: str) -> pytest.RunResult:
    pytester.makepyfile(test_suite=SUITE)
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", f"--pycov-harvest-node={sys.executable}", f"--pycov-harvest-cli={FAKE}",
        f"--pycov-harvest-serve-args=--target docker --selector {selector}", *extra,
    )


def switches(log: Path) -> list:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_each_test_runs_under_its_node_id_and_between_tests_under_none(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    log = tmp_path / "switches"
    monkeypatch.setenv("FAKE_SERVE_LOG", str(log))
    result = run(pytester, "app=api", "-k", "one")
    result.assert_outcomes(passed=1, deselected=1)
    assert switches(log) == ["test_suite.py::test_one", ""]
    result.stdout.fnmatch_lines([
        "pycov-harvest: a coverage context per test through http://127.0.0.1:*/context",
        "*pycov-harvest: 2 switch(es), each confirmed by every process of every target "
        "(container a: 2 process(es), container b: 0 process(es))",
    ])


def test_an_unconfirmed_switch_fails_that_test_with_the_target_and_the_reason(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    log = tmp_path / "switches"
    monkeypatch.setenv("FAKE_SERVE_LOG", str(log))
    result = run(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*SwitchError: pycov-harvest: the switch to context 'test_suite.py::TestTwo::test_refuse' failed: "
        "not confirmed by container b: pid 7: no acknowledgement within 10 s"
    ])
    assert switches(log) == ["test_suite.py::test_one", "", "test_suite.py::TestTwo::test_refuse"]


def test_a_serve_that_exits_is_a_usage_error_quoting_it(pytester: pytest.Pytester) -> None:
    result = run(pytester, "exit")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "*cannot start serve: `serve --port 0 --target docker --selector exit` exited with status 2 before it was ready:",
        "*no running containers with label exit found; check `selector`",
    ])


def test_without_options_the_plugin_stays_out(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PYCOV_HARVEST_SERVE_URL", "PYCOV_HARVEST_CLI", "PYCOV_HARVEST_SERVE_ARGS"):
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    assert "a coverage context per test" not in result.stdout.str()


def test_a_cli_without_target_options_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess("--pycov-harvest-cli=/x/dist/cli.js", "--pycov-harvest-serve-args=")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--pycov-harvest-cli needs serve's target options*"])
