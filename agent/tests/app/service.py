"""The FastAPI service the tests measure. Lines the tests look for carry a
`# mark: NAME` comment; the tests find their numbers by that comment."""

import asyncio
import contextlib
import os

from fastapi import FastAPI
from fastapi.responses import StreamingResponse


@contextlib.asynccontextmanager
async def lifespan(app):
    yield
    # A lifespan shutdown that hangs: the case where waiting for exit loses data.
    await asyncio.sleep(float(os.environ.get("APP_SHUTDOWN_SLEEP", "0")))  # mark: shutdown


app = FastAPI(lifespan=lifespan)


@app.get("/health")
def health():
    return {"ok": True}


@app.get("/a")
def route_a():
    value = "a"  # mark: A
    return {"route": value}


@app.get("/b")
async def route_b():
    value = "b"  # mark: B
    return {"route": value}


@app.get("/branchy")
def branchy(flag: int = 0):
    if flag:
        value = "one"  # mark: FLAG_ONE
    else:
        value = "zero"  # mark: FLAG_ZERO
    return {"value": value}


@app.get("/pid")
async def route_pid():
    pid = os.getpid()  # mark: PID
    return {"pid": pid}


@app.get("/sse")
async def sse():
    async def events():
        n = 0
        while True:
            n += 1
            yield f"data: {n}\n\n"  # mark: SSE
            await asyncio.sleep(0.2)

    return StreamingResponse(events(), media_type="text/event-stream")
