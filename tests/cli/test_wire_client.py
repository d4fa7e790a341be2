"""The load generator's HTTP/1.1 client against a real socket server: JSON, 204, chunked
bodies, a server that closes the connection, and a refused connection."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest

from expertloop.cli.wire import WireClient, WireError

Answer = Callable[[bytes], bytes]


async def serve(answer: Answer) -> tuple[asyncio.Server, list[bytes]]:
    """A server that reads one request at a time and writes ``answer(request)``."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            request = head + await reader.readexactly(length)
            seen.append(request)
            reply = answer(request)
            writer.write(reply)
            await writer.drain()
            if b"Connection: close" in reply:
                break
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, seen


def base_url(server: asyncio.Server) -> str:
    host, port = server.sockets[0].getsockname()[:2]
    return f"http://{host}:{port}"


def json_answer(request: bytes) -> bytes:
    sent = json.loads(request.split(b"\r\n\r\n", 1)[1] or b"null")
    body = json.dumps({"echo": sent}).encode()
    return b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


def test_post_sends_json_and_reuses_one_connection() -> None:
    async def run() -> None:
        server, seen = await serve(json_answer)
        client = WireClient(base_url(server))
        first = await client.post("/a", {"x": 1}, {"Authorization": "Bearer t"})
        second = await client.post("/b", None, {})
        await client.close()
        server.close()
        assert (first.status_code, first.json()) == (201, {"echo": {"x": 1}})
        assert second.json() == {"echo": None}
        assert seen[0].startswith(b"POST /a HTTP/1.1\r\nHost: 127.0.0.1:")
        assert b"Authorization: Bearer t\r\n" in seen[0]
        assert b"Content-Type: application/json\r\nContent-Length: 8\r\n\r\n" in seen[0]
        assert seen[1].endswith(b"Content-Length: 0\r\n\r\n")

    asyncio.run(run())


def test_post_reads_chunked_204_and_reconnects_after_close() -> None:
    answers = iter(
        [
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b'4\r\n{"a"\r\n3\r\n:1}\r\n0\r\n\r\n',
            b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]",
        ]
    )

    async def run() -> None:
        server, seen = await serve(lambda request: next(answers))
        client = WireClient(base_url(server))
        chunked = await client.post("/c", None, {})
        empty = await client.post("/d", None, {})
        again = await client.post("/e", None, {})
        await client.close()
        server.close()
        assert chunked.json() == {"a": 1}
        assert (empty.status_code, empty.body) == (204, b"")
        assert again.json() == [] and len(seen) == 3

    asyncio.run(run())


def test_post_to_a_closed_port_raises_wire_error() -> None:
    async def run() -> None:
        server, _ = await serve(json_answer)
        url = base_url(server)
        server.close()
        await server.wait_closed()
        with pytest.raises(WireError, match="ConnectionRefusedError"):
            await WireClient(url, timeout=5).post("/", None, {})

    asyncio.run(run())


def test_only_plain_http_is_spoken() -> None:
    with pytest.raises(ValueError, match="plain http only"):
        WireClient("https://example.org")
