"""One user flooding WebSockets: the newest past the per-user cap are refused, and a watcher of
another user keeps its keepalives (issue 14 #5). A real `irisd serve` subprocess, so the
flood's client work does not share the server's event loop; the gaps are the server's own
(the `timestamp` it writes into each keepalive)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

from irisd.auth.users import create_user
from irisd.config import Settings
from irisd.db import open_database
from tests.conftest import PASSWORD, fresh_settings
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import Gates, at_gate, gates, pipeline
from tests.support.server import ServerProcess
from tests.support.ws_clients import StalledSocket

__all__ = ["gates"]

CAP = 10
FLOOD = 150  # sockets the flooding user tries to open at once
STALLED = 8  # of them, clients that never read and replay from since=0
KEEPALIVE_S = 0.5  # the contract's spacing
WATCHED = 10  # keepalives the watcher reads while the flood's sockets are open
TOO_MANY = "Too many open connections for this account. Close some, then try again."


async def add_users(settings: Settings, *emails: str) -> None:
    db = await open_database(settings.data_path / "irisd.db")
    try:
        for email in emails:
            await create_user(db, email, PASSWORD)
    finally:
        await db.close()


async def logged_in(session: aiohttp.ClientSession, url: str, email: str) -> ApiClient:
    client = ApiClient(session, url)
    await client.login(email, PASSWORD)
    return client


async def held_job(api: ApiClient, gates: Gates) -> str:
    photo = await api.upload(images.jpeg(64, 48))
    gates.hold(photo["id"])
    job = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body
    await at_gate(api, job["job_id"])
    return str(job["job_id"])


async def open_socket(
    stack: AsyncExitStack, api: ApiClient, path: str
) -> tuple[dict[str, Any], aiohttp.ClientWebSocketResponse]:
    """A socket left open (aiohttp reads it: a well-behaved client) and its first message."""
    socket = await stack.enter_async_context(api.ws(path))
    return dict(await asyncio.wait_for(socket.receive_json(), timeout=60)), socket


async def stack_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))


def gaps_s(messages: list[dict[str, Any]]) -> list[float]:
    times = [datetime.fromisoformat(m["timestamp"]) for m in messages]
    return [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]


async def test_a_flood_of_one_users_sockets_is_capped_and_spares_other_watchers(
    tmp_path: Path,
    gates: Gates,
    server_process: Callable[..., ServerProcess],
    session: aiohttp.ClientSession,
) -> None:
    settings = fresh_settings(
        tmp_path,
        jobs=pipeline("gated"),
        ws={"keepalive_s": KEEPALIVE_S, "max_sockets_per_user": CAP},
    )
    await add_users(settings, "watcher@example.test", "flooder@example.test")
    server = await asyncio.to_thread(server_process, settings)
    watcher = await logged_in(session, server.url, "watcher@example.test")
    # Its own session without aiohttp's 100-connection limit: every socket stays open at once.
    flood_session = await stack_session()
    flooder = await logged_in(flood_session, server.url, "flooder@example.test")
    job_id = await held_job(watcher, gates)
    target = (await flooder.upload(images.jpeg(64, 48)))["id"]
    flood_job = (await flooder.post("/api/v1/processing/submit", {"photo_id": target})).body

    seen: list[dict[str, Any]] = []
    path = f"/ws/jobs/{flood_job['job_id']}"
    async with watcher.ws(f"/ws/jobs/{job_id}") as socket, AsyncExitStack() as stack:
        seen.append(await socket.receive_json())
        stalled = [
            await StalledSocket.open(server.url, path, f"{flooder.access_token}&since=0")
            for _ in range(STALLED)
        ]
        opened = await asyncio.gather(*(open_socket(stack, flooder, path) for _ in range(FLOOD)))
        answers = [first for first, _socket in opened]
        while len(seen) < WATCHED:  # keepalives while the flood's sockets stay open
            seen.append(await socket.receive_json())
        for sock in stalled:
            sock.close()
    await flood_session.close()

    refused = [a for a in answers if a.get("detail") == TOO_MANY]
    assert len(refused) >= FLOOD - CAP
    assert all("status" in a for a in answers if a not in refused)
    assert {m["seq"] for m in seen} == {seen[0]["seq"]}  # keepalives of the held state
    # The contract's spacing, with room for a loaded test machine: never twice it.
    assert max(gaps_s(seen)) < 2 * KEEPALIVE_S, gaps_s(seen)
    await gates.release(job_id)
