"""fastapi/full-stack-fastapi-template's own coverage config in a service (issue 18, §3): its exact
`[tool.coverage]` tables, read through PYCOV_HARVEST_RCFILE, and route handlers named like its
`test_email` and `test_token`. The agent owns the contexts: `dynamic_context` is not applied (one
log line), each switched phase gets exactly the lines it ran, the core asked for (or the default)
is kept, and every data file maps its labels to the harness's contexts. Runs on every core of the
matrix (agent/run-tests.sh: ctrace, pytrace, sysmon). The other settings real projects set are
below it (docs/agent.md, "Your coverage configuration")."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from test_contexts import combine, switch

# backend/pyproject.toml of fastapi/full-stack-fastapi-template (68adb40), its [tool.coverage.*]
# tables verbatim.
TEMPLATE_TABLES = """\
[tool.coverage.run]
source = ["app"]
dynamic_context = "test_function"

[tool.coverage.report]
show_missing = true
sort = "-Cover"

[tool.coverage.html]
show_contexts = true
"""
APP = """\
from fastapi import FastAPI

app = FastAPI()


@app.get("/items")
def read_items():
    items = [1, 2, 3]  # phase: items
    total = sum(items)  # phase: items
    return {"total": total}  # phase: items


@app.get("/utils/test-email")
def test_email():
    recipient = "a@example.com"  # phase: email
    subject = "Test email"  # phase: email
    return {"sent": recipient, "subject": subject}  # phase: email


@app.get("/login/test-token")
def test_token():
    user = {"id": 1}  # phase: token
    return user  # phase: token
"""
UVICORN = ["{python}", "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", "{port}"]
# The harness's phases: the context it switches to, and that test's requests.
PHASES = [("e2e_items_and_email", ["/items", "/utils/test-email"]), ("e2e_token", ["/login/test-token"]),
          ("e2e_items_again", ["/items"])]
MARK_KEY = "pycov-harvest:contexts"


def lines_of(tag: str) -> list[int]:
    return [n for n, line in enumerate(APP.splitlines(), 1) if line.endswith(f"# phase: {tag}")]


def template_service(service, tables: str, extra_files: dict | None = None, env: dict | None = None):
    svc = service(UVICORN, start=False, env={"PYCOV_HARVEST_RCFILE": "pyproject.toml", **(env or {})})
    (svc.workdir / ".coveragerc").unlink()
    (svc.workdir / "pyproject.toml").write_text('[project]\nname = "backend"\nversion = "0"\n\n' + tables)
    (svc.workdir / "app").mkdir()
    (svc.workdir / "app" / "__init__.py").write_text("")
    (svc.workdir / "app" / "main.py").write_text(APP)
    for name, text in (extra_files or {}).items():
        (svc.workdir / name).write_text(text)
        # Importable when the agent starts (.pth time, before `-m` puts the working folder on
        # sys.path), as an installed plugin would be.
        svc.env["PYTHONPATH"] = str(svc.workdir)
    svc.start(ready_path="/items")
    return svc


def run_phases(svc) -> None:
    for name, paths in PHASES:
        status, result = switch(svc, name)
        assert status == 200 and result["ok"], result
        for path in paths:
            svc.get(path)
    status, result = switch(svc, "")
    assert status == 200 and result["ok"], result


def json_contexts(svc, tmp_path: Path) -> dict[str, list[int]]:
    """Context → executed lines of app/main.py, from `coverage json --show-contexts` on the
    combined data."""
    combined = combine(svc.data_dir, tmp_path)
    report = tmp_path / "report.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYCOV_HARVEST", "COVERAGE_"))}
    done = subprocess.run([sys.executable, "-m", "coverage", "json", "--show-contexts", f"--data-file={combined}",
                           "-o", str(report)], cwd=svc.workdir, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    (entry,) = [f for name, f in json.loads(report.read_text())["files"].items() if name.endswith("main.py")]
    executed = set(entry["executed_lines"])
    found: dict[str, list[int]] = {}
    for line, names in entry["contexts"].items():
        for name in names:
            if int(line) in executed:
                found.setdefault(name, []).append(int(line))
    return {name: sorted(lines) for name, lines in found.items()}


def marks(data_dir: Path) -> list[dict]:
    found = []
    for path in sorted(data_dir.glob(".coverage.*")):
        db = sqlite3.connect(str(path))
        try:
            (value,) = db.execute("select value from meta where key = ?", (MARK_KEY,)).fetchone()
        finally:
            db.close()
        found.append(json.loads(value))
    return found


def test_the_templates_table_each_phase_gets_exactly_its_lines_and_the_core_is_kept(service, tmp_path):
    svc = template_service(service, TEMPLATE_TABLES)
    run_phases(svc)
    by_context = json_contexts(svc, tmp_path)
    items, email, token = lines_of("items"), lines_of("email"), lines_of("token")
    assert by_context["e2e_items_and_email"] == sorted(items + email)
    assert by_context["e2e_token"] == token
    assert by_context["e2e_items_again"] == items
    # No context of coverage.py's own: the handler named test_email is a line like any other.
    assert set(by_context) == {"", "e2e_items_and_email", "e2e_token", "e2e_items_again"}
    (line,) = [x for x in svc.agent_lines() if "dynamic_context" in x]
    assert line == (
        f"pycov-harvest: dynamic_context = test_function from {svc.workdir}/pyproject.toml is not applied in a "
        "service: the "
        "agent owns the contexts, which your test harness switches (`python -m pycov_harvest context NAME`, or "
        "the action's `context` command)")
    # The core asked for (COVERAGE_CORE), or the default, whatever dynamic_context would have made it.
    expected = os.environ.get("PYCOV_TEST_EXPECT_CORE")
    (reg,) = svc.registrations()
    if expected:
        assert reg["core"] == expected
    assert "Can't use core=sysmon" not in svc.log()
    assert not [x for x in svc.agent_lines() if x.startswith("pycov-harvest: core ")]
    # The agent's mark: the labels it wrote, each its harness context.
    (mark,) = marks(svc.data_dir)
    assert mark == {name: name for name, _ in PHASES}


def test_a_static_context_joins_the_harness_names_and_the_mark_maps_them_back(service, tmp_path):
    svc = template_service(service, '[tool.coverage.run]\nsource = ["app"]\ncontext = "ci"\n')
    run_phases(svc)
    by_context = json_contexts(svc, tmp_path)
    assert by_context["ci|e2e_token"] == lines_of("token")
    assert "ci" in by_context and "" not in by_context
    (mark,) = marks(svc.data_dir)
    assert mark == {"ci": "", **{f"ci|{name}": name for name, _ in PHASES}}


def test_relative_files_is_not_applied_and_says_so(service):
    svc = template_service(service, '[tool.coverage.run]\nsource = ["app"]\nrelative_files = true\n')
    svc.get("/items")
    status, result = svc.flush()
    assert status == 200 and result["ok"], result
    import coverage

    data = coverage.CoverageData(basename=result["acks"][0]["data_file"])
    data.read()
    assert [f for f in data.measured_files() if f.endswith("main.py")] == [str(svc.workdir / "app" / "main.py")]
    assert any(f"relative_files = true from {svc.workdir}/pyproject.toml is not applied" in x for x in svc.agent_lines())


CONTEXT_PLUGIN = """\
import coverage


class Tests(coverage.CoveragePlugin):
    def dynamic_context(self, frame):
        return "plugin:" + frame.f_code.co_name if frame.f_code.co_name.startswith("test_") else None


def coverage_init(reg, options):
    reg.add_dynamic_context(Tests())
"""


def test_a_plugins_context_switcher_is_not_applied_and_says_so(service, tmp_path):
    svc = template_service(service, '[tool.coverage.run]\nsource = ["app"]\nplugins = ["ctxplugin"]\n',
                           extra_files={"ctxplugin.py": CONTEXT_PLUGIN})
    run_phases(svc)
    by_context = json_contexts(svc, tmp_path)
    assert by_context["e2e_items_and_email"] == sorted(lines_of("items") + lines_of("email"))
    assert not [name for name in by_context if name.startswith("plugin:")]
    assert any("the dynamic contexts of coverage plugin(s) ctxplugin.Tests are not applied" in x
               for x in svc.agent_lines())


def test_branch_include_omit_and_thread_concurrency_are_kept_multiprocessing_dropped(service):
    tables = ('[tool.coverage.run]\nsource = ["app"]\nbranch = true\nomit = ["*/app/__init__.py"]\n'
              'concurrency = ["thread", "multiprocessing"]\n')
    svc = template_service(service, tables)
    svc.get("/items")
    status, result = svc.flush()
    assert status == 200 and result["ok"], result
    import coverage

    data = coverage.CoverageData(basename=result["acks"][0]["data_file"])
    data.read()
    assert data.has_arcs()
    names = sorted(Path(f).name for f in data.measured_files())
    assert names == ["main.py"]
    core_lines = [x for x in svc.agent_lines() if x.startswith("pycov-harvest: core ")]
    (reg,) = svc.registrations()
    if os.environ.get("COVERAGE_CORE") == "sysmon" and sys.version_info < (3, 14):
        # sys.monitoring measures branches only from 3.14: coverage.py takes ctrace and says why
        # (its no-sysmon warning); the agent says which core it got.
        assert reg["core"] == "ctrace"
        assert core_lines == ["pycov-harvest: core ctrace (asked: sysmon); coverage.py's own warning above says why"]
    else:
        assert core_lines == []


def test_include_is_kept(service):
    svc = template_service(service, '[tool.coverage.run]\ninclude = ["*/app/main.py"]\n')
    svc.get("/items")
    status, result = svc.flush()
    assert status == 200 and result["ok"], result
    import coverage

    data = coverage.CoverageData(basename=result["acks"][0]["data_file"])
    data.read()
    assert [Path(f).name for f in data.measured_files()] == ["main.py"]


def test_a_concurrency_library_that_is_missing_is_one_line_naming_the_setting(service):
    svc = service(UVICORN, start=False, env={"PYCOV_HARVEST_RCFILE": "pyproject.toml"})
    (svc.workdir / ".coveragerc").unlink()
    (svc.workdir / "pyproject.toml").write_text('[tool.coverage.run]\nconcurrency = ["eventlet"]\n')
    (svc.workdir / "app").mkdir()
    (svc.workdir / "app" / "__init__.py").write_text("")
    (svc.workdir / "app" / "main.py").write_text(APP)
    svc.start(ready_path="/items")
    lines = [x for x in svc.agent_lines() if "did not start" in x]
    assert len(lines) == 1, svc.log()
    assert "concurrency=eventlet" in lines[0] and "the service runs without it" in lines[0]


FILE_TRACER_PLUGIN = """\
import coverage


class Templates(coverage.CoveragePlugin):
    def file_tracer(self, filename):
        return None  # traces nothing itself; enough to need a core that runs file tracers


def coverage_init(reg, options):
    reg.add_file_tracer(Templates())
"""


def test_plugins_file_tracers_keep_ctrace_where_sys_monitoring_is_the_default(service):
    svc = template_service(service, '[tool.coverage.run]\nsource = ["app"]\nplugins = ["tracerplugin"]\n',
                           extra_files={"tracerplugin.py": FILE_TRACER_PLUGIN})
    svc.get("/items")
    status, result = svc.flush()
    assert status == 200 and result["ok"], result
    (reg,) = svc.registrations()
    chosen = [x for x in svc.agent_lines() if "core ctrace, not sys.monitoring" in x]
    if sys.version_info >= (3, 14) and not os.environ.get("COVERAGE_CORE"):
        # coverage.py's default here is sys.monitoring, which cannot run file tracers.
        assert reg["core"] == "ctrace"
        assert chosen == ["pycov-harvest: core ctrace, not sys.monitoring (coverage's default on this Python): the "
                          "file tracers of coverage plugin(s) tracerplugin.Templates run only on ctrace; set [run] "
                          "core to choose"]
    else:
        # A core asked for (COVERAGE_CORE) is kept, or ctrace is coverage.py's default anyway.
        assert chosen == []
        if os.environ.get("PYCOV_TEST_EXPECT_CORE"):
            assert reg["core"] == os.environ["PYCOV_TEST_EXPECT_CORE"]


def test_the_mark_writes_no_rollback_journal(tmp_path, monkeypatch):
    """A process killed while it marks a data file must not leave a hot journal beside it:
    coverage.py 7.18+ refuses to read such a file. The journal would exist between the write and
    the commit; it never does."""
    import coverage

    from pycov_harvest import owned

    data = tmp_path / ".coverage"
    written = coverage.CoverageData(str(data))
    written.add_lines({str(tmp_path / "a.py"): [1, 2]})
    written.write()
    journal_seen = []

    class Watching(sqlite3.Connection):
        def execute(self, *args, **kwargs):
            cursor = super().execute(*args, **kwargs)
            journal_seen.append(os.path.exists(str(data) + "-journal"))
            return cursor

    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: connect(*a, factory=Watching, **k))
    owned.mark(str(data), {"1": "e2e_one"})
    assert journal_seen and not any(journal_seen), journal_seen
    read = coverage.CoverageData(str(data))
    read.read()
    assert sorted(read.lines(str(tmp_path / "a.py")) or []) == [1, 2]
    with sqlite3.connect(str(data)) as db:
        (value,) = db.execute("select value from meta where key = ?", (MARK_KEY,)).fetchone()
    assert json.loads(value) == {"1": "e2e_one"}
