#!/bin/bash
# PID 1 of the Flask image, like the boot scripts of well-known Flask apps: the database step
# (`flask init-db`: tables and initial data) runs first, then gunicorn with workers that are
# recycled every --max-requests requests. bash stays PID 1: it forwards TERM/INT to gunicorn and
# waits until gunicorn has exited.
#
# COVERAGE_MODE    agent (default: PYCOV_HARVEST=1, COVERAGE_RCFILE=/app/.coveragerc) | none
# GUNICORN_WORKERS default 3
# MAX_REQUESTS     default 40 (gunicorn --max-requests; 0 turns recycling off)
# With arguments it runs them instead (`podman run --rm IMAGE python -c ...`).
set -u
cd /app || exit 1
[ "$#" -gt 0 ] && exec "$@"

case "${COVERAGE_MODE:-agent}" in
  agent)
    export PYCOV_HARVEST=1
    export COVERAGE_RCFILE=${COVERAGE_RCFILE:-/app/.coveragerc}
    ;;
  none) ;;
  *) echo "boot: unknown COVERAGE_MODE '${COVERAGE_MODE}'; use agent or none" >&2; exit 64 ;;
esac

flask --app wsgi init-db || { echo "boot: init-db failed" >&2; exit 1; }

gunicorn -b 0.0.0.0:8000 --workers "${GUNICORN_WORKERS:-3}" --max-requests "${MAX_REQUESTS:-40}" \
  --access-logfile - --error-logfile - wsgi:app &
pid=$!
trap 'echo "boot: got SIGTERM/SIGINT, forwarding TERM to gunicorn (pid $pid)"; kill -TERM "$pid" 2>/dev/null' TERM INT
wait "$pid"
status=$?
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid"
  status=$?
done
echo "boot: gunicorn exited with status $status"
exit "$status"
