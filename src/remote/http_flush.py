# The exec'd HTTP client: asks the agent's loopback listener to flush, or streams its data.
import urllib.error
import urllib.request


def token_for(data_dir, port):
    for reg in registrations(data_dir):
        if reg.get("port") == port:
            return environ_of(reg["pid"]).get("PYCOV_HARVEST_TOKEN")
    return None


def main():
    a = args()
    if a["action"] == "token":
        # Asked only after the listener answered 401 through a port-forward.
        emit({"token": token_for(a["data_dir"], a["port"])})
        return
    url = "http://127.0.0.1:%d/pycov-harvest/%s" % (a["port"], a["action"])
    headers = {"Content-Type": "application/json"}
    token = token_for(a["data_dir"], a["port"])
    if token:
        headers["Authorization"] = "Bearer " + token
    body = None
    if a["action"] == "flush":
        body = json.dumps({"timeout": a["timeout"]}).encode()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body else "GET")
    try:
        response = urllib.request.urlopen(request, timeout=a["timeout"] + 10)
        status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    except Exception as error:
        emit({"status": None, "error": "%s: %s" % (type(error).__name__, error)})
        sys.exit(3)
    if a["action"] == "data" and status == 200:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        return
    try:
        result = json.loads(payload.decode())
    except ValueError:
        result = None
    emit({"status": status, "result": result, "body": None if result else payload[:300].decode("utf-8", "replace")})
    if status != 200:
        sys.exit(4)


main()
