#!/bin/bash
# PID 1 of the service image. Like our first users' entrypoint, bash stays PID 1
# and python is its child: bash traps TERM/INT, forwards them to python and
# waits until python has really exited.
#
# COVERAGE_MODE  agent (default) | save-signal | sigterm | none
# UVICORN_WORKERS   --workers N (unset: uvicorn's default, one process)
# GRACEFUL_TIMEOUT  --timeout-graceful-shutdown for the sigterm mode (default 2)
# UVICORN_ARGS      extra uvicorn arguments, split on spaces
# COVERAGE_RCFILE   overrides the mode's coverage config file
# ENTRYPOINT_LINGER seconds bash stays alive after python exited (default 0,
#                   like our users' entrypoint); lets a test exec into the
#                   container after a SIGTERM harvest
#
# With arguments it runs them instead of the server, as a plain command
# (`podman run --rm IMAGE python -c ...`).
set -u
cd /app || exit 1
[ "$#" -gt 0 ] && exec "$@"

mode=${COVERAGE_MODE:-agent}
uvicorn_args=(src.main:app --host 0.0.0.0 --port 8000)
[ -n "${UVICORN_WORKERS:-}" ] && uvicorn_args+=(--workers "$UVICORN_WORKERS")
# shellcheck disable=SC2206 # splitting on spaces is the documented behaviour
[ -n "${UVICORN_ARGS:-}" ] && uvicorn_args+=(${UVICORN_ARGS})

case "$mode" in
  agent)
    export PYCOV_HARVEST=1
    export COVERAGE_RCFILE=${COVERAGE_RCFILE:-/app/.coveragerc}
    cmd=(python -m uvicorn "${uvicorn_args[@]}")
    ;;
  save-signal)
    cmd=(python -m coverage run --save-signal=USR1 --rcfile="${COVERAGE_RCFILE:-/app/.coveragerc}"
         -m uvicorn "${uvicorn_args[@]}")
    ;;
  sigterm)
    cmd=(python -m coverage run --rcfile="${COVERAGE_RCFILE:-/app/.coveragerc-sigterm}"
         -m uvicorn "${uvicorn_args[@]}" --timeout-graceful-shutdown "${GRACEFUL_TIMEOUT:-2}")
    ;;
  none)
    cmd=(python -m uvicorn "${uvicorn_args[@]}")
    ;;
  *)
    echo "entrypoint: unknown COVERAGE_MODE '$mode'; use agent, save-signal, sigterm or none" >&2
    exit 64
    ;;
esac

echo "entrypoint: mode=$mode uid=$(id -u) running: ${cmd[*]}"
"${cmd[@]}" &
pid=$!
trap 'echo "entrypoint: got SIGTERM/SIGINT, forwarding TERM to python (pid $pid)"; kill -TERM "$pid" 2>/dev/null' TERM INT

# `wait` returns early (status > 128) when a trapped signal arrives; keep waiting
# until python is gone (kill -0 also succeeds on an unreaped zombie).
wait "$pid"
status=$?
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid"
  status=$?
done
echo "entrypoint: python exited with status $status"
if [ "${ENTRYPOINT_LINGER:-0}" != 0 ]; then
  echo "entrypoint: staying alive ${ENTRYPOINT_LINGER}s (ENTRYPOINT_LINGER)"
  sleep "$ENTRYPOINT_LINGER" &
  wait $!
fi
exit "$status"
