# Runs in the conversion container: coverage combine with the generated rc file, then the
# reports, all by coverage.py's own commands. Exit 3 (before touching anything) when the image
# lacks the wanted coverage version and installing was not allowed.
import subprocess


def coverage_version(env):
    out = subprocess.run([sys.executable, "-c", "import coverage; print(coverage.__version__)"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    return out.stdout.decode().strip() if out.returncode == 0 else None


INFER = """
import json, os, sys
from coverage import CoverageData
files = set()
for path in sys.argv[1:]:
    data = CoverageData(path)
    data.read()
    files.update(data.measured_files())
print(json.dumps(sorted(files)))
"""


def infer_paths(data_files, env):
    """Container prefixes whose files exist in the workspace (the cwd) under a shorter path."""
    out = subprocess.run([sys.executable, "-c", INFER] + data_files, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=env)
    if out.returncode != 0:
        return []
    prefixes = []
    for measured in json.loads(out.stdout.decode()):
        if not measured.startswith("/") or os.path.exists(measured):
            continue
        parts = measured.split("/")
        for i in range(2, len(parts)):
            if os.path.isfile(os.path.join(*parts[i:])):
                prefix = "/".join(parts[:i])
                if prefix not in prefixes:
                    prefixes.append(prefix)
                break
    return prefixes


def step(name, argv, env):
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    text = done.stdout.decode("utf-8", "replace").strip()
    return {"step": name, "exit": done.returncode, "output": text[-2000:]}


def main():
    a = args()
    env = dict(os.environ)
    have = coverage_version(env)
    want = a.get("version") or have
    installed = False
    if want is None or have != want:
        if not a.get("install"):
            emit({"event": "need-install", "have": have, "want": want})
            sys.exit(3)
        target = a["install_dir"]
        spec = "coverage==" + want if want else "coverage"
        pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                              "--no-cache-dir", "--retries", "2", "--timeout", "20", "--target", target, spec],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if pip.returncode != 0:
            emit({"event": "install-failed", "have": have, "want": want, "spec": spec,
                  "output": pip.stdout.decode("utf-8", "replace")[-2000:]})
            sys.exit(4)
        env["PYTHONPATH"] = target + os.pathsep + env.get("PYTHONPATH", "")
        have = coverage_version(env)
        installed = True
    inferred = infer_paths(a["data_files"], env) if a.get("infer_paths") else []
    if inferred:
        with open(a["rcfile"], "a") as f:
            f.write("\n# Inferred from the measured files (no `path-map` given).\n[paths]\n")
            for i, prefix in enumerate(inferred):
                f.write("inferred%d =\n    ./\n    %s/\n" % (i, prefix))
        emit({"event": "inferred", "prefixes": inferred})
    cov = [sys.executable, "-m", "coverage"]
    rc = "--rcfile=" + a["rcfile"]
    steps = [step("combine", cov + ["combine", rc] + a["data_files"], env)]
    if steps[0]["exit"] == 0:
        out = a["outputs"]
        if "lcov" in out:
            steps.append(step("lcov", cov + ["lcov", rc, "-i", "-o", out["lcov"]], env))
        if "xml" in out:
            steps.append(step("xml", cov + ["xml", rc, "-i", "-o", out["xml"]], env))
        if "json" in out:
            steps.append(step("json", cov + ["json", rc, "-i", "-o", out["json"]], env))
        if "html" in out:
            steps.append(step("html", cov + ["html", rc, "-i", "-d", out["html"]], env))
    ok = all(s["exit"] == 0 for s in steps)
    emit({"event": "result", "ok": ok, "coverage": have, "installed": installed, "inferred": inferred,
          "python": "%d.%d.%d" % sys.version_info[:3], "steps": steps})
    sys.exit(0 if ok else 5)


main()
