"""WebSockets: /ws/jobs/{job_id} (API.md) and /ws/jobs, the stream of all a user's jobs.

/ws/jobs/{job_id}?token=ACCESS[&since=SEQ]: after auth and ownership checks, the job's current
state (or, with `since`, every state after SEQ, each exactly once), then one message per
change and the latest state again every `[ws] keepalive_s` while nothing changes; the final
message, then close 1000. Errors: one {"error", "detail"} message, then close 1008.

/ws/jobs?token=ACCESS[&since=CURSOR]: the same Progress/Completion/Error messages for every
job of the user, each with a `cursor`. Without `since` it starts with the current state of
every pending or processing job; with `since=CURSOR` (the last cursor a client saw) it replays
every change after it first. While nothing changes it sends {"keepalive": true, "cursor",
"timestamp"} every keepalive_s. Neither socket ever changes a job.

Both run one loop (`_stream`) over a feed (api/feeds.py) that says what to send first, what
changed since and how to keep the socket alive; the connection limit, the send timeout and
shutdown are handled here once.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSCloseCode, web

from irisd.api import wire
from irisd.api.appkeys import HUB, SETTINGS, SOCKETS
from irisd.api.bearer import active_user, ws_claims
from irisd.api.feeds import Feed, JobFeed, UserFeed
from irisd.api.headers import origin_allowed
from irisd.api.socket_limit import Ended
from irisd.auth.users import User
from irisd.errors import Forbidden, RequestError, Unauthorized

routes = web.RouteTableDef()

# Per socket, what a client that stops reading can leave queued before sends block: a kernel
# send buffer (autotuning would let each grow to 4 MB) plus the transport's own buffer.
SEND_BUFFER_BYTES = 32 * 1024
WRITE_BUFFER_HIGH_BYTES = 16 * 1024

FOREIGN_ORIGIN = "WebSockets from this page's origin are not allowed."

OpenFeed = Callable[[web.Request, web.WebSocketResponse, User], Awaitable[Feed]]


class SlowClient(Exception):
    """The client did not take a message within the send timeout."""


@routes.get("/ws/jobs/{job_id}")
async def job_socket(request: web.Request) -> web.WebSocketResponse:
    return await _serve(request, JobFeed.open)


@routes.get("/ws/jobs")
async def user_socket(request: web.Request) -> web.WebSocketResponse:
    return await _serve(request, UserFeed.open)


async def _serve(request: web.Request, open_feed: OpenFeed) -> web.WebSocketResponse:
    """Accept, check (the token, then the feed's own checks), then stream."""
    ws = await _accept(request)
    try:
        if not origin_allowed(request):  # a page of another site, riding a user's token
            raise Forbidden(FOREIGN_ORIGIN, origin=request.headers.get("Origin"))
        claims = ws_claims(request, request.query.get("token"))
        # The per-user cap before any query: one user's flood of reconnects past it costs
        # no database work (bench/server/ws_flood.py).
        with request.app[SOCKETS].hold(claims.user_id, claims.family) as ended:
            user = await active_user(request, claims)
            feed = await open_feed(request, ws, user)
            await _run(request, ws, feed, ended)
    except RequestError as exc:
        return await _refuse(ws, exc)
    return ws


async def _accept(request: web.Request) -> web.WebSocketResponse:
    # No permessage-deflate: a message is ~250 bytes, and a zlib context per socket cost
    # ~127 KB and 1.6x the CPU of 1,000 idle watchers (bench/server/ws_fanout.py --deflate).
    ws = web.WebSocketResponse(compress=False)
    await ws.prepare(request)
    transport = request.transport
    if transport is not None:
        transport.set_write_buffer_limits(high=WRITE_BUFFER_HIGH_BYTES)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
    return ws


async def _refuse(ws: web.WebSocketResponse, exc: RequestError) -> web.WebSocketResponse:
    await ws.send_json(wire.socket_error(exc.status, exc.text))
    await ws.close(code=WSCloseCode.POLICY_VIOLATION)
    return ws


async def _run(request: web.Request, ws: web.WebSocketResponse, feed: Feed, ended: Ended) -> None:
    """Stream `feed` until it ends, the client goes away or its login is revoked or its account
    disabled (`ended`: then Unauthorized, as REST would answer); the job is never touched."""
    reader = asyncio.create_task(_drain(ws))
    sender = asyncio.create_task(_stream(request, ws, feed))
    revoked = asyncio.create_task(ended.wait())
    try:
        await asyncio.wait({reader, sender, revoked}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        feed.close()
        for task in (reader, sender, revoked):
            task.cancel()
        results = await asyncio.gather(reader, sender, revoked, return_exceptions=True)
    if ended.is_set() and not ws.closed:
        raise Unauthorized(ended.detail)  # _serve sends it and closes 1008
    if isinstance(results[1], SlowClient) and request.transport is not None:
        request.transport.abort()  # it stopped reading: a close frame would not reach it
    elif not ws.closed:
        going_away = request.app[HUB].closing
        await ws.close(code=WSCloseCode.GOING_AWAY if going_away else WSCloseCode.OK)


async def _drain(ws: web.WebSocketResponse) -> None:
    """Read (and ignore) what the client sends; returns when it disconnects."""
    async for _msg in ws:
        pass


async def _stream(request: web.Request, ws: web.WebSocketResponse, feed: Feed) -> None:
    """The one loop of both sockets: what is new, until the end, shutdown or the time limit."""
    hub = request.app[HUB]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + request.app[SETTINGS].ws.max_connection_s
    for data in await feed.start():
        await _send(request, ws, data)
    while not feed.ended:
        for data in await feed.changes():
            await _send(request, ws, data)
        if feed.ended or hub.closing:
            return  # the final state was sent (or resumed after), or the server is stopping
        remaining = deadline - loop.time()
        if remaining <= 0:
            await _send(request, ws, wire.TIMEOUT_MESSAGE)
            return
        keepalive = await feed.idle(remaining)
        if keepalive is not None:
            await _send(request, ws, keepalive)


async def _send(request: web.Request, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
    try:
        async with asyncio.timeout(request.app[SETTINGS].ws.send_timeout_s):  # no extra Task
            await ws.send_json(data)
    except TimeoutError as exc:
        raise SlowClient from exc
