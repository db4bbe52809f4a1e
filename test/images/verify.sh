#!/usr/bin/env bash
# Self-test of the images that build.sh made: runs the service image in every
# COVERAGE_MODE under podman as user 1001 with -p 127.0.0.1:<port>:8000, drives
# the app over HTTP, triggers the mode's save and checks which app lines the
# data file holds (read by the coverage image). Exits non-zero on the first
# failure, naming it. Takes about a minute.
#
# Usage: bash test/images/verify.sh
# The whole script is one { } block: bash reads it completely before running
# it, so editing this file while a run is in progress cannot break that run.
{
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=versions.env
source "$IMAGES_DIR/versions.env"
suffix_image_tags

fail() { printf '[verify] FAIL: %s\n' "$*" >&2; exit 1; }
ok() { printf '[verify] ok: %s\n' "$*"; }

for image in "$SERVICE_IMAGE" "$SERVICE_LATEST_IMAGE" "$COVERAGE_IMAGE"; do
  podman image exists "$image" || fail "image $image is missing; run test/images/build.sh first"
done

work=$(mktemp -d /tmp/pycov-harvest-verify.XXXXXX)
containers=()
streams=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  for p in "${streams[@]}"; do kill "$p" 2>/dev/null || true; done
  for c in "${containers[@]}"; do podman rm -f -t 0 "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# GET http://127.0.0.1:PORT/PATH and print the body; fails on an HTTP error.
http_get() { python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "http://127.0.0.1:$1$2"; }

# Line number of the `# cov:NAME` marker in app/src/FILE.
marker_line() { grep -n "# cov:$2\$" "$IMAGES_DIR/app/src/$1" | cut -d: -f1; }

# start NAME MODE IMAGE [podman run options...]: runs IMAGE, waits for /health,
# sets $port (not a subshell: the container must land in $containers for cleanup).
start() {
  local name=$1 mode=$2 image=$3; shift 3
  port=$(free_port)
  containers+=("$name")
  podman run -d --name "$name" -e COVERAGE_MODE="$mode" -p "127.0.0.1:$port:8000" "$@" "$image" >/dev/null ||
    fail "podman run of $name ($mode) failed"
  for _ in $(seq 1 100); do
    http_get "$port" /health >/dev/null 2>&1 && return
    sleep 0.1
  done
  podman logs "$name" >&2 || true
  fail "$name ($mode): no answer on 127.0.0.1:$port/health within 10 s"
}

# open_stream PORT: holds GET /stream open in the background (reads until killed);
# sets $stream_pid.
open_stream() {
  python3 -c 'import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=120) as r:
    while r.readline(): pass' "http://127.0.0.1:$1/stream" >/dev/null 2>&1 &
  stream_pid=$!
  streams+=("$stream_pid")
}

# python_pid NAME PORT: pid of the uvicorn python process (from the app itself).
python_pid() { http_get "$2" /info | python3 -c 'import json, sys; print(json.load(sys.stdin)["pid"])'; }

# Copies /coverdata out of a container (running or stopped) into $work/NAME.
copy_data() {
  rm -rf "${work:?}/$1"; mkdir -p "$work/$1"
  podman cp "$1:/coverdata/." "$work/$1/" || fail "podman cp $1:/coverdata failed"
  chmod -R a+rwX "$work/$1"
}

# lines_of NAME FILE: executed line numbers of /app/src/FILE in the data copied
# from container NAME, read by the coverage image (same coverage as the service).
lines_of() {
  podman run --rm --user 4242 -v "$work/$1:/data" "$COVERAGE_IMAGE" python3 -c '
import glob, sys, coverage
lines = set()
for path in glob.glob("/data/.coverage.*"):
    data = coverage.CoverageData(basename=path)
    data.read()
    lines |= set(data.lines("/app/src/" + sys.argv[1]) or [])
print(" ".join(str(n) for n in sorted(lines)))' "$2"
}

# expect_lines NAME FILE covered|uncovered MARKER...
expect_lines() {
  local name=$1 file=$2 want=$3 lines marker line; shift 3
  lines=" $(lines_of "$name" "$file") "
  for marker in "$@"; do
    line=$(marker_line "$file" "$marker")
    [ -n "$line" ] || fail "marker cov:$marker not found in app/src/$file"
    case "$want:$lines" in
      covered:*" $line "*) ;;
      uncovered:*" $line "*) fail "$name: $file:$line (cov:$marker) is covered but must not be" ;;
      covered:*) fail "$name: $file:$line (cov:$marker) is not in the data (executed lines:$lines)" ;;
    esac
  done
  ok "$name: $file lines $want: $*"
}

data_files() { podman exec "$1" /opt/venv/bin/python -c 'import glob; print(len(glob.glob("/coverdata/.coverage.*")))'; }

tag=$$

# ---- coverage image ----
version=$(podman run --rm --user 4242 "$COVERAGE_IMAGE" python3 -m coverage --version | sed -n 's/^Coverage.py, version \([^ ]*\).*/\1/p')
[ "$version" = "$COVERAGE_VERSION" ] || fail "$COVERAGE_IMAGE: python3 -m coverage reports '$version', want $COVERAGE_VERSION"
ok "$COVERAGE_IMAGE: python3 -m coverage $version as uid 4242"

# ---- agent mode: flush through the agent's CLI while an SSE stream is open ----
name=verify-agent-$tag
start "$name" agent "$SERVICE_IMAGE"
[ "$(podman exec "$name" /opt/venv/bin/python -c 'import os; print(os.getuid(), os.getppid())')" = "1001 0" ] ||
  fail "$name: podman exec does not run as 1001"
info=$(http_get "$port" /info)
case "$info" in *'"ppid":1,'*'"uid":1001,'*'"uvicorn":"'"$UVICORN_VERSION"'"'*) ;; *) fail "$name: /info says $info; want python child of PID 1, uid 1001, uvicorn $UVICORN_VERSION" ;; esac
ok "$name: python is a child of bash PID 1, uid 1001, uvicorn $UVICORN_VERSION, port 127.0.0.1:$port"
if podman exec "$name" /opt/venv/bin/python -c 'import pycov_harvest' 2>/dev/null; then
  # The agent in the image must be the one in agent/ now (a stale image hides agent changes).
  in_image=$(podman exec "$name" /opt/venv/bin/python -c '
import hashlib, pathlib, pycov_harvest
root = pathlib.Path(pycov_harvest.__file__).parent
for f in sorted(root.glob("*.py")): print(f.name, hashlib.sha256(f.read_bytes()).hexdigest())')
  in_repo=$(cd "$REPO_DIR/agent/pycov_harvest" && for f in *.py; do echo "$f $(sha256sum <"$f" | cut -d' ' -f1)"; done)
  [ "$in_image" = "$in_repo" ] ||
    fail "$SERVICE_IMAGE holds another agent than agent/pycov_harvest (diff: $(diff <(echo "$in_repo") <(echo "$in_image") | tr '\n' ' ')); run test/images/build.sh"
  ok "$name: the agent in the image is agent/pycov_harvest as it is now ($(echo "$in_repo" | wc -l) modules)"
  http_get "$port" /items/4 >/dev/null
  http_get "$port" '/divide?a=6&b=3' >/dev/null
  open_stream "$port"
  sleep 1
  result=$(podman exec --user 1001 "$name" /opt/venv/bin/python -m pycov_harvest flush --timeout 10) ||
    fail "$name: pycov_harvest flush exited non-zero: $result"
  case "$result" in *'"ok": true'*) ;; *) fail "$name: flush result is not ok: $result" ;; esac
  kill -0 "$stream_pid" 2>/dev/null || fail "$name: the SSE stream closed before the flush"
  kill "$stream_pid" 2>/dev/null || true
  ok "$name: python -m pycov_harvest flush ok with an SSE stream open"
  copy_data "$name"
  expect_lines "$name" main.py covered startup items-even items-return divide-call
  expect_lines "$name" main.py uncovered items-odd never divide-by-zero
  expect_lines "$name" calc.py covered calc-divide
  expect_lines "$name" calc.py uncovered calc-zero calc-unused
else
  echo "[verify] skip: $SERVICE_IMAGE has no agent (agent/pyproject.toml missing at build time)"
fi

# ---- save-signal mode: USR1 to the python pid writes a data file, the service keeps running ----
name=verify-save-signal-$tag
start "$name" save-signal "$SERVICE_IMAGE"
http_get "$port" /items/3 >/dev/null
http_get "$port" '/divide?a=1&b=0' >/dev/null 2>&1 || true  # 400 expected
pid=$(python_pid "$name" "$port")
podman exec "$name" /opt/venv/bin/python -c "import os; os.kill($pid, 10)"
for _ in $(seq 1 50); do [ "$(data_files "$name")" -gt 0 ] && break; sleep 0.1; done
[ "$(data_files "$name")" -gt 0 ] || fail "$name: no /coverdata/.coverage.* within 5 s of SIGUSR1 to pid $pid"
http_get "$port" /health >/dev/null || fail "$name: the service died after SIGUSR1"
ok "$name: SIGUSR1 to python pid $pid wrote data, service still up"
copy_data "$name"
expect_lines "$name" main.py covered items-odd divide-by-zero
expect_lines "$name" main.py uncovered items-even never
expect_lines "$name" calc.py covered calc-zero

# ---- sigterm mode: SIGTERM to the python pid with an SSE stream open ----
# check_sigterm NAME IMAGE UVICORN_VERSION
check_sigterm() {
  local name=$1 image=$2 uvicorn=$3 pid t0 elapsed
  start "$name" sigterm "$image" -e GRACEFUL_TIMEOUT=2 -e SHUTDOWN_SLEEP=1
  case "$(http_get "$port" /info)" in *'"uvicorn":"'"$uvicorn"'"'*) ;; *) fail "$name: not uvicorn $uvicorn" ;; esac
  http_get "$port" /items/8 >/dev/null
  open_stream "$port"
  sleep 1
  pid=$(python_pid "$name" "$port")
  t0=$SECONDS
  podman exec "$name" /opt/venv/bin/python -c "import os; os.kill($pid, 15)"
  # bash PID 1 exits when python has exited, so the container stops after the save.
  podman wait "$name" >/dev/null
  elapsed=$((SECONDS - t0))
  # Graceful timeout 2 s + lifespan shutdown 1 s + podman overhead; without the
  # timeout uvicorn would wait for the 600 s stream.
  [ "$elapsed" -le 15 ] || fail "$name: python took ${elapsed}s to exit after SIGTERM (graceful timeout 2 s + shutdown 1 s)"
  grep -q 'Waiting for connections to close' <(podman logs "$name" 2>&1) ||
    fail "$name: uvicorn did not wait for the open SSE connection (the check lost its point)"
  copy_data "$name"
  ls "$work/$name"/.coverage.* >/dev/null 2>&1 || fail "$name: no data file after SIGTERM"
  ok "$name: uvicorn $uvicorn, SIGTERM to python pid $pid with an SSE stream open: data written, exit after ${elapsed}s"
  expect_lines "$name" main.py covered items-even stream-tick shutdown
  expect_lines "$name" main.py uncovered never
}
check_sigterm "verify-sigterm-$tag" "$SERVICE_IMAGE" "$UVICORN_VERSION"
check_sigterm "verify-sigterm-latest-$tag" "$SERVICE_LATEST_IMAGE" "$UVICORN_LATEST_VERSION"

# ---- none mode: no data at all ----
name=verify-none-$tag
start "$name" none "$SERVICE_IMAGE" -e SHUTDOWN_SLEEP=0
http_get "$port" /items/1 >/dev/null
podman stop -t 10 "$name" >/dev/null
copy_data "$name"
! ls "$work/$name"/.coverage* >/dev/null 2>&1 || fail "$name: COVERAGE_MODE=none wrote coverage data"
ok "$name: no coverage data"

echo "[verify] all checks passed"
exit
}
