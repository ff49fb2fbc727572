"""A WebSocket client that stops reading delays nobody else and is dropped after the send timeout.

The stalled client is a bare socket with a tiny receive buffer (tests/support/ws_clients.py).
The server sends keepalives every millisecond, so that buffer and the server's own fill within
moments. The other client's messages are the clock: every check happens between two of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from irisd.api.appkeys import HUB
from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import FINAL, Gates, at_gate, gates, pipeline
from tests.support.ws_clients import StalledSocket

__all__ = ["gates"]

Start = Callable[..., Awaitable[Irisd]]
UserFactory = Callable[..., Awaitable[ApiClient]]
STUCK_TICKS = 200  # messages the reader gets while not one byte more reaches the stalled one


async def held_job(
    start: Start, users: UserFactory, gates: Gates, **ws: Any
) -> tuple[Irisd, ApiClient, dict[str, Any]]:
    """A server with a `gated` pipeline and a job held at ("segmenting", 20)."""
    irisd = await start(jobs=pipeline("gated"), ws={"keepalive_s": 0.001, **ws})
    api = await users(irisd)
    photo = await api.upload(images.jpeg(64, 48))
    gates.hold(photo["id"])
    job = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body
    return irisd, api, await at_gate(api, job["job_id"])


async def until_final(socket: aiohttp.ClientWebSocketResponse) -> list[dict[str, Any]]:
    seen = [await socket.receive_json()]
    while seen[-1]["status"] not in FINAL:
        seen.append(await socket.receive_json())
    return seen


async def until_stuck(
    stalled: StalledSocket, socket: aiohttp.ClientWebSocketResponse
) -> list[dict[str, Any]]:
    """Read `socket` until the stalled client's buffer has stopped filling; what was read."""
    seen: list[dict[str, Any]] = []
    queued, unchanged = -1, 0
    while unchanged < STUCK_TICKS:
        seen.append(await socket.receive_json())
        now = stalled.queued_bytes()
        unchanged = unchanged + 1 if now == queued and now > 0 else 0
        queued = now
    return seen


async def test_a_client_that_never_reads_does_not_delay_another(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    irisd, api, held = await held_job(start_server, user_factory, gates, send_timeout_s=60.0)
    path = f"/ws/jobs/{held['job_id']}"
    stalled = await StalledSocket.open(irisd.url, path, api.access_token or "")
    try:
        async with api.ws(path) as socket:
            seen = await until_stuck(stalled, socket)
            await gates.release(held["job_id"])
            seen += await until_final(socket)
        # The reader got every state up to the end, in order, while the stalled client...
        seqs = [m["seq"] for m in seen]
        assert seqs == sorted(seqs)
        assert sorted(set(seqs)) == list(range(held["seq"], seen[-1]["seq"] + 1))
        assert seen[-1]["status"] == "completed"
        # ...still had nothing but the held state waiting in its full buffer.
        assert {(m["seq"], m["status"]) for m in stalled.take_queued()} == {
            (held["seq"], "processing")
        }
    finally:
        stalled.close()


async def test_a_client_that_never_reads_is_dropped_after_the_send_timeout(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    irisd, api, held = await held_job(start_server, user_factory, gates, send_timeout_s=0.2)
    hub = irisd.app[HUB]
    path = f"/ws/jobs/{held['job_id']}"
    stalled = await StalledSocket.open(irisd.url, path, api.access_token or "")
    try:
        async with api.ws(path) as socket:
            await socket.receive_json()
            assert hub.connections == 2
            while hub.connections > 1:  # the reader keeps getting keepalives meanwhile
                await socket.receive_json()
            await gates.release(held["job_id"])
            seen = await until_final(socket)
        assert seen[-1]["status"] == "completed"
        # The server aborted the stalled socket: reading it now ends, without the final state.
        assert "completed" not in {m["status"] for m in await stalled.read_to_end()}
        assert hub.connections == 0
    finally:
        stalled.close()
