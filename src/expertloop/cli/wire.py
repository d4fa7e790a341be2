"""A lean HTTP/1.1 keep-alive client for the load generator: one connection, one request at a
time, JSON in and out.

Why not httpx here: the benchmark measures the server, and on two shared cores every
millisecond the load generator spends is taken from the server. A full-featured client costs
about 3 ms of CPU per claim-and-submit cycle; this one writes the request bytes and reads the
status line, the headers and a ``Content-Length`` (or chunked) body, nothing else. It speaks
only to our own server; anything it does not understand is an error, never a guess.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class WireError(Exception):
    """The connection failed or the server answered something this client does not read."""


@dataclass(frozen=True)
class WireResponse:
    status_code: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class WireClient:
    """One keep-alive connection to ``base_url`` (``http://host:port``), opened on first use
    and again after the server closes it."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"the load generator speaks plain http only, not {base_url!r}")
        self._host, self._port = parts.hostname, parts.port or 80
        self._host_header = f"{self._host}:{self._port}".encode()
        self._timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(
        self, path: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> WireResponse:
        """POST ``body`` as JSON (none: an empty body) and read the whole answer."""
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [b"POST " + path.encode() + b" HTTP/1.1", b"Host: " + self._host_header]
        lines += [f"{name}: {value}".encode() for name, value in headers.items()]
        if body is not None:
            lines.append(b"Content-Type: application/json")
        lines.append(b"Content-Length: " + str(len(payload)).encode())
        request = b"\r\n".join(lines) + b"\r\n\r\n" + payload
        try:
            return await asyncio.wait_for(self._exchange(request), self._timeout)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
            await self.close()
            raise WireError(f"{type(exc).__name__}: {exc}") from exc

    async def connect(self) -> None:
        """Open the connection now (it is opened on first use otherwise)."""
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)

    async def _exchange(self, request: bytes) -> WireResponse:
        await self.connect()
        assert self._reader is not None and self._writer is not None
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status, headers = _parse_head(head)
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            body = await _read_chunked(self._reader)
        else:
            body = await self._reader.readexactly(int(headers.get(b"content-length", b"0")))
        if headers.get(b"connection", b"").lower() == b"close":
            await self.close()
        return WireResponse(status, body)

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


def _parse_head(head: bytes) -> tuple[int, dict[bytes, bytes]]:
    status_line, *header_lines = head[:-4].split(b"\r\n")
    version, _, rest = status_line.partition(b" ")
    if not version.startswith(b"HTTP/1."):
        raise ValueError(f"not an HTTP/1 answer: {status_line[:40]!r}")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    return int(rest[:3]), headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers from our server
            return bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(2)
