"""What the agent takes from the project's own coverage settings (docs/agent.md,
"Coverage configuration"): `[tool.coverage.run]` of the service's pyproject.toml,
found by coverage's own lookup, is read; `parallel` and `data_file` are forced;
`dynamic_context = test_function` is not applied (test_contexts_template.py)."""

import coverage

from conftest import mark_line

UVICORN = ["{python}", "-m", "uvicorn", "service:app", "--host", "127.0.0.1", "--port", "{port}"]

PYPROJECT = """\
[project]
name = "service"
version = "0"

[tool.coverage.run]
source = ["service"]
branch = true
parallel = false
data_file = "elsewhere/.coverage"
dynamic_context = "test_function"

[tool.coverage.report]
fail_under = 100
"""


def test_pyproject_settings_are_read_and_forced_ones_win(service):
    svc = service(UVICORN, start=False)
    (svc.workdir / ".coveragerc").unlink()  # else coverage reads it first
    (svc.workdir / "pyproject.toml").write_text(PYPROJECT)
    svc.start()
    svc.get("/a")
    status, result = svc.flush()
    assert status == 200 and result["ok"], result
    (ack,) = result["acks"]
    (reg,) = svc.registrations()
    assert reg["data_file"] == ack["data_file"]
    # Forced: one file per process in the agent's data dir, whatever data_file and parallel say.
    assert ack["data_file"].startswith(f"{svc.data_dir}/.coverage.")
    assert not (svc.workdir / "elsewhere").exists()
    # Read: branch = true from pyproject.toml (the test app's .coveragerc has no branch).
    data = coverage.CoverageData(basename=ack["data_file"])
    data.read()
    assert data.has_arcs()
    (measured,) = [f for f in data.measured_files() if f.endswith("service.py")]
    assert mark_line("A") in (data.lines(measured) or [])
    # dynamic_context = test_function is not applied: with no switch every line is in the
    # empty context.
    assert set(data.measured_contexts()) == {""}
    svc.get("/b")
    status, result = svc.flush()
    assert status == 200 and result["ok"], result
    data = coverage.CoverageData(basename=ack["data_file"])
    data.read()
    assert mark_line("B") in (data.lines(measured) or [])
