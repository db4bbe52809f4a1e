"""The e2e test service. Lines that tests look for end in a `# cov:<name>` marker
(see test/images/README.md): find their numbers by the marker, not by counting."""

import asyncio
import os
import sys
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException
from fastapi.responses import StreamingResponse

from . import calc


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.ready = True  # cov:startup
    yield
    # Like a real app closing a database pool slowly: uvicorn's graceful-shutdown
    # timeout does not cover the lifespan shutdown.
    await asyncio.sleep(float(os.environ.get("SHUTDOWN_SLEEP", "5")))  # cov:shutdown


app = FastAPI(lifespan=lifespan)


@app.get("/health")
async def health():
    return {"ok": True}  # cov:health


@app.get("/info")
async def info():
    import uvicorn

    return {  # cov:info
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "uid": os.getuid(),
        "python": sys.version.split()[0],
        "uvicorn": uvicorn.__version__,
        "coverage_mode": os.environ.get("COVERAGE_MODE", ""),
    }


@app.get("/items/{n}")
async def item(n: int):
    if n % 2 == 0:
        kind = "even"  # cov:items-even
    else:
        kind = "odd"  # cov:items-odd
    return {"n": n, "kind": kind}  # cov:items-return


@app.get("/divide")
async def divide(a: float, b: float):
    try:
        return {"result": calc.divide(a, b)}  # cov:divide-call
    except ZeroDivisionError:
        raise HTTPException(status_code=400, detail="b must not be 0")  # cov:divide-by-zero


@app.get("/never")
async def never():
    # No test calls this endpoint: these lines must stay uncovered.
    value = calc.unused_helper(3)  # cov:never
    return {"value": value}  # cov:never-return


@app.get("/stream")
async def stream(seconds: float = float(os.environ.get("STREAM_SECONDS", "600"))):
    """Server-sent events that keep the connection open for a long time, which
    keeps uvicorn's graceful shutdown waiting (the first users' failure)."""

    async def events():
        tick = 0
        while tick < seconds:
            yield f"data: tick {tick}\n\n"  # cov:stream-tick
            tick += 1
            await asyncio.sleep(1)
        yield "data: done\n\n"  # cov:stream-done

    return StreamingResponse(events(), media_type="text/event-stream")
