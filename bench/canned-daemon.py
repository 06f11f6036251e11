#!/usr/bin/env python3
"""A stand-in Docker daemon that does no work, for measuring the docker CLI's own share of a call.

canned-daemon.py SOCKET PING_HEADERS BODY

Listens on the UNIX socket SOCKET and answers every request on a kept-alive connection from
memory: a request for /_ping with the response head in the file PING_HEADERS (as `curl -sI`
printed it from a real daemon), and any other with 200 and the bytes of the file BODY as
application/json (as a real daemon answered the same request). Runs until killed.
"""
import asyncio
import sys

sock, ping_file, body_file = sys.argv[1:4]
with open(ping_file, "rb") as f:
    # curl prints the head with CRLFs and a blank line at the end; normalise both.
    lines = [l.rstrip(b"\r") for l in f.read().split(b"\n") if l.strip()]
PING = b"\r\n".join(lines) + b"\r\n\r\n"
with open(body_file, "rb") as f:
    body = f.read()
api = [l for l in lines if l.lower().startswith(b"api-version:")]
OTHER = (b"HTTP/1.1 200 OK\r\n" + b"".join(a + b"\r\n" for a in api) + b"Content-Type: application/json\r\n"
         + b"Content-Length: %d\r\n\r\n" % len(body) + body)


async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line = head.split(b"\r\n", 1)[0]
            writer.write(PING if b" /_ping" in request_line else OTHER)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


async def main():
    server = await asyncio.start_unix_server(serve, path=sock)
    async with server:
        await server.serve_forever()


asyncio.run(main())
