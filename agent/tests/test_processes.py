"""Saving from the flush thread while other threads are traced loses nothing;
children made by subprocess, multiprocessing (fork and spawn) measure too; and
without PYCOV_HARVEST=1 the .pth hook does not even import coverage."""

import json
import os
import subprocess
import sys
import textwrap

from conftest import combined_lines, executed_lines, expected_core, mark_line

FUNCTIONS = 4000
THREADS = 4


def run_script(tmp_path, script: str, env_extra=None, timeout=120):
    data_dir = tmp_path / "coverdata"
    data_dir.mkdir(exist_ok=True)
    (tmp_path / ".coveragerc").write_text("[run]\nsource = .\n")
    (tmp_path / "main.py").write_text(textwrap.dedent(script))
    env = dict(os.environ, PYCOV_HARVEST="1", PYCOV_HARVEST_DATA_DIR=str(data_dir), PYCOV_HARVEST_PORT="off")
    env.update(env_extra or {})
    done = subprocess.run([sys.executable, "main.py"], cwd=tmp_path, env=env, capture_output=True,
                          timeout=timeout, text=True)
    assert done.returncode == 0, done.stderr
    return data_dir, done


def test_saves_during_traced_threads_lose_no_lines(tmp_path):
    body = "\n".join(f"def f{i}():\n    return {i}\n" for i in range(FUNCTIONS))
    (tmp_path / "many.py").write_text(body)
    data_dir, done = run_script(tmp_path, f"""
        import threading
        import many
        from pycov_harvest import agent, fanout

        flushed = threading.Condition()
        flushes = 0

        def worker(k):
            # Each line runs exactly once, so a line lost by a save stays lost.
            for n, i in enumerate(range(k, {FUNCTIONS}, {THREADS})):
                getattr(many, f"f{{i}}")()
                if n % 4 == 0:
                    threading.Event().wait(0.0005)
                if n % 100 == 99:  # keep pace with the saves, so they overlap the whole run
                    with flushed:
                        seen = flushes
                        flushed.wait_for(lambda: flushes > seen, timeout=10)

        threads = [threading.Thread(target=worker, args=(k,)) for k in range({THREADS})]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            result = fanout.flush(agent.current().settings.data_dir, timeout=10)
            assert result["ok"], result
            with flushed:
                flushes += 1
                flushed.notify_all()
        for t in threads:
            t.join()
        print(flushes, agent.current().measurement.core)
    """)
    flushes, core = done.stdout.split()
    assert int(flushes) >= 10, "saves overlapped the traced threads"
    if expected_core():
        assert core == expected_core()
    (data_file,) = [p for p in data_dir.iterdir() if p.name.startswith(".coverage.")]
    lines = executed_lines(data_file, tmp_path / "many.py")
    bodies = {2 + 3 * i for i in range(FUNCTIONS)}
    assert bodies - lines == set(), "lines executed during saves were lost"


def test_subprocess_and_multiprocessing_children_measure(tmp_path):
    (tmp_path / "child.py").write_text("def work(tag):\n    return tag * 2\n\nif __name__ == '__main__':\n    work('sub')\n")
    data_dir, done = run_script(tmp_path, """
        import multiprocessing, subprocess, sys
        import child

        if __name__ == "__main__":
            subprocess.run([sys.executable, "child.py"], check=True)
            for method in ("fork", "spawn"):
                p = multiprocessing.get_context(method).Process(target=child.work, args=(method,))
                p.start()
                p.join()
                assert p.exitcode == 0
            print("done")
    """)
    acks = [json.loads(p.read_text()) for p in (data_dir / ".pycov-harvest").glob("ack-*.json")]
    # main, the subprocess, the fork child, the spawn child (+ spawn's resource tracker),
    # each saved at its exit into its own file
    assert len({a["pid"] for a in acks}) >= 4 and all(a["trigger"] == "exit" for a in acks), acks
    files = [p for p in data_dir.iterdir() if p.name.startswith(".coverage.")]
    assert len(files) == len(acks)
    with_work = [f for f in files if 2 in executed_lines(f, tmp_path / "child.py")]
    assert len(with_work) == 3, "subprocess, fork and spawn children each recorded child.work"


def test_pth_hook_costs_nothing_when_off(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYCOV_HARVEST"}
    probe = "import sys; print('coverage' in sys.modules, 'pycov_harvest' in sys.modules)"
    off = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert off.stdout.split() == ["False", "False"]
    on = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                        env=dict(env, PYCOV_HARVEST="1", PYCOV_HARVEST_DATA_DIR=str(tmp_path),
                                 PYCOV_HARVEST_PORT="off"))
    assert on.stdout.split() == ["True", "True"], on.stderr


def test_not_started_under_coverage_run(tmp_path):
    (tmp_path / "main.py").write_text("print('ran')\n")
    env = dict(os.environ, PYCOV_HARVEST="1", PYCOV_HARVEST_DATA_DIR=str(tmp_path / "d"), PYCOV_HARVEST_PORT="off")
    done = subprocess.run([sys.executable, "-m", "coverage", "run", "main.py"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.stdout.strip() == "ran"
    assert "not started under `coverage run`" in done.stderr
    assert not (tmp_path / "d").exists()


def test_marked_helper_program_runs_without_the_agent(tmp_path):
    env = dict(os.environ, PYCOV_HARVEST="1", PYCOV_HARVEST_DATA_DIR=str(tmp_path / "d"), PYCOV_HARVEST_PORT="off")
    probe = "import sys; print('coverage' in sys.modules, 'pycov_harvest.agent' in sys.modules)"
    marked = subprocess.run([sys.executable, "-c", "# pycov-harvest: no-agent\n" + probe], env=env,
                            capture_output=True, text=True)
    assert marked.stdout.split() == ["False", "False"], marked.stderr
    assert not (tmp_path / "d").exists()
    unmarked = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert unmarked.stdout.split() == ["True", "True"], unmarked.stderr


def test_processes_alike_at_first_save_are_all_combined(tmp_path):
    """coverage 7.14-7.17.0 named a data file after the hash of its first write;
    combine skips files with the same name hash as duplicates. Two processes
    whose first saves are alike must still both be combined after they diverge."""
    data_dir, done = run_script(tmp_path, """
        import multiprocessing

        def branch(k):
            if k == 0:
                return "zero"  # mark: ZERO
            return "one"  # mark: ONE

        def child(k, go, done):
            go.wait(30)
            branch(k)
            done.set()
            go.wait(30)  # stay alive until after the second flush

        if __name__ == "__main__":
            from pycov_harvest import fanout
            from pycov_harvest.settings import data_dir_from_env

            ctx = multiprocessing.get_context("spawn")
            go, finished = ctx.Event(), [ctx.Event(), ctx.Event()]
            kids = [ctx.Process(target=child, args=(k, go, finished[k])) for k in (0, 1)]
            for kid in kids:
                kid.start()
            import time
            data_dir = data_dir_from_env()
            while len([a for a in fanout.flush(data_dir)["acks"]]) < 4:  # main, tracker, 2 children
                time.sleep(0.05)
            go.set()
            for event in finished:
                event.wait(30)
            assert fanout.flush(data_dir)["ok"]
            for kid in kids:
                kid.join(30)
    """)
    main = tmp_path / "main.py"
    lines = combined_lines(data_dir, main, tmp_path)
    assert mark_line("ZERO", main) in lines, "the first child's branch"
    assert mark_line("ONE", main) in lines, "the second child's branch"
