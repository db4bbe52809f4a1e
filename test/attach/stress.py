"""Stress: N attaches (default 200) while C concurrent keep-alive clients (default 50) hit a real
`coverage run` uvicorn service. Run once, numbers recorded in docs/attach.md; it fails (exit 1)
on any crash, hang, failed request, or attach whose answer and data file do not check out.

    python test/attach/stress.py [--version 3.12.1] [--attaches 200] [--clients 50]
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from support import Service, attach  # noqa: E402

REQUEST_TIMEOUT = 10.0
ATTACH_TIMEOUT = 10.0


class Clients:
    def __init__(self, port, count):
        self.port = port
        self.ok = 0
        self.failed = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.loop, daemon=True) for _ in range(count)]
        for t in self.threads:
            t.start()

    def loop(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        while not self.stop.is_set():
            try:
                conn.request("GET", "/work?n=200")
                r = conn.getresponse()
                body = r.read()
                with self.lock:
                    if r.status == 200 and body:
                        self.ok += 1
                    else:
                        self.failed.append("status %d" % r.status)
            except Exception as e:  # every failure counts, whatever its kind
                with self.lock:
                    self.failed.append(repr(e))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(REQUEST_TIMEOUT + 5)
        return sum(t.is_alive() for t in self.threads)


def memory_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        return dict((k, int(v.split()[0])) for k, v in (line.split(":", 1) for line in f) if k in ("VmSize", "VmRSS"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--version", default="3.12.1")
    p.add_argument("--attaches", type=int, default=200)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--core", default="ctrace")
    opts = p.parse_args()
    svc = Service(opts.version, env={"COVERAGE_CORE": opts.core})
    pid = svc.proc.pid
    before = memory_kb(pid)
    clients = Clients(svc.port, opts.clients)
    times, bad, routes = [], [], {}
    t_start = time.monotonic()
    try:
        for i in range(opts.attaches):
            events, elapsed = attach([pid], opts.version, timeout=ATTACH_TIMEOUT)
            e = events[pid]
            times.append(elapsed)
            routes[e.get("syscall", "?")] = routes.get(e.get("syscall", "?"), 0) + 1
            if e["event"] != "attached" or e["bytes"] <= 0 or e["data_file"] != svc.dir + "/.coverage":
                bad.append(e)
            if svc.proc.poll() is not None:
                bad.append({"crash": "service exited with %s after attach %d" % (svc.proc.returncode, i + 1)})
                break
        duration = time.monotonic() - t_start
        hung = clients.finish()
        after = memory_kb(pid) if svc.proc.poll() is None else {}
        log = svc.read_log()
        times.sort()
        result = {
            "python": opts.version, "core": opts.core, "attaches": len(times), "clients": opts.clients,
            "bad_attaches": len(bad), "failed_requests": len(clients.failed), "ok_requests": clients.ok,
            "hung_clients": hung, "service_alive": svc.proc.poll() is None,
            "tracebacks_in_log": log.count("Traceback"), "seconds": round(duration, 1),
            "attach_p50_s": round(times[len(times) // 2], 3), "attach_max_s": round(times[-1], 3),
            "threads_taken_over_in": routes, "vmsize_kb_growth": after.get("VmSize", 0) - before["VmSize"],
            "load_average": os.getloadavg()[0],
        }
        print(json.dumps(result, indent=1))
        for b in bad[:5]:
            print("bad attach:", json.dumps(b))
        for f in clients.failed[:5]:
            print("failed request:", f)
        ok = not bad and not clients.failed and not hung and result["service_alive"] and not result["tracebacks_in_log"]
        return 0 if ok else 1
    finally:
        clients.stop.set()
        svc.stop()


if __name__ == "__main__":
    sys.exit(main())
