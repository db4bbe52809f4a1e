# Reports what the flush chain needs to know about a target.
VERSION_SNIPPET = (
    "import json, sys\n"
    "try:\n    import coverage; v = coverage.__version__\nexcept Exception:\n    v = None\n"
    "print(json.dumps({'python': '%d.%d.%d' % sys.version_info[:3], 'coverage': v}))\n"
)


def interpreter_versions(proc):
    import subprocess

    candidate = proc["argv"][0]
    if not candidate.startswith("/"):
        path = environ_of(proc["pid"]).get("PATH", os.environ.get("PATH", ""))
        for folder in path.split(":"):
            if folder and os.access(os.path.join(folder, candidate), os.X_OK):
                candidate = os.path.join(folder, candidate)
                break
    try:
        out = subprocess.run([candidate, "-c", VERSION_SNIPPET], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=20, check=True).stdout
        return json.loads(out.decode())
    except Exception as error:
        return {"python": None, "coverage": None, "error": str(error)}


def main():
    a = args()
    data_dir = a["data_dir"]
    processes = python_processes()
    agents = registrations(data_dir)
    versions = None
    if agents:
        versions = {"python": agents[0].get("python"), "coverage": agents[0].get("coverage")}
    else:
        tops = [p for p in processes if p["top"] and (p["coverage_run"] or p["server"])]
        if tops:
            versions = interpreter_versions(tops[0])
    emit({
        "time": time.time(),
        "pid": os.getpid(),
        "python": "%d.%d.%d" % sys.version_info[:3],
        "executable": sys.executable,
        "data_dir_exists": os.path.isdir(data_dir),
        "agents": agents,
        "processes": processes,
        "data_files": data_files(data_dir),
        "versions": versions,
    })


main()
