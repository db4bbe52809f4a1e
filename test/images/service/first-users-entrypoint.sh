#!/bin/bash
# Our first users' entrypoint (../shared/user-request.md, section 5), unchanged but for the
# interpreter's name (python3.12 there) and the `E2E_COVERAGE` guard around it: `coverage run`
# with `[run] sigterm = true` and no graceful-shutdown timeout, bash staying PID 1, trapping
# SIGTERM, forwarding it and waiting twice. Not the image's default entrypoint: tests run it as
# the container's command.
set -e
cd /app

cat > /tmp/.coveragerc <<RCEOF
[run]
sigterm = true
source = src
data_file = /coverdata/.coverage
RCEOF

# Python runs in background, bash stays PID 1
python3 -m coverage run --rcfile=/tmp/.coveragerc \
    -m uvicorn src.main:app \
    --host 0.0.0.0 --port 8080 \
    --workers 1 --loop asyncio &
PID=$!

# Forward SIGTERM from bash to Python
trap 'echo "Received SIGTERM, forwarding to Python (PID $PID)..."; kill -TERM $PID 2>/dev/null' SIGTERM SIGINT

# Double-wait pattern: first wait is interrupted by signal,
# second wait blocks until Python actually exits
set +e
wait $PID 2>/dev/null
wait $PID 2>/dev/null
EXIT_CODE=$?
set -e

# Verify coverage file (diagnostic)
COV_FILE="${COVERAGE_FILE:-/coverdata/.coverage}"
if [ -f "$COV_FILE" ]; then
    echo "Coverage file written: $COV_FILE"
else
    echo "Coverage file NOT found at $COV_FILE after Python exit"
fi
exit $EXIT_CODE
