"""Slowloris (issue 25 #1): request heads that never finish are ended, and connections are
capped per client address and in all, so other clients still get in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
from urllib.parse import urlsplit

from irisd.api.appkeys import METRICS
from tests.conftest import Irisd
from tests.support.clients import ApiClient
from tests.support.pipelines import Gates, at_gate, gates, pipeline

__all__ = ["gates"]

REFUSED = "irisd_connections_refused_total"
PARTIAL_HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n"
# A safety net for a server that never closes (before the fix: aiohttp's 3,630 s); the
# assertions are on what the connection saw, not on how long it took.
NEVER_S = 30


class Raw:
    """A bare TCP connection to the server, from a chosen loopback address."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def closed_by_server(self) -> bool:
        """Read until the server closes; True if it did (EOF or reset) before NEVER_S."""
        try:
            async with asyncio.timeout(NEVER_S):
                while await self.reader.read(4096):
                    pass
        except TimeoutError:
            return False
        except ConnectionResetError:
            pass
        return True

    async def healthz(self) -> bytes:
        """A whole request on this connection; the status line of the answer."""
        return await self.finish(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")

    async def finish(self, rest: bytes = b"\r\n") -> bytes:
        """Send the rest of a request head; the status line of the answer."""
        await self.send(rest)
        async with asyncio.timeout(NEVER_S):
            return await self.reader.readline()


@asynccontextmanager
async def raw(irisd: Irisd, source: str = "127.0.0.1") -> AsyncIterator[Raw]:
    url = urlsplit(irisd.url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port, local_addr=(source, 0))
    try:
        yield Raw(reader, writer)
    finally:
        writer.close()


async def test_a_request_head_that_never_finishes_is_closed(
    start_server: Callable[..., Awaitable[Irisd]],
) -> None:
    irisd = await start_server(server={"header_timeout_s": 0.3})
    async with raw(irisd) as slow:
        await slow.send(PARTIAL_HEAD)
        assert await slow.closed_by_server()


async def test_an_idle_connection_is_closed_and_a_prompt_one_is_answered(
    start_server: Callable[..., Awaitable[Irisd]],
) -> None:
    irisd = await start_server(server={"header_timeout_s": 0.3})
    async with raw(irisd) as prompt, raw(irisd) as idle:
        assert (await prompt.healthz()).startswith(b"HTTP/1.1 200")
        assert await idle.closed_by_server()


async def test_a_websocket_outlives_the_head_timeout(
    start_server: Callable[..., Awaitable[Irisd]],
    user_factory: Callable[..., Awaitable[ApiClient]],
    gates: Gates,
) -> None:
    from tests.support import images

    irisd = await start_server(
        server={"header_timeout_s": 0.2}, jobs=pipeline("gated"), ws={"keepalive_s": 0.1}
    )
    api = await user_factory(irisd)
    photo = await api.upload(images.jpeg(64, 48))
    gates.hold(photo["id"])
    job = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body
    await at_gate(api, job["job_id"])
    async with api.ws(f"/ws/jobs/{job['job_id']}") as socket:
        first = await socket.receive_json()
        later = first
        while _seconds(first, later) < 3 * 0.2:  # keepalives past the head timeout
            later = await socket.receive_json()
        assert later["status"] == "processing"
    await gates.release(job["job_id"])


def _seconds(first: dict[str, str], later: dict[str, str]) -> float:
    parse = datetime.fromisoformat
    return (parse(later["timestamp"]) - parse(first["timestamp"])).total_seconds()


async def test_connections_past_the_per_address_cap_are_refused_and_others_get_in(
    start_server: Callable[..., Awaitable[Irisd]],
) -> None:
    irisd = await start_server(
        server={"max_connections": 4, "max_connections_per_address": 2, "header_timeout_s": 60}
    )
    async with AsyncExitStack() as stack:
        held = [await stack.enter_async_context(raw(irisd, "127.0.0.1")) for _ in range(2)]
        for slow in held:
            await slow.send(PARTIAL_HEAD)
        one_too_many = await stack.enter_async_context(raw(irisd, "127.0.0.1"))
        assert await one_too_many.closed_by_server()
        assert irisd.app[METRICS].counted(REFUSED, cap="address") == 1
        other = await stack.enter_async_context(raw(irisd, "127.0.0.2"))
        assert (await other.healthz()).startswith(b"HTTP/1.1 200")
        # The held ones were never disturbed: they finish their requests.
        for slow in held:
            assert (await slow.finish()).startswith(b"HTTP/1.1 200")


async def test_connections_past_the_total_cap_are_refused_until_one_closes(
    start_server: Callable[..., Awaitable[Irisd]],
) -> None:
    irisd = await start_server(
        server={"max_connections": 2, "max_connections_per_address": 2, "header_timeout_s": 60}
    )
    async with raw(irisd, "127.0.0.2") as first, raw(irisd, "127.0.0.3") as second:
        await first.send(PARTIAL_HEAD)
        await second.send(PARTIAL_HEAD)
        async with raw(irisd, "127.0.0.4") as third:
            assert await third.closed_by_server()
        assert irisd.app[METRICS].counted(REFUSED, cap="total") == 1
        # The server ends this one (and counts it gone, api/http_runner.py) before the client
        # sees EOF.
        assert (await first.finish(b"Connection: close\r\n\r\n")).startswith(b"HTTP/1.1 200")
        assert await first.closed_by_server()
        async with raw(irisd, "127.0.0.4") as fourth:
            assert (await fourth.healthz()).startswith(b"HTTP/1.1 200")
