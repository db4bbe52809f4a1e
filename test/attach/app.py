"""A bare ASGI service for the attach tests (runs on Python 3.8-3.15 with uvicorn or gunicorn):
`/` answers, `/work?n=K` runs a loop whose lines a second attach must add, `/stream` is a
server-sent event stream that stays open."""

import asyncio


def work(n):
    total = 0
    for i in range(n):
        if i % 3 == 0:
            total += i
        else:
            total -= 1
    return total


def later_only():
    return "this line runs only after the first attach"


async def _send_text(send, text, status=200):
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": text.encode()})


async def _stream(send):
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/event-stream")]})
    for i in range(600):
        await send({"type": "http.response.body", "body": b"data: %d\n\n" % i, "more_body": True})
        await asyncio.sleep(1)
    await send({"type": "http.response.body", "body": b""})


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"]
    if path == "/stream":
        await _stream(send)
    elif path == "/work":
        n = int(dict(p.split("=") for p in scope["query_string"].decode().split("&") if "=" in p).get("n", "10"))
        await _send_text(send, str(work(n)))
    elif path == "/later":
        await _send_text(send, later_only())
    else:
        await _send_text(send, "ok")
