"""An asyncio server that never runs Python code while idle (no periodic tick, unlike uvicorn):
its main thread sits in epoll_wait until a client comes. Usage: idle_server.py PORT"""

import asyncio
import sys


async def handle(reader, writer):
    data = await reader.read(100)
    if data:
        writer.write(b"HTTP/1.0 200 OK\r\n\r\nok")
        await writer.drain()
    writer.close()


async def main(port):
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
